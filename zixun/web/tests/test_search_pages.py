"""The search box, the results page, suggestions, 热搜 and its editor controls."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.audit.models import AuditEntry
from zixun.creators.tests.factories import CreatorFactory
from zixun.search.engine import CURSOR_FOREIGN, index_accounts, index_articles
from zixun.search.models import QueryCount, SearchIntervention

pytestmark = pytest.mark.django_db
SEARCH = reverse("web:search")


def story(title, body="正文", **kwargs):
    article = ArticleFactory(title=title, body_text=body, summary="", **kwargs)
    index_articles([article.pk])
    return article


def test_every_page_has_the_search_box(client):
    for url in (reverse("web:home"), reverse("web:hot"), reverse("account_login")):
        html = client.get(url).content.decode()
        assert f'action="{SEARCH}"' in html, url
        assert 'role="search"' in html, url
    client.get(reverse("web:mode-set", args=["care", "on"]))
    assert f'action="{SEARCH}"' in client.get(reverse("web:home")).content.decode()


def test_results_show_marked_titles_snippets_and_accounts(client):
    account = CreatorFactory(name="金台资讯")
    index_accounts([account.pk])
    article = story("广东援疆干部扎根喀什", "对口援疆工作取得新进展。", creator=account)
    response = client.get(SEARCH, {"q": "援疆"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "广东<mark>援疆</mark>干部扎根喀什" in html
    assert "对口<mark>援疆</mark>工作取得新进展。" in html
    assert article.get_absolute_url() in html
    accounts = client.get(SEARCH, {"q": "jtzx"}).content.decode()
    assert "金台资讯" in accounts
    assert 'class="search-accounts"' in accounts


def test_a_taken_down_article_is_never_shown_even_before_the_index_catches_up(client):
    article = story("援疆医疗队出发")
    type(article).objects.filter(pk=article.pk).update(status="taken_down")
    assert "援疆医疗队出发" not in client.get(SEARCH, {"q": "援疆"}).content.decode()


@pytest.mark.parametrize(
    "params",
    [{"q": '"援疆 AND ('}, {"q": "援疆" * 3000}, {"q": ""}, {"q": "😀"}, {"q": "援疆", "channel": "nope"},
     {"q": "援疆", "account": "١٢"}, {"q": "援疆", "account": "99999"}, {"q": "援疆", "range": "century"},
     {"q": "援疆", "order": "random"}, {"q": "'; DROP TABLE search_fts; --"}, {"q": "援疆", "after": "%%%"}],
)  # fmt: skip
def test_bad_input_gets_a_page_never_a_500(client, params):
    story("广东援疆干部扎根喀什")
    response = client.get(SEARCH, params)
    assert response.status_code in (200, 400)
    if params.get("channel") == "nope":
        assert "没有这个频道" in response.content.decode()


def test_a_query_of_symbols_alone_is_told_once_what_is_searched(client):
    story("广东援疆干部扎根喀什")
    html = client.get(SEARCH, {"q": '"()* ——！'}).content.decode()
    assert html.count("标点和符号不参与搜索") == 1
    assert "没有找到" not in html
    assert 'class="search-results"' not in html
    # a query with words that find nothing says so instead
    html = client.get(SEARCH, {"q": "不存在的词语"}).content.decode()
    assert "没有找到与“不存在的词语”相关的文章" in html
    assert "标点和符号不参与搜索" not in html


def test_a_cursor_from_another_query_says_so(client):
    for i in range(12):
        story(f"援疆第{i}批")
    story("农业新闻")
    first = client.get(SEARCH, {"q": "援疆"}).content.decode()
    cursor = first.split("after=", 1)[1].split('"', 1)[0]
    response = client.get(SEARCH, {"q": "农业", "after": cursor})
    assert response.status_code == 400
    assert str(CURSOR_FOREIGN) in response.content.decode()


def test_the_next_page_link_walks_every_result(client):
    articles = [story(f"援疆报道{i}") for i in range(23)]
    seen, url = set(), f"{SEARCH}?q=援疆"
    for _ in range(5):
        html = client.get(url).content.decode()
        seen |= {a.pk for a in articles if f'href="{a.get_absolute_url()}"' in html}
        if 'rel="next"' not in html:
            break
        url = SEARCH + html.split('" rel="next"', 1)[0].rsplit('href="', 1)[1].replace("&amp;", "&")
    assert seen == {a.pk for a in articles}


def test_suggestions_are_accounts_then_popular_queries(client):
    account = CreatorFactory(name="金台资讯")
    index_accounts([account.pk])
    story("金台新闻发布")
    client.get(SEARCH, {"q": "金台新闻"})
    items = client.get(reverse("web:search-suggest"), {"q": "金台"}).json()["items"]
    assert items[0] == {"text": "金台资讯", "url": account.get_absolute_url(), "kind": "account"}
    assert {k: items[1][k] for k in ("text", "kind")} == {"text": "金台新闻", "kind": "query"}
    assert client.get(reverse("web:search-suggest"), {"q": ""}).json() == {"items": []}


def test_hot_searches_count_each_reader_once_an_hour_and_fold_scripts():
    story("国际会议召开")
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.2"):
        Client(REMOTE_ADDR=address).get(SEARCH, {"q": "國際會議"})
    Client(REMOTE_ADDR="10.0.0.3").get(SEARCH, {"q": "国际会议"})
    assert QueryCount.objects.get(query="国际会议").count == 3
    Client(REMOTE_ADDR="10.0.0.4").get(SEARCH, {"q": "没有结果的词"})
    html = Client().get(reverse("web:hot-search-about")).content.decode()
    assert "国际会议" in html
    assert "没有结果的词" not in html


def test_editors_pin_and_remove_hot_searches_with_a_reason_and_it_is_public(
    client, django_capture_on_commit_callbacks
):
    story("国际会议召开")
    Client(REMOTE_ADDR="10.0.0.9").get(SEARCH, {"q": "国际会议"})
    manage = reverse("web:hot-search-manage")
    reader = UserFactory()
    client.force_login(reader)
    assert client.post(
        manage, {"action": "remove", "query": "国际会议", "reason": "x"}
    ).status_code in (302, 403, 404)
    assert not SearchIntervention.objects.exists()
    editor = EditorFactory()
    client.force_login(editor)
    client.post(manage, {"action": "remove", "query": "国际会议", "reason": ""})
    assert not SearchIntervention.objects.exists()  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(manage, {"action": "remove", "query": "國際會議", "reason": "重复话题"})
    removal = SearchIntervention.objects.get()
    assert removal.query == "国际会议"
    assert AuditEntry.objects.filter(action="hotsearch.remove", reason="重复话题").exists()
    public = Client().get(reverse("web:hot-search-about")).content.decode()
    assert "重复话题" in public
    assert (
        '<a href="/search/?q=' not in public.split("热搜调整记录")[0].split("hot-search-list")[-1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            manage, {"action": "pin", "query": "嫦娥七号", "position": "1", "reason": "重大新闻"}
        )
    public = Client().get(reverse("web:hot-search-about")).content.decode()
    assert "嫦娥七号" in public.split("热搜调整记录")[0]
    client.post(manage, {"action": "end", "intervention": str(removal.pk), "reason": "误操作"})
    assert AuditEntry.objects.filter(action="hotsearch.unremove").exists()


def test_the_results_page_has_a_query_budget(client, django_assert_max_num_queries):
    account = CreatorFactory(name="金台资讯")
    index_accounts([account.pk])
    for i in range(15):
        story(f"援疆报道第{i}篇", "对口援疆工作。", creator=account)
    client.get(SEARCH, {"q": "援疆 报道"})  # warm: the word list, the words' counts, the blocks
    # the match and its words, popularity, texts, cards (2), accounts (2), the count for 热搜 (2)
    # and the channel filter: 11; on PostgreSQL the match also sets its plan (one set_config, in
    # a savepoint): 3 more statements, no more reads
    budget = 11 + (3 if connection.vendor == "postgresql" else 0)
    with django_assert_max_num_queries(budget):
        response = client.get(SEARCH, {"q": "报道 援疆"})
    assert response.status_code == 200


def test_the_hot_searches_block_links_to_its_explanation_except_on_it(client):
    about = reverse("web:hot-search-about")
    # on the results page the block's heading links to 热搜说明
    assert f'<a class="more-link" href="{about}"' in client.get(SEARCH).content.decode()
    # on 热搜说明 itself it does not link to the page the reader is on
    assert f'<a class="more-link" href="{about}"' not in client.get(about).content.decode()

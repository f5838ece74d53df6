import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.models import Article
from zixun.articles.services.counters import creator_articles_recount
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.core.pagination import INVALID_CURSOR
from zixun.core.sitecache import site_version_bump
from zixun.core.testing import link_href, link_walk
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement.services import comment_create
from zixun.events.models import Event
from zixun.events.services import event_record
from zixun.ranking.hot import hot_ingest
from zixun.web.modes import CARE_COOKIE
from zixun.web.qr import qr_svg

pytestmark = pytest.mark.django_db

HIGHLIGHTS = ["头条", "体育", "娱乐", "财经", "科技", "汽车"]
ORIGINAL_CATEGORIES = ["健康", "手机", "数码", "时尚", "艺术"]
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def article_list(html):
    """The HTML of the main keyset-paginated list."""
    return re.search(r'<ul class="article-list">(.*?)</ul>', html, re.S).group(1)


def section(html, label_id):
    """The HTML of the <section> labelled by ``label_id``."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{label_id}"[^>]*>(.*?)</section>', html, re.S
    )
    assert match, f"no section {label_id}"
    return match.group(1)


@pytest.fixture
def site():
    """An article with a full page: account history, channels, originals, a hot list."""
    author = CreatorFactory(name="金台资讯", verification_label="人民网官方网易号")
    now = timezone.now()
    past = [
        ArticleFactory(
            creator=author, title=f"往期文章{i}", published_at=now - timedelta(days=10 + i)
        )
        for i in range(3)
    ]
    tops = {
        c.name: ArticleFactory(
            channel=c, title=f"{c.name}头条新闻", published_at=now - timedelta(hours=2)
        )
        for c in (channel(s) for s in ["news", "sports", "ent", "money", "tech", "auto"])
    }
    originals = {
        c.name: ArticleFactory(
            channel=c,
            title=f"{c.name}原创故事",
            is_original=True,
            published_at=now - timedelta(hours=3),
        )
        for c in (channel(s) for s in ["health", "mobile", "digi", "fashion", "art"])
    }
    hot = ArticleFactory(
        title="阅读最多的文章", view_count=999, published_at=now - timedelta(days=1)
    )
    event_record(Event.Kind.VIEW, article_id=hot.pk, count=999)  # 热点推荐 ranks by events
    hot_ingest()
    related = ArticleFactory(
        channel=channel("news"), title="同频道的另一篇", published_at=now - timedelta(days=2)
    )
    article = ArticleFactory(
        creator=author,
        channel=channel("news"),
        title="广东省对口支援新疆工作前方指挥部荣获全国脱贫攻坚先进集体光荣称号",
        body_html="<p>2月25日，全国脱贫攻坚总结表彰大会在北京召开。</p>",
        share_count=3,
        published_at=now - timedelta(hours=5),
    )
    creator_articles_recount()
    return {
        "article": article,
        "author": author,
        "past": past,
        "tops": tops,
        "originals": originals,
        "hot": hot,
        "related": related,
    }


def test_article_page_has_every_block_of_the_reference_page(client, site):
    article = site["article"]
    html = client.get(article.get_absolute_url()).content.decode()

    # breadcrumb and 申请入驻
    crumb = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
    assert "资讯首页" in crumb
    assert ">头条<" in crumb
    assert "正文" in crumb
    assert f'href="{reverse("web:apply")}"' in crumb
    assert "申请入驻" in crumb
    # title, account and time
    assert f'<h1 id="article-title">{article.title}</h1>' in html
    meta = re.search(r'<div class="article-meta">(.*?)</div>', html, re.S).group(1)
    assert "金台资讯" in meta
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M:%S") in meta
    # share count and menu: copy link, QR code
    assert '<span class="share-count"' in html
    assert ">3</span>" in html
    assert "分享至" in html
    assert "复制链接" in html
    assert f'value="http://testserver{article.get_absolute_url()}?src=link"' in html
    assert reverse("web:article-qr", args=[article.pk]) in html
    # body and the bilingual disclaimer
    assert "全国脱贫攻坚总结表彰大会在北京召开" in html
    assert "特别声明：以上内容" in html
    assert "Notice: The content above" in html
    # 相关推荐 and 热点推荐, each item with title, account and time
    related = section(html, "related-title")
    assert "同频道的另一篇" in related
    assert "card-meta" in related
    assert "<time" in related
    assert article.title not in related
    hot = section(html, "hot-title")
    assert "阅读最多的文章" in hot
    assert "<time" in hot
    # author card
    card = section(html, "author-name")
    assert "金台资讯" in card
    assert "人民网官方网易号" in card
    assert "文章数" in card
    assert "<dd>4</dd>" in card
    assert "关注度" in card
    assert "关注" in card
    assert "follow-button" in card
    # 往期回顾 with 全部
    past = section(html, "past-title")
    assert "往期文章0" in past
    assert "全部" in past
    assert f'href="{site["author"].get_absolute_url()}"' in past
    # the channel highlight blocks, each with its top story
    for name, top in site["tops"].items():
        slug = top.channel.slug
        block = section(html, f"hl-{slug}")
        assert f"{name}要闻" in block
        assert top.title in block
    # 态度原创 and its categories
    originals = section(html, "orig-title")
    for name, story in site["originals"].items():
        assert f">{name}</a>" in originals
        assert story.title in originals
    # footer modes
    assert "无障碍浏览" in html
    assert "进入关怀版" in html


def test_article_page_query_budget(client, site, settings, django_assert_max_num_queries):
    url = site["article"].get_absolute_url()
    with django_assert_max_num_queries(26):
        # cold: builds and caches the site-wide blocks (the hot list: interventions, the top
        # ids, the epoch, their cards, the newest to top up) and the page (相关推荐: the stored
        # list, and the channel's newest while it has none); lists of ids are read by primary
        # key first, then as cards (articles.selectors.article_published_ids)
        client.get(url)
    with django_assert_max_num_queries(0):
        assert client.get(url).status_code == 200  # a cached page
    settings.ZIXUN_PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(5):
        # blocks cached: article, related, past, comments and their replies
        assert client.get(url).status_code == 200


def test_an_article_without_comments_reads_none_and_its_first_comment_shows(
    client, site, settings, django_capture_on_commit_callbacks
):
    settings.ZIXUN_PAGE_CACHE_SECONDS = 0
    article = site["article"]
    url = article.get_absolute_url()
    client.get(url)  # the site-wide blocks cached
    with CaptureQueriesContext(connection) as queries:
        assert "还没有跟贴" in client.get(url).content.decode()
    assert not [q for q in queries.captured_queries if "engagement_comment" in q["sql"]]
    # then a comment counted in its own transaction is read and shown on the next render
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(user=UserFactory(), article_id=article.pk, body="第一条跟贴来了")
    html = client.get(url).content.decode()
    assert "第一条跟贴来了" in html
    assert "还没有跟贴" not in html


def test_signed_in_article_page_query_budget(client, site, writer, django_assert_max_num_queries):
    url = site["article"].get_absolute_url()
    client.force_login(writer)
    client.get(url)
    with django_assert_max_num_queries(8):
        # + session, user, and one query for liked / favourited / following
        assert client.get(url).status_code == 200


def test_cached_pages_are_rebuilt_after_new_content(client, site):
    url = site["article"].get_absolute_url()
    client.get(url)
    ArticleFactory(channel=channel("news"), title="刚刚发布的新闻", published_at=timezone.now())
    assert "刚刚发布的新闻" not in client.get(url).content.decode()  # still the cached page
    site_version_bump()  # what an import or a publish calls
    assert "刚刚发布的新闻" in client.get(url).content.decode()


def test_cached_pages_differ_by_mode_and_language(client, site):
    url = site["article"].get_absolute_url()
    plain = client.get(url).content.decode()
    client.cookies[CARE_COOKIE] = "1"
    care = client.get(url).content.decode()
    client.cookies[settings_language_cookie()] = "en"
    english = client.get(url).content.decode()
    assert '<body class="">' in plain
    assert '<body class="care ' in care
    assert '<html lang="en" class="care">' in english  # the cookie is still set
    assert '<html lang="zh-CN" class="care">' in care
    assert '<html lang="zh-CN">' in plain


def test_cached_pages_tell_other_caches_they_vary_by_cookie(client, site, writer):
    # given an article page, rendered once and then served from the page cache
    url = site["article"].get_absolute_url()
    fresh = client.get(url)
    cached = client.get(url)
    # then both say that they depend on cookies (language and modes), so that a proxy or a
    # CDN never serves one reader's variant to another
    for response in (fresh, cached):
        assert "Cookie" in response["Vary"]
    # and so does a signed-in reader's page, filled from its cached variant
    client.force_login(writer)
    client.get(url)
    assert "Cookie" in client.get(url)["Vary"]


def settings_language_cookie():
    from django.conf import settings

    return settings.LANGUAGE_COOKIE_NAME


def test_pages_carry_nothing_per_reader(client, site):
    response = client.get(site["article"].get_absolute_url())
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


def test_unpublished_and_missing_articles_are_404(client):
    draft = ArticleFactory(status=Article.Status.UNPUBLISHED)
    assert client.get(draft.get_absolute_url()).status_code == 404
    response = client.get(reverse("web:article", args=[10**9]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_qr_code_is_an_svg_of_the_article_link(client):
    # given: two articles, so that the code cannot be of the wrong one
    article, other = ArticleFactory(), ArticleFactory()
    link = f"http://testserver{article.get_absolute_url()}"
    # when
    response = client.get(reverse("web:article-qr", args=[article.pk]))
    # then: the code is exactly the one of this article's absolute link
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert response.content == qr_svg(link)
    assert response.content != qr_svg(f"http://testserver{other.get_absolute_url()}")
    # A relative link means nothing to the phone that scans it.
    assert response.content != qr_svg(article.get_absolute_url())
    # and: the link follows the host the page was asked for
    on_localhost = client.get(reverse("web:article-qr", args=[article.pk]), HTTP_HOST="localhost")
    assert on_localhost.content == qr_svg(f"http://localhost{article.get_absolute_url()}")


def test_qr_code_of_an_offline_article_is_404(client):
    draft = ArticleFactory(status=Article.Status.UNPUBLISHED)
    assert client.get(reverse("web:article-qr", args=[draft.pk])).status_code == 404


def test_home_lists_latest_pinned_and_highlights(client):
    pinned = ArticleFactory(title="置顶的参考文章", pinned_at=timezone.now())
    newest = ArticleFactory(title="最新的一篇", channel=channel("sports"))
    html = client.get(reverse("web:home")).content.decode()
    assert pinned.title in section(html, "pinned-title")
    assert newest.title in section(html, "latest-title")
    assert newest.title in section(html, "hl-title")


def article_ids(html):
    """The ids of the articles in the main list, in the order shown."""
    return [int(pk) for pk in re.findall(r'<h3><a href="/article/(\d+)/">', article_list(html))]


def test_channel_page_paginates_with_cursors(client, settings):
    # given: five sports articles, two published at the same moment, and two that must not show
    settings.ZIXUN_PAGE_SIZE = 2
    sports = channel("sports")
    hours = [0, 1, 2, 2, 3]
    made = [ArticleFactory(channel=sports, published_at=T0 + timedelta(hours=h)) for h in hours]
    ArticleFactory(channel=channel("ent"), published_at=T0 + timedelta(hours=4))
    ArticleFactory(
        channel=sports, status=Article.Status.UNPUBLISHED, published_at=T0 + timedelta(hours=5)
    )
    newest_first = [a.pk for a in sorted(made, key=lambda a: (a.published_at, a.pk), reverse=True)]
    url = reverse("web:channel", args=["sports"])
    # when: a reader follows 下一页 to the end
    pages = link_walk(client, url)
    # then: every article once, newest first, ties broken by id
    assert [article_ids(html) for html in pages] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:5],
    ]
    # and: 上一页 (?before=) goes back to the page before, and the first page has none
    assert link_href(pages[0], "prev") is None
    for before, page in pairwise(pages):
        back = link_href(page, "prev")
        assert back.startswith("?before=")
        assert article_ids(client.get(url + back).content.decode()) == article_ids(before)
    # and: 末页 holds the oldest articles and has no 下一页
    last = client.get(f"{url}?page=last").content.decode()
    assert article_ids(last) == newest_first[3:5]
    assert link_href(last, "next") is None
    assert (
        article_ids(client.get(url + link_href(last, "prev")).content.decode())
        == (newest_first[1:3])
    )


def test_bad_cursor_is_a_400_with_a_message(client):
    response = client.get(reverse("web:channel", args=["sports"]) + "?after=%%%")
    assert response.status_code == 400
    assert str(INVALID_CURSOR) in response.content.decode()


def test_unknown_channel_and_account_are_404(client):
    assert client.get(reverse("web:channel", args=["nope"])).status_code == 404
    assert client.get(reverse("web:account", args=[10**9])).status_code == 404


def test_account_page_shows_profile_and_all_articles(client, settings):
    settings.ZIXUN_PAGE_SIZE = 3
    author = CreatorFactory(
        name="晨江晚报", verification_label="晨江晚报官方资讯号", bio="本地新闻"
    )
    for i in range(7):
        ArticleFactory(creator=author, title=f"晚报第{i}篇")
    creator_articles_recount()
    url = author.get_absolute_url()
    html = client.get(url).content.decode()
    assert "晨江晚报官方资讯号" in html
    assert "本地新闻" in html
    assert "<dd>7</dd>" in html
    assert "晚报第6篇" in article_list(html)
    last = client.get(f"{url}?page=last").content.decode()
    assert "晚报第0篇" in article_list(last)
    assert "晚报第6篇" not in article_list(last)


def test_care_mode_is_a_presentation_switch(client):
    article = ArticleFactory()
    url = reverse("web:mode-set", args=["care", "on"]) + f"?next={article.get_absolute_url()}"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert response.cookies[CARE_COOKIE].value == "1"
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<body class="care' in html
    assert "退出关怀版" in html


def test_mode_switch_refuses_foreign_redirects_and_unknown_modes(client):
    response = client.get(
        reverse("web:mode-set", args=["care", "on"]) + "?next=https://evil.example/"
    )
    assert response["Location"] == reverse("web:home")
    assert client.get(reverse("web:mode-set", args=["bogus", "on"])).status_code == 404
    assert client.get(reverse("web:mode-set", args=["care", "maybe"])).status_code == 404


def test_english_is_available(client):
    article = ArticleFactory()
    response = client.get(
        reverse("web:language-set", args=["en"]) + f"?next={article.get_absolute_url()}"
    )
    assert response["Location"] == article.get_absolute_url()
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html
    assert "Related" in html
    assert "Popular now" in html  # 热点推荐, beside a link to the hot list (Trending)


def test_security_headers_are_sent(client):
    response = client.get(reverse("web:home"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_language_is_404(client):
    assert client.get(reverse("web:language-set", args=["xx"])).status_code == 404


def test_chinese_is_the_default_whatever_the_browser_asks(client):
    article = ArticleFactory()
    html = client.get(
        article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "相关推荐" in html


def test_english_pages_name_channels_in_english(client):
    article = ArticleFactory(channel=channel("sports"))
    client.get(reverse("web:language-set", args=["en"]))
    html = client.get(article.get_absolute_url()).content.decode()
    assert ">Sports</a>" in html
    assert "Sports: top story" in html
    assert "Zixun home" in html


def test_share_links_say_https_behind_a_proxy(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    article = ArticleFactory()
    html = client.get(article.get_absolute_url(), HTTP_X_FORWARDED_PROTO="https").content.decode()
    assert 'value="https://testserver' in html


@pytest.mark.parametrize("name", ["home", "channel", "account"])
def test_list_pages_query_budget(client, site, settings, django_assert_max_num_queries, name):
    settings.ZIXUN_PAGE_CACHE_SECONDS = 0
    url = {
        "home": reverse("web:home"),
        "channel": reverse("web:channel", args=["news"]),
        "account": site["author"].get_absolute_url(),
    }[name]
    client.get(url)  # fills the block and fragment caches
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code == 200


def test_the_500_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "服务器出错了" in html


def test_every_page_names_the_site_icon_and_favicon_ico_leads_to_it(client):
    page = client.get(reverse("web:home")).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    served = client.get(icon)
    served.close()  # a file response: close its file
    assert served.status_code == 200
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == icon

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zixun.articles.models import Article
from zixun.articles.services.publishing import article_after_change_task
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.ranking.models import RelatedList, RelatedPosting, TermStat
from zixun.ranking.related import (
    DOCUMENTS,
    DatabaseIndex,
    article_index,
    related_compute,
    related_ids_of,
    related_rebuild,
)
from zixun.ranking.selectors import related_cards

pytestmark = pytest.mark.django_db

SPACE = "嫦娥六号探测器在月球背面采集样品，科学家分析月壤成分，航天工程再获突破。"
FOOTBALL = "中超联赛第二十轮，主队在主场二比一逆转客队，球迷为足球比赛欢呼。"
MARKET = "央行下调存款准备金率，股市和债券市场应声上涨，经济学家解读货币政策。"


def story(title, body, **kwargs):
    return ArticleFactory(title=title, body_text=body, **kwargs)


@pytest.fixture
def corpus():
    articles = {
        "space": story("嫦娥六号完成月背采样", SPACE),
        "space2": story("月球背面样品运抵实验室 科学家开始研究月壤", SPACE),
        "football": story("中超第二十轮 主队逆转取胜", FOOTBALL, channel=channel("sports")),
        "football2": story(
            "主场逆转！球迷狂欢 中超积分榜生变", FOOTBALL, channel=channel("sports")
        ),
        "market": story("央行降准 市场应声上涨", MARKET),
        "reprint": story("嫦娥六号完成月背采样！", SPACE),  # the same story, reposted
    }
    for article in articles.values():
        article_index(article.pk)
    return articles


def test_related_are_on_topic_never_the_article_and_never_a_reprint_twice(corpus):
    ids = related_compute(corpus["space"].pk, neighbours=False)
    assert corpus["space"].pk not in ids
    assert ids[0] == corpus["space2"].pk
    assert corpus["reprint"].pk not in ids  # a near-duplicate of the article itself
    football = related_compute(corpus["football"].pk, neighbours=False)
    assert football[0] == corpus["football2"].pk
    assert related_ids_of(corpus["football"].pk) == football


def test_terms_are_counted_once_per_article_and_edits_reindex(corpus):
    index = DatabaseIndex()
    assert index.doc_count() == 6
    space = corpus["space"]
    before = index.doc_freqs(["嫦娥"])["嫦娥"]
    Article.objects.filter(pk=space.pk).update(
        title="股市上涨 投资者关注央行",
        body_text="今天股市上涨，投资者关注央行的货币政策和市场走势。",
    )
    article_index(space.pk)
    assert index.doc_count() == 6
    assert index.doc_freqs(["嫦娥"])["嫦娥"] == before - 1
    assert related_compute(space.pk, neighbours=False)[0] == corpus["market"].pk


def test_an_article_gone_offline_leaves_the_index_and_every_list(corpus):
    space, space2 = corpus["space"], corpus["space2"]
    related_compute(space.pk, neighbours=False)
    Article.objects.filter(pk=space2.pk).update(status=Article.Status.TAKEN_DOWN)
    related_compute(space2.pk)
    assert not RelatedPosting.objects.filter(article_id=space2.pk).exists()
    assert related_ids_of(space2.pk) == []
    assert DatabaseIndex().doc_count() == 5
    assert space2.pk not in [c.id for c in related_cards(article=space)]  # read-time filter too


def test_the_page_falls_back_to_the_channel_until_a_list_exists():
    article = ArticleFactory(channel=channel("sports"))
    other = ArticleFactory(channel=channel("sports"))
    assert [c.id for c in related_cards(article=article)] == [other.pk]


def test_postings_are_the_most_recent_per_term_in_one_query(corpus):
    with CaptureQueriesContext(connection) as queries:
        found = DatabaseIndex().postings(["嫦娥", "中超", "不存在的词"], per_term=2)
    assert len(queries) == 1
    assert [a for a, _ in found["嫦娥"]] == [corpus["reprint"].pk, corpus["space2"].pk]
    assert found["不存在的词"] == []


def test_publishing_computes_the_list_in_the_pipeline(corpus):
    fresh = story("嫦娥六号月背样品研究有新发现", SPACE)
    article_after_change_task.call(article_id=fresh.pk)
    ids = related_ids_of(fresh.pk)
    assert ids
    assert set(ids) <= {corpus["space"].pk, corpus["space2"].pk, corpus["reprint"].pk,
                        corpus["market"].pk, corpus["football"].pk, corpus["football2"].pk}  # fmt: skip
    assert fresh.pk in related_ids_of(ids[0])  # its nearest neighbour now lists it


def test_rebuild_is_resumable_and_repeatable():
    first = [story(f"第{n}篇 月球样品", SPACE) for n in range(3)]
    assert related_rebuild(batch=2) == (3, 3)
    assert related_rebuild(batch=2) == (0, 0)  # nothing new: nothing done twice
    story("第四篇 月球样品", SPACE)
    assert related_rebuild() == (1, 1)
    assert TermStat.objects.get(term=DOCUMENTS).df == 4
    assert related_rebuild(reset=True) == (4, 4)
    assert TermStat.objects.get(term=DOCUMENTS).df == 4  # reindexing replaces, never adds
    assert RelatedList.objects.filter(article_id=first[0].pk).exists()

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zixun.articles.models import Article
from zixun.articles.services.publishing import article_after_change_task
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.ranking.models import (
    RelatedEmbedding,
    RelatedList,
    RelatedModel,
    RelatedPosting,
    TermStat,
)
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


def test_the_database_sums_the_same_scores_as_the_postings_give(corpus):
    factors = {"嫦娥": 2.0, "月球": 0.5, "中超": 1.5, "不存在的词": 3.0}
    index = DatabaseIndex()
    expected: dict[int, float] = {}
    for term, rows in index.postings(list(factors), per_term=2).items():
        for article_id, weight in rows:
            expected[article_id] = expected.get(article_id, 0.0) + factors[term] * weight
    with CaptureQueriesContext(connection) as queries:
        found = index.scores(factors, per_term=2, count=3)
    assert len(queries) == 1
    best = sorted(expected.items(), key=lambda item: (-item[1], -item[0]))[:3]
    assert [a for a, _ in found] == [a for a, _ in best]
    assert [s for _, s in found] == pytest.approx([s for _, s in best])
    assert index.scores({}, per_term=2, count=3) == []


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


SPACE_TITLES = ["嫦娥探月工程再获突破", "月球背面采样返回地球", "航天员出舱活动顺利完成", "火箭发射卫星成功入轨",
                "空间站实验舱对接成功", "探测器传回月面图像", "载人航天工程新进展", "卫星导航系统组网完成"]  # fmt: skip
FOOTBALL_TITLES = ["中超联赛主队逆转取胜", "球迷为足球比赛欢呼", "国家队公布集训名单", "主教练赛后谈战术",
                   "联赛积分榜再生变化", "青训球员首次登场进球", "足协杯半决赛开战", "门将扑出点球晋级"]  # fmt: skip


def test_learned_term_vectors_reach_the_site(django_capture_on_commit_callbacks):
    # given a site of two topics, indexed
    articles = []
    for n in range(3):
        for title in SPACE_TITLES:
            articles.append(story(f"{title}{n}", SPACE))
        for title in FOOTBALL_TITLES:
            articles.append(story(f"{title}{n}", FOOTBALL, channel=channel("sports")))
    for article in articles:
        article_index(article.pk)
    # when the model is learned and the site re-indexed
    call_command("related_learn", "--no-progress", stdout=StringIO())
    # then every article has a vector and a topic posting, which are not terms
    assert RelatedModel.objects.count() == 1
    assert RelatedEmbedding.objects.count() == len(articles)
    topics = RelatedPosting.objects.filter(term__startswith="#")
    assert topics.count() == len(articles)
    assert not TermStat.objects.filter(term__startswith="#").exists()
    index = DatabaseIndex()
    assert index.model() is not None
    assert all(
        not t.startswith("#") for v in index.vectors([a.pk for a in articles]).values() for t in v
    )
    # and 相关推荐 uses them: on topic, never the article itself
    space = articles[0]
    ids = related_compute(space.pk, neighbours=False)
    assert space.pk not in ids
    on_topic = {a.pk for a in articles if a.body_text == SPACE}
    assert sum(i in on_topic for i in ids) >= len(ids) - 1
    # and an article going offline leaves its vector and topic behind
    Article.objects.filter(pk=space.pk).update(status=Article.Status.UNPUBLISHED)
    article_index(space.pk)
    assert not RelatedEmbedding.objects.filter(article_id=space.pk).exists()
    assert not RelatedPosting.objects.filter(article_id=space.pk).exists()


def test_too_few_articles_learn_nothing():
    out = StringIO()
    call_command("related_learn", "--no-progress", stdout=out)
    assert "太少" in out.getvalue()
    assert not RelatedModel.objects.exists()

from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zixun.articles.models import Article
from zixun.articles.selectors import article_list_for_creator
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.pagination import PageRequest
from zixun.core.testing import exactly
from zixun.creators.models import Creator
from zixun.creators.services import creator_get_or_create
from zixun.demo import scale
from zixun.demo.scale import (
    BATCH_INVALID,
    COUNT_INVALID,
    demo_scale_account,
    scale_prefix,
    scale_published_at,
)

pytestmark = pytest.mark.django_db

ACCOUNT = "金台资讯"


def _scale_articles(name=ACCOUNT):
    creator = Creator.objects.get(name=name)
    return Article.objects.filter(creator=creator, external_id__startswith=scale_prefix(creator))


def _external_ids(name=ACCOUNT):
    return list(_scale_articles(name).values_list("external_id", flat=True))


def test_creates_exactly_count_published_articles_and_the_account():
    progress = []
    added = demo_scale_account(name=ACCOUNT, count=25, batch=10, on_progress=progress.append)
    assert added == 25
    assert progress == [10, 10, 5]
    creator = Creator.objects.get(name=ACCOUNT)
    assert creator.account_type == Creator.AccountType.MEDIA
    assert creator.article_count == 25
    articles = _scale_articles()
    assert articles.count() == 25
    assert articles.filter(status=Article.Status.PUBLISHED, channel__slug="news").count() == 25
    assert sorted(_external_ids()) == sorted(f"scale-{creator.pk}-{n}" for n in range(25))


def test_rows_are_what_the_orm_would_write():
    demo_scale_account(name=ACCOUNT, count=3, batch=10)
    creator = Creator.objects.get(name=ACCOUNT)
    article = Article.objects.get(external_id=f"scale-{creator.pk}-2")
    assert article.title == "第3篇存档文章"
    assert article.published_at == scale_published_at(2)
    assert article.body_html.startswith("<p>")
    assert article.body_text
    assert article.tags == []
    assert article.is_original is False
    assert article.pinned_at is None
    assert article.view_count == 0
    assert article.created_at is not None
    assert article.updated_at is not None
    assert article.get_absolute_url() == f"/article/{article.pk}/"


def test_published_at_increases_with_n_so_pages_follow_the_archive_order():
    demo_scale_account(name=ACCOUNT, count=25, batch=10)
    creator = Creator.objects.get(name=ACCOUNT)
    first = article_list_for_creator(creator=creator, page=PageRequest(), size=10)
    last = article_list_for_creator(creator=creator, page=PageRequest(last=True), size=10)
    assert [a.title for a in first.items] == [f"第{n}篇存档文章" for n in range(25, 15, -1)]
    assert [a.title for a in last.items] == [f"第{n}篇存档文章" for n in range(10, 0, -1)]
    assert not last.has_next
    assert not first.has_previous


def test_rerun_adds_nothing():
    demo_scale_account(name=ACCOUNT, count=25, batch=10)
    assert demo_scale_account(name=ACCOUNT, count=25, batch=10) == 0
    assert _scale_articles().count() == 25
    assert Creator.objects.get(name=ACCOUNT).article_count == 25


def test_a_larger_count_adds_only_the_missing_articles():
    demo_scale_account(name=ACCOUNT, count=12, batch=10)
    assert demo_scale_account(name=ACCOUNT, count=25, batch=10) == 13
    ids = _external_ids()
    assert len(ids) == 25
    assert len(set(ids)) == 25
    assert Creator.objects.get(name=ACCOUNT).article_count == 25
    # A smaller count never removes articles.
    assert demo_scale_account(name=ACCOUNT, count=5, batch=10) == 0
    assert _scale_articles().count() == 25


def test_interrupted_run_keeps_committed_batches_and_a_rerun_completes(monkeypatch):
    write = scale._write
    calls = 0

    def interrupted(sql, rows):
        nonlocal calls
        calls += 1
        write(sql, rows)  # the rows are written, then Ctrl-C arrives before the commit
        if calls == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(scale, "_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        demo_scale_account(name=ACCOUNT, count=25, batch=10)
    assert _scale_articles().count() == 10  # the first batch only: the second rolled back
    assert Creator.objects.get(name=ACCOUNT).article_count == 10

    monkeypatch.setattr(scale, "_write", write)
    assert demo_scale_account(name=ACCOUNT, count=25, batch=10) == 15
    ids = _external_ids()
    assert len(ids) == 25
    assert not [i for i, seen in Counter(ids).items() if seen > 1]
    assert Creator.objects.get(name=ACCOUNT).article_count == 25


def test_a_gap_is_filled_without_reusing_an_external_id():
    demo_scale_account(name=ACCOUNT, count=25, batch=10)
    creator = Creator.objects.get(name=ACCOUNT)
    Article.objects.filter(external_id=f"scale-{creator.pk}-7").delete()
    assert demo_scale_account(name=ACCOUNT, count=25, batch=10) == 1
    ids = _external_ids()
    assert len(ids) == len(set(ids)) == 25
    assert f"scale-{creator.pk}-25" in ids


def test_an_existing_account_is_topped_up_to_count_published_articles():
    creator = creator_get_or_create(name=ACCOUNT, verification_label="人民网官方网易号")
    own = ArticleFactory(creator=creator, status=Article.Status.PUBLISHED)
    ArticleFactory(creator=creator, status=Article.Status.DRAFT)  # not counted
    assert demo_scale_account(name=ACCOUNT, count=5, batch=2) == 4
    creator.refresh_from_db()
    assert creator.verification_label == "人民网官方网易号"
    assert creator.article_count == 5
    assert _scale_articles().count() == 4
    assert Article.objects.filter(pk=own.pk).exists()
    assert demo_scale_account(name=ACCOUNT, count=5, batch=2) == 0


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError, match=exactly(COUNT_INVALID)):
        demo_scale_account(name=ACCOUNT, count=-1)
    with pytest.raises(ValueError, match=exactly(BATCH_INVALID)):
        demo_scale_account(name=ACCOUNT, count=1, batch=0)


def test_command_reports_and_is_idempotent(capsys):
    call_command(
        "demo_scale", "--account", "测试号", "--count", "7", "--batch", "3", "--no-progress"
    )
    assert "新增 7 篇" in capsys.readouterr().out
    call_command("demo_scale", "--account", "测试号", "--count", "7", "--no-progress")
    out = capsys.readouterr().out
    assert "新增 0 篇" in out
    assert "现有 7 篇" in out
    assert _scale_articles("测试号").count() == 7


def test_command_refuses_a_negative_count():
    with pytest.raises(CommandError):
        call_command("demo_scale", "--count", "-1", "--no-progress")

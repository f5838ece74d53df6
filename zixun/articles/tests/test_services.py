from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles import selectors
from zixun.articles.models import Article, PendingChange, Revision
from zixun.articles.services import checks, drafts, images, publishing, review
from zixun.articles.services.checks import ArticleError, ArticleInput
from zixun.articles.tests.factories import channel
from zixun.audit.models import AuditEntry
from zixun.core.errors import message_format
from zixun.core.testing import exactly

pytestmark = pytest.mark.django_db
Status = Article.Status


def good_input(**changes):
    data = {
        "title": "社区足球联赛开幕",
        "body_source": "## 开幕\n\n周六下午，联赛在体育公园开幕。",
        "channel_id": channel("sports").pk,
        "tags": ["足球", "社区"],
    }
    data.update(changes)
    return ArticleInput(**data)


@pytest.fixture
def member(writer):
    return writer


@pytest.fixture
def draft(creator, member):
    return drafts.article_create(creator=creator, by=member, data=good_input())


def actions(article):
    return list(
        AuditEntry.objects.filter(target_id=article.pk, target_type="articles.article")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_draft_is_rendered_and_sanitized(draft):
    assert draft.status == Status.DRAFT
    assert "<h2>开幕</h2>" in draft.body_html
    assert draft.body_text.startswith("开幕")
    assert draft.summary.startswith("开幕")
    assert actions(draft) == ["article.create"]


def test_untrusted_accounts_go_through_review(draft, member, django_capture_on_commit_callbacks):
    article = review.article_submit(article=draft, by=member)
    assert article.status == Status.PENDING
    editor = EditorFactory()
    with django_capture_on_commit_callbacks(execute=True):  # the follow-up task recounts
        article = review.article_approve(article=article, by=editor)
    assert article.status == Status.PUBLISHED
    assert article.published_at is not None
    assert article.revisions.count() == 1
    assert actions(article) == [
        "article.create",
        "article.submit",
        "article.approve",
        "article.publish",
    ]
    article.creator.refresh_from_db()
    assert article.creator.article_count == 1


def test_trusted_accounts_publish_directly(draft, member, creator):
    creator.is_trusted = True
    creator.save()
    article = review.article_submit(article=draft, by=member)
    assert article.status == Status.PUBLISHED


def test_rejection_needs_a_reason_and_the_author_sees_it(draft, member):
    review.article_submit(article=draft, by=member)
    editor = EditorFactory()
    with pytest.raises(ArticleError, match=exactly(checks.REASON_REQUIRED)):
        review.article_reject(article=draft, by=editor, reason="  ")
    article = review.article_reject(article=draft, by=editor, reason="标题与内容不符")
    assert article.status == Status.REJECTED
    assert article.reject_reason == "标题与内容不符"
    # The author edits and submits again.
    article = drafts.article_save_draft(article=article, by=member, data=good_input(title="新标题"))
    assert article.status == Status.DRAFT
    assert review.article_submit(article=article, by=member).status == Status.PENDING


@pytest.mark.parametrize(
    ("state", "call"),
    [
        (Status.PUBLISHED, lambda a, u, e: review.article_submit(article=a, by=u)),
        (Status.DRAFT, lambda a, u, e: review.article_approve(article=a, by=e)),
        (Status.DRAFT, lambda a, u, e: review.article_reject(article=a, by=e, reason="x")),
        (Status.DRAFT, lambda a, u, e: publishing.article_unpublish(article=a, by=u)),
        (Status.DRAFT, lambda a, u, e: drafts.article_revise(article=a, by=u, data=good_input())),
        (
            Status.PUBLISHED,
            lambda a, u, e: drafts.article_save_draft(article=a, by=u, data=good_input()),
        ),
        (Status.DRAFT, lambda a, u, e: publishing.article_restore(article=a, by=e)),
    ],
)
def test_impossible_transitions_are_refused_and_change_nothing(draft, member, state, call):
    Article.objects.filter(pk=draft.pk).update(
        status=state, published_at=timezone.now() if state == Status.PUBLISHED else None
    )
    draft.refresh_from_db()
    before = (draft.status, draft.title, draft.body_html)
    with pytest.raises(ArticleError, match="不能"):
        call(draft, member, EditorFactory())
    draft.refresh_from_db()
    assert (draft.status, draft.title, draft.body_html) == before


def test_creators_cannot_approve_their_own_articles(draft, member):
    review.article_submit(article=draft, by=member)
    with pytest.raises(PermissionDenied):
        review.article_approve(article=draft, by=member)


def test_another_creator_cannot_touch_a_draft(draft):
    stranger = UserFactory()
    for call in (
        lambda: drafts.article_save_draft(article=draft, by=stranger, data=good_input()),
        lambda: review.article_submit(article=draft, by=stranger),
        lambda: publishing.article_delete(article=draft, by=stranger),
    ):
        with pytest.raises(PermissionDenied):
            call()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "长" * 10_000}, message_format(checks.TITLE_TOO_LONG, limit=120)),
        ({"title": "   "}, checks.TITLE_REQUIRED),
        ({"body_source": "x" * 100_001}, "正文不能超过"),
        ({"body_source": "![](/media/a.png)"}, "替代文字"),
        (
            {"tags": ["标签"] * 3 + [f"t{i}" for i in range(11)]},
            message_format(checks.TOO_MANY_TAGS, count=10, limit=20),
        ),
        ({"channel_id": 10**9}, checks.CHANNEL_INVALID),
        ({"summary": "摘" * 201}, message_format(checks.SUMMARY_TOO_LONG, limit=200)),
    ],
)
def test_bad_input_gets_a_clear_message(draft, member, changes, message):
    review.article_submit(
        article=drafts.article_save_draft(article=draft, by=member, data=good_input()), by=member
    )
    editor = EditorFactory()
    article = review.article_approve(article=draft, by=editor)
    with pytest.raises(ArticleError) as error:
        drafts.article_revise(article=article, by=member, data=good_input(**changes))
    assert str(message) in str(error.value)


def test_a_failed_edit_keeps_the_published_text_and_every_revision(draft, member):
    draft.creator.is_trusted = True
    draft.creator.save()
    article = review.article_submit(article=draft, by=member)
    drafts.article_revise(
        article=article, by=member, data=good_input(title="第二版"), note="改标题"
    )
    with pytest.raises(ArticleError):
        drafts.article_revise(
            article=article, by=member, data=good_input(body_source="<script>" * 0)
        )
    article.refresh_from_db()
    assert article.title == "第二版"
    assert list(article.revisions.values_list("number", "title")) == [
        (2, "第二版"),
        (1, "社区足球联赛开幕"),
    ]
    assert article.revised_at is not None


def test_scripts_in_the_body_are_escaped(draft, member):
    data = good_input(
        body_source="<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>"
    )
    article = drafts.article_save_draft(article=draft, by=member, data=data)
    assert "<script" not in article.body_html
    assert 'href="javascript' not in article.body_html  # shown as text, never a link
    assert "<img" not in article.body_html  # raw HTML is text in Markdown


def test_a_schedule_in_the_past_or_too_far_is_refused(draft, member):
    with pytest.raises(ArticleError, match=exactly(review.SCHEDULE_IN_PAST, minutes=5)):
        review.article_submit(
            article=draft, by=member, scheduled_at=timezone.now() - timedelta(hours=1)
        )
    with pytest.raises(ArticleError, match=exactly(review.SCHEDULE_TOO_FAR, days=30)):
        review.article_submit(
            article=draft, by=member, scheduled_at=timezone.now() + timedelta(days=31)
        )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def _due(article):
    Article.objects.filter(pk=article.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))


def test_a_scheduled_article_is_published_exactly_once(draft, member):
    draft.creator.is_trusted = True
    draft.creator.save()
    article = review.article_submit(
        article=draft, by=member, scheduled_at=timezone.now() + timedelta(hours=1)
    )
    assert article.status == Status.SCHEDULED
    assert publishing.article_publish_due(article_id=article.pk) is False  # not due yet
    _due(article)
    results = [publishing.article_publish_due(article_id=article.pk) for _ in range(3)]
    results.append(publishing.articles_publish_due())
    assert results == [True, False, False, 0]
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert Revision.objects.filter(article=article).count() == 1
    assert actions(article).count("article.publish") == 1


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_worker_publishes_a_scheduled_article_once(
    draft, member, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.management import call_command

    # The worker recycles connections between tasks; in a test that would close
    # the test's own transaction (PostgreSQL).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    from django_tasks_db.models import DBTaskResult

    draft.creator.is_trusted = True
    draft.creator.save()
    when = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        article = review.article_submit(article=draft, by=member, scheduled_at=when)
    task = DBTaskResult.objects.get(task_path__endswith="article_publish_due_task")
    assert task.run_after == when
    # Time passes: the schedule comes due.
    _due(article)
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert actions(article).count("article.publish") == 1


def test_editing_a_scheduled_article_cancels_the_schedule(draft, member):
    draft.creator.is_trusted = True
    draft.creator.save()
    article = review.article_submit(
        article=draft, by=member, scheduled_at=timezone.now() + timedelta(hours=1)
    )
    article = drafts.article_save_draft(article=article, by=member, data=good_input(title="改"))
    assert (article.status, article.scheduled_at) == (Status.DRAFT, None)
    _due(article)  # the old task would find nothing to publish
    assert publishing.article_publish_due(article_id=article.pk) is False


def test_delete_is_soft_and_editors_restore(draft, member, django_capture_on_commit_callbacks):
    draft.creator.is_trusted = True
    draft.creator.save()
    article = review.article_submit(article=draft, by=member)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.article_delete(article=article, by=member)
    article.refresh_from_db()
    assert article.deleted_at is not None
    assert not Article.objects.filter(pk=article.pk, deleted_at__isnull=True).exists()
    article.creator.refresh_from_db()
    assert article.creator.article_count == 0
    with pytest.raises(PermissionDenied):
        publishing.article_restore(article=article, by=member)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.article_restore(article=article, by=EditorFactory())
    article.refresh_from_db()
    assert article.deleted_at is None
    assert article.status == Status.PUBLISHED
    article.creator.refresh_from_db()
    assert article.creator.article_count == 1


def test_an_editors_takedown_needs_a_reason(draft, member):
    draft.creator.is_trusted = True
    draft.creator.save()
    article = review.article_submit(article=draft, by=member)
    editor = EditorFactory()
    with pytest.raises(ArticleError):
        publishing.article_unpublish(article=article, by=editor)
    publishing.article_unpublish(article=article, by=editor, reason="违反社区规范")
    entry = AuditEntry.objects.get(action="article.takedown")
    assert (entry.actor_name, entry.reason, entry.to_state) == (
        editor.username,
        "违反社区规范",
        "taken_down",
    )


@pytest.fixture
def taken_down(draft, member):
    """A trusted account's published article that an editor took down."""
    draft.creator.is_trusted = True
    draft.creator.save()
    article = review.article_submit(article=draft, by=member)
    return publishing.article_unpublish(article=article, by=EditorFactory(), reason="不实信息")


def test_a_members_unpublish_is_not_a_takedown(draft, member):
    draft.creator.is_trusted = True
    draft.creator.save()
    article = review.article_submit(article=draft, by=member)
    article = publishing.article_unpublish(article=article, by=member)
    assert article.status == Status.UNPUBLISHED
    assert review.article_submit(article=article, by=member).status == Status.PUBLISHED


def test_a_trusted_account_cannot_resubmit_a_taken_down_article(taken_down, member):
    # given: an editor took down a trusted account's article
    assert (taken_down.status, taken_down.takedown_reason) == (Status.TAKEN_DOWN, "不实信息")
    # when / then: resubmitting it unchanged is refused, and it stays down
    with pytest.raises(ArticleError, match=exactly(checks.TAKEN_DOWN, reason="不实信息")):
        review.article_submit(article=taken_down, by=member)
    with pytest.raises(ArticleError, match=exactly(checks.TAKEN_DOWN, reason="不实信息")):
        review.article_save_and_submit(article=taken_down, by=member, data=good_input())
    taken_down.refresh_from_db()
    assert taken_down.status == Status.TAKEN_DOWN


def test_a_taken_down_article_cannot_be_edited_back_to_draft(taken_down, member):
    with pytest.raises(ArticleError, match=exactly(checks.TAKEN_DOWN, reason="不实信息")):
        drafts.article_save_draft(article=taken_down, by=member, data=good_input(title="换个标题"))
    with pytest.raises(ArticleError):
        drafts.article_revise(article=taken_down, by=member, data=good_input())
    with pytest.raises(ArticleError):
        publishing.article_unpublish(article=taken_down, by=member)
    taken_down.refresh_from_db()
    assert (taken_down.status, taken_down.title) == (Status.TAKEN_DOWN, "社区足球联赛开幕")


def test_deleting_and_restoring_keeps_a_takedown(taken_down, member):
    # given: the account deletes its taken-down article (allowed)
    publishing.article_delete(article=taken_down, by=member)
    # when: an editor restores it
    article = publishing.article_restore(article=taken_down, by=EditorFactory())
    # then: it comes back taken down, not live
    assert (article.status, article.deleted_at) == (Status.TAKEN_DOWN, None)
    with pytest.raises(ArticleError):
        review.article_submit(article=article, by=member)


def test_only_an_editor_lifts_a_takedown(taken_down, member):
    with pytest.raises(PermissionDenied):
        publishing.article_takedown_lift(article=taken_down, by=member)
    editor = EditorFactory()
    article = publishing.article_takedown_lift(article=taken_down, by=editor, reason="申诉成立")
    # back to unpublished, not live: the account edits and submits it again
    assert (article.status, article.takedown_reason) == (Status.UNPUBLISHED, "")
    entry = AuditEntry.objects.get(action="article.takedown_lift")
    assert (entry.actor_name, entry.from_state, entry.to_state, entry.reason) == (
        editor.username, "taken_down", "unpublished", "申诉成立",
    )  # fmt: skip
    with pytest.raises(ArticleError):
        publishing.article_takedown_lift(article=article, by=editor)  # nothing to lift
    article = review.article_save_and_submit(
        article=article, by=member, data=good_input(title="更正后的标题")
    )
    assert article.status == Status.PUBLISHED


def test_a_takedown_hides_every_earlier_revision_from_the_public_history(taken_down, member):
    # given: a takedown, a lift, and the corrected article published again
    publishing.article_takedown_lift(article=taken_down, by=EditorFactory())
    article = review.article_save_and_submit(
        article=taken_down, by=member, data=good_input(title="更正后的标题")
    )
    # then: the public history shows only the revision published after the takedown
    public = selectors.revision_list_public(article=article)
    assert [r.title for r in public] == ["更正后的标题"]
    every = selectors.revision_list(article=article)
    assert [(r.title, r.taken_down_at is not None) for r in every] == [
        ("更正后的标题", False),
        ("社区足球联赛开幕", True),
    ]


def test_a_suspended_account_cannot_submit_or_be_approved(draft, member, creator):
    pending = review.article_submit(article=draft, by=member)
    creator.is_suspended = True
    creator.save()
    refusal = exactly(checks.ACCOUNT_SUSPENDED, name=creator.name)
    with pytest.raises(ArticleError, match=refusal):
        review.article_approve(article=pending, by=EditorFactory())
    other = drafts.article_create(creator=creator, by=member, data=good_input())
    with pytest.raises(ArticleError, match=refusal):
        review.article_submit(article=other, by=member)
    creator.is_trusted = True  # a trusted account does not publish directly either
    creator.save()
    with pytest.raises(ArticleError, match=refusal):
        review.article_submit(article=other, by=member)
    assert Article.objects.filter(status=Status.PUBLISHED).count() == 0


def test_a_suspended_account_cannot_revise_a_published_article(draft, member, creator):
    creator.is_trusted = True
    creator.save()
    article = review.article_submit(article=draft, by=member)
    creator.is_suspended = True
    creator.save()
    with pytest.raises(ArticleError, match=exactly(checks.ACCOUNT_SUSPENDED, name=creator.name)):
        drafts.article_revise(article=article, by=member, data=good_input(title="偷换的内容"))
    assert article.revisions.count() == 1


def test_a_suspended_accounts_due_articles_wait(draft, member, creator):
    # given: a trusted account's scheduled article, and the account suspended before it is due
    creator.is_trusted = True
    creator.save()
    when = timezone.now() + timedelta(minutes=10)
    article = review.article_submit(article=draft, by=member, scheduled_at=when)
    Article.objects.filter(pk=article.pk).update(scheduled_at=timezone.now() - timedelta(minutes=1))
    creator.is_suspended = True
    creator.save()
    # when / then: the due publish skips it, and it stays scheduled
    assert publishing.article_publish_due(article_id=article.pk) is False
    assert publishing.articles_publish_due() == 0
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    # and once the suspension ends, the sweep publishes it
    creator.is_suspended = False
    creator.save()
    assert publishing.articles_publish_due() == 1


def test_an_untrusted_accounts_edit_goes_back_to_review(draft, member):
    review.article_submit(article=draft, by=member)
    article = review.article_approve(article=draft, by=EditorFactory())
    first_published = article.published_at
    article = drafts.article_revise(article=article, by=member, data=good_input(title="改过的标题"))
    assert article.status == Status.PENDING  # offline until an editor approves the edit
    article = review.article_approve(article=article, by=EditorFactory())
    assert article.status == Status.PUBLISHED
    assert article.published_at == first_published
    assert article.revised_at is not None
    assert list(article.revisions.values_list("title", flat=True)) == [
        "改过的标题",
        "社区足球联赛开幕",
    ]


def test_save_and_submit_is_one_transaction(draft, member):
    # given a scheduled article of a trusted account
    draft.creator.is_trusted = True
    draft.creator.save()
    when = timezone.now() + timedelta(days=1)
    review.article_submit(article=draft, by=member, scheduled_at=when)
    # when an edit is saved and submitted with an incomplete body
    with pytest.raises(ArticleError):
        review.article_save_and_submit(
            article=draft, by=member, data=good_input(body_source=""), scheduled_at=when
        )
    # then the article keeps its schedule and its text
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_at) == (Status.SCHEDULED, when)
    assert draft.body_source == good_input().body_source


def _photo(size=(1200, 800)):
    import io

    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", size, (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_cover_carries_its_renditions_survives_submission_and_can_be_removed(
    draft, member, creator
):
    # given an uploaded image chosen as the cover
    image = images.image_upload(creator=creator, by=member, data=_photo(), alt="江边的球场")
    article = drafts.article_save_draft(
        article=draft, by=member, data=good_input(cover_image_id=image.pk)
    )
    # then lists get a srcset of the stored renditions, narrowest first, with its size
    cover = Article.objects.get(pk=article.pk).cover
    assert cover is not None
    assert cover.src.endswith(image.renditions["320"].rsplit("/", 1)[-1])
    assert cover.srcset.count("w, ") == 2
    assert cover.srcset.endswith(" 1200w")
    assert (cover.width, cover.height, cover.alt) == (320, 213, "江边的球场")
    # when it is submitted (the saved draft is checked again), the cover stays
    article = review.article_submit(article=article, by=member)
    assert Article.objects.get(pk=article.pk).cover_image.name == image.file.name
    # when the author chooses no cover, it is gone, renditions and all
    article = drafts.article_save_draft(article=article, by=member, data=good_input())
    stored = Article.objects.get(pk=article.pk)
    assert (stored.cover, stored.cover_renditions, stored.cover_alt) == (None, {}, "")


def test_another_accounts_image_is_not_a_cover(draft, member, creator):
    from zixun.creators.tests.factories import CreatorFactory

    other = CreatorFactory()
    other.members.add(member)
    image = images.image_upload(creator=other, by=member, data=_photo(), alt="别家的图")
    with pytest.raises(ArticleError):
        drafts.article_save_draft(
            article=draft, by=member, data=good_input(cover_image_id=image.pk)
        )
    assert not Article.objects.get(pk=draft.pk).cover_image


def test_a_follow_up_lost_in_a_crash_is_run_by_the_minutely_sweep(draft, member):
    from django.core.management import call_command

    from zixun.core.search import SearchQuery, search_backend

    # given an article published, whose follow-up task never ran (the process died between
    # the commit and the enqueue: on_commit callbacks are not run here)
    draft.creator.is_trusted = True
    draft.creator.save()
    article = review.article_submit(article=draft, by=member)
    assert search_backend().dirty_ids(limit=10) == [article.pk]
    found = search_backend().query(SearchQuery(text="社区足球联赛"))
    assert article.pk not in [hit.article_id for hit in found.hits]
    # when the sweep runs before the follow-up is overdue, it leaves it to the queue
    assert publishing.article_followups_repair() == 0
    # and once it is overdue
    three_minutes_ago = timezone.now() - timedelta(minutes=3)
    Article.objects.filter(pk=article.pk).update(updated_at=three_minutes_ago)
    PendingChange.objects.filter(article_id=article.pk).update(created_at=three_minutes_ago)
    call_command("articles_publish_due", verbosity=0)
    # then the follow-up ran once (as the change it was): indexed, the marks cleared, the
    # account recounted
    assert search_backend().dirty_ids(limit=10) == []
    assert not PendingChange.objects.exists()
    found = search_backend().query(SearchQuery(text="社区足球联赛"))
    assert article.pk in [hit.article_id for hit in found.hits]
    article.creator.refresh_from_db()
    assert article.creator.article_count == 1
    assert publishing.article_followups_repair(older_than=timedelta(0)) == 0  # nothing left

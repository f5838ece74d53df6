"""The comment filter hook: ZIXUN_COMMENT_SCREEN names ``screen(text, *, user, article)``,
which answers "allow", "review" (held for an editor) or "block" (refused with a message).
The screens below are named by their dotted path, as a site would name its own."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import override

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.audit.models import AuditEntry
from zixun.core.testing import exactly
from zixun.engagement.models import Comment
from zixun.engagement.selectors import comment_list_pending
from zixun.engagement.services import (
    COMMENT_BLOCKED,
    EngagementError,
    comment_create,
    comment_edit,
    comment_review,
)
from zixun.moderation.screening import screen_allow_all, screen_comment

pytestmark = pytest.mark.django_db
HERE = __name__  # this module's dotted path
SEEN = []  # what screen_recording was asked


def screen_recording(text, *, user, article):
    SEEN.append((text, user, article))
    return "allow"


def screen_words(text, *, user, article):
    """A word list: 违禁 refuses the comment, 可疑 holds it for an editor."""
    if "违禁" in text:
        return "block"
    return "review" if "可疑" in text else "allow"


WORDS = override_settings(ZIXUN_COMMENT_SCREEN=f"{HERE}.screen_words")


@pytest.fixture
def reader():
    return UserFactory()


@pytest.fixture
def article():
    return ArticleFactory()


def comment_count(article):
    return Article.objects.get(pk=article.pk).comment_count


def test_the_default_screen_is_the_keyword_filter_which_without_lists_allows_all():
    assert import_string(settings.ZIXUN_COMMENT_SCREEN) is screen_comment
    for text in ["正常的跟贴", "违禁 可疑", ""]:
        assert screen_comment(text, user=None, article=None).action == "allow"
        assert screen_allow_all(text, user=None, article=None) == "allow"


def test_by_default_every_comment_is_shown_and_counted(reader, article):
    comment = comment_create(user=reader, article_id=article.pk, body="违禁 可疑 也照样显示")
    assert comment.status == Comment.Status.VISIBLE
    assert comment_count(article) == 1


@override_settings(ZIXUN_COMMENT_SCREEN=f"{HERE}.screen_recording")
def test_the_screen_is_asked_with_the_cleaned_text_the_author_and_the_article(reader, article):
    SEEN.clear()
    comment_create(user=reader, article_id=article.pk, body="  第一行   \n第二行  \n")
    assert len(SEEN) == 1
    text, user, screened = SEEN[0]
    assert text == "第一行\n第二行"
    assert user == reader
    assert screened.pk == article.pk


@WORDS
def test_review_holds_the_comment_until_an_editor_approves(reader, article):
    # when
    comment = comment_create(user=reader, article_id=article.pk, body="这条有点可疑")
    # then: held, not counted, in the editors' queue, with the reason in the audit log
    assert comment.status == Comment.Status.PENDING
    assert comment_count(article) == 0
    assert [c.pk for c in comment_list_pending()] == [comment.pk]
    hold = AuditEntry.objects.get(action="comment.hold", target_id=comment.pk)
    assert hold.reason == "review"
    # and: readers do not see it
    assert "这条有点可疑" not in Client().get(article.get_absolute_url()).content.decode()
    # when: an editor approves it
    comment_review(comment_id=comment.pk, by=EditorFactory(), approve=True)
    # then
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.VISIBLE
    assert comment_count(article) == 1
    assert [c.pk for c in comment_list_pending()] == []


@WORDS
def test_block_refuses_the_comment_in_the_readers_language(reader, article):
    with pytest.raises(EngagementError, match=exactly(COMMENT_BLOCKED)) as caught:
        comment_create(user=reader, article_id=article.pk, body="含违禁词的跟贴")
    assert not Comment.objects.exists()
    assert comment_count(article) == 0
    with override("en"):
        assert str(caught.value) == "The comment contains words that are not allowed"


@WORDS
def test_replies_are_screened_too(reader, article):
    parent = comment_create(user=reader, article_id=article.pk, body="正常的跟贴")
    with pytest.raises(EngagementError, match=exactly(COMMENT_BLOCKED)):
        comment_create(user=reader, article_id=article.pk, body="违禁回复", parent_id=parent.pk)
    held = comment_create(user=reader, article_id=article.pk, body="可疑回复", parent_id=parent.pk)
    assert held.status == Comment.Status.PENDING
    parent.refresh_from_db()
    assert parent.reply_count == 0
    assert comment_count(article) == 1


@WORDS
def test_an_edit_is_screened_again(reader, article):
    comment = comment_create(user=reader, article_id=article.pk, body="正常的跟贴")
    assert comment_count(article) == 1
    # a blocked edit changes nothing
    with pytest.raises(EngagementError, match=exactly(COMMENT_BLOCKED)):
        comment_edit(user=reader, comment_id=comment.pk, body="改成违禁内容")
    assert Comment.objects.get(pk=comment.pk).body == "正常的跟贴"
    assert comment_count(article) == 1
    # an edit that needs a look takes the comment off the page until an editor has looked
    comment_edit(user=reader, comment_id=comment.pk, body="改成可疑内容")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert comment_count(article) == 0


@WORDS
def test_the_comment_form_shows_the_screens_answer(client, reader, article):
    client.force_login(reader)
    url = reverse("web:comment-create", args=[article.pk])
    api = reverse("api:me-comment")  # what the form's script calls

    def send(body: str):
        data = {"article_id": article.pk, "body": body}
        return client.post(api, data, content_type="application/json")

    refused = send("违禁")
    assert refused.status_code == 400
    assert refused.json()["detail"] == str(COMMENT_BLOCKED)
    held = send("可疑")
    assert held.status_code == 201
    assert held.json()["held"] is True
    page = client.post(url, {"body": "可疑的第二条"}, follow=True).content.decode()
    assert "跟贴已提交，审核后显示" in page
    assert list(Comment.objects.values_list("body", "status").order_by("id")) == [
        ("可疑", Comment.Status.PENDING),
        ("可疑的第二条", Comment.Status.PENDING),
    ]

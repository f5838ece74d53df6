import pytest
from django.test import Client
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory
from zixun.articles.models import Article, Revision
from zixun.articles.services.counters import creator_articles_recount
from zixun.articles.tests.factories import ArticleFactory
from zixun.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = EditorFactory(is_staff=True, is_superuser=True)
    client.force_login(editor)
    return client


def change(editor_client, article, **fields):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = {"title": article.title, "status": article.status, **fields}
    return editor_client.post(url, data)


def test_a_save_in_the_admin_cannot_change_the_state(editor_client):
    # given a published article
    article = ArticleFactory()
    # when the admin form posts another status and title
    response = change(editor_client, article, status=Article.Status.UNPUBLISHED, title="改")
    # then nothing changed around the state machine
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.title) != (Article.Status.UNPUBLISHED, "改")
    assert article.status == Article.Status.PUBLISHED


def action(editor_client, name, *articles):
    url = reverse("admin:articles_article_changelist")
    data = {"action": name, "_selected_action": [a.pk for a in articles]}
    return editor_client.post(url, data)


def test_pinning_goes_through_the_service_with_an_audit_entry(editor_client):
    article = ArticleFactory()
    assert action(editor_client, "pin", article).status_code == 302
    article.refresh_from_db()
    assert article.pinned_at is not None
    assert AuditEntry.objects.filter(action="article.pin", target_id=article.pk).count() == 1
    action(editor_client, "unpin", article)
    article.refresh_from_db()
    assert article.pinned_at is None


def test_delete_in_the_admin_is_the_soft_delete_and_recounts(
    editor_client, django_capture_on_commit_callbacks
):
    # given an account with two published articles, one of them shown to readers
    article = ArticleFactory()
    ArticleFactory(creator=article.creator)
    creator_articles_recount()
    # when an editor deletes one with the admin action
    with django_capture_on_commit_callbacks(execute=True):
        action(editor_client, "soft_delete", article)
    # then it is kept for a restore, audited, hidden and the account recounted
    article.refresh_from_db()
    assert article.deleted_at is not None
    assert AuditEntry.objects.filter(action="article.delete", target_id=article.pk).exists()
    article.creator.refresh_from_db()
    assert article.creator.article_count == 1
    assert Client().get(article.get_absolute_url()).status_code == 404
    # and the restore action brings it back through the service
    action(editor_client, "restore", article)
    article.refresh_from_db()
    assert article.deleted_at is None
    assert Revision.objects.filter(article=article).count() == 0  # no publish happened


def test_the_admin_has_no_hard_delete(editor_client):
    article = ArticleFactory()
    url = reverse("admin:articles_article_delete", args=[article.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()

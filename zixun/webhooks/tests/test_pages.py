"""The studio's webhook pages (zixun/web/views/webhooks.py) through HTTP."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.core.safefetch import URL_PRIVATE
from zixun.core.testing import exactly  # noqa: F401 - the messages are compared as shown
from zixun.core.tests.receiver import Answer
from zixun.creators.tests.factories import CreatorFactory
from zixun.webhooks import services
from zixun.webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, writer):
    client.force_login(writer)
    return client


def create(client, creator, url, events=("article.published", "comment.created")):
    return client.post(
        reverse("webhooks:new") + f"?account={creator.pk}", {"url": url, "events": list(events)}
    )


def test_anonymous_readers_are_sent_to_sign_in(client):
    response = client.get(reverse("webhooks:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_studio_home_links_to_the_webhook_pages(member, creator):
    response = member.get(reverse("web:studio"))
    assert reverse("webhooks:list").encode() in response.content


def test_a_member_adds_a_hook_and_sees_its_secret_once(member, creator, receiver):
    response = member.get(reverse("webhooks:list"))
    assert response.status_code == 200
    assert f'href="{reverse("webhooks:new")}?account={creator.pk}"'.encode() in response.content
    form = member.get(reverse("webhooks:new") + f"?account={creator.pk}")
    assert b"csrfmiddlewaretoken" in form.content
    response = create(member, creator, receiver.url())
    webhook = Webhook.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:detail", args=[webhook.pk])
    assert webhook.events == ["article.published", "comment.created"]
    first = member.get(response["Location"])
    assert webhook.secret.encode() in first.content
    assert "no-store" in first["Cache-Control"]
    again = member.get(response["Location"])
    assert webhook.secret.encode() not in again.content
    assert webhook.secret_hint.encode() in again.content
    listing = member.get(reverse("webhooks:list"))
    assert receiver.url().encode() in listing.content
    assert webhook.secret.encode() not in listing.content


def test_a_private_address_is_refused_with_a_clear_message(member, creator, settings):
    settings.ZIXUN_WEBHOOK_ALLOWED_NETWORKS = []
    for url in ["http://127.0.0.1:8080/hook", "http://169.254.169.254/", "http://0x7f.1/"]:
        response = create(member, creator, url)
        assert response.status_code == 400
        assert str(URL_PRIVATE) in response.content.decode()
    response = create(member, creator, "ftp://example.com/", events=[])
    assert response.status_code == 400
    assert str(services.EVENTS_REQUIRED) in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_suspended_account_may_not_add_hooks(member, writer, receiver):
    suspended = CreatorFactory(is_suspended=True)
    suspended.members.add(writer)
    listing = member.get(reverse("webhooks:list"))
    assert f"?account={suspended.pk}".encode() not in listing.content
    response = create(member, suspended, receiver.url())
    assert response.status_code == 400
    assert not Webhook.objects.exists()


def test_edit_test_button_log_and_redeliver(
    member, make_hook, receiver, django_capture_on_commit_callbacks
):
    webhook, _ = make_hook(["article.published"])
    response = member.post(reverse("webhooks:edit", args=[webhook.pk]),
                           {"events": ["comment.created"]})  # fmt: skip
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.events, webhook.is_active) == (["comment.created"], False)
    receiver.answer(Answer(500, body=b"down"))
    with django_capture_on_commit_callbacks(execute=True):
        member.post(reverse("webhooks:test", args=[webhook.pk]))
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.GAVE_UP
    page = member.get(reverse("webhooks:detail", args=[webhook.pk])).content.decode()
    assert "webhook.test" in page
    assert "HTTP 500" in page
    assert str(delivery.event_id) in page
    redeliver = reverse("webhooks:redeliver", args=[webhook.pk, delivery.pk])
    assert redeliver in page
    with django_capture_on_commit_callbacks(execute=True):
        member.post(redeliver)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert [r.headers["X-Zixun-Event"] for r in receiver.requests] == ["webhook.test"] * 2


def test_the_test_button_is_rate_limited(member, make_hook):
    webhook, _ = make_hook(["article.published"])
    url = reverse("webhooks:test", args=[webhook.pk])
    statuses = [member.post(url).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert Delivery.objects.count() == 5


def test_the_delivery_log_is_keyset_paginated(member, make_hook, creator):
    webhook, _ = make_hook(["article.published"])
    Delivery.objects.bulk_create(
        Delivery(webhook=webhook, event="article.published", payload={"n": n},
                 status=Delivery.Status.DELIVERED)
        for n in range(25)
    )  # fmt: skip
    url = reverse("webhooks:detail", args=[webhook.pk])
    first = member.get(url).content.decode()
    assert first.count("&quot;n&quot;: ") == 20
    after = re.search(r'href="\?after=([\w-]+)"', first)
    assert after is not None
    second = member.get(url, {"after": after.group(1)}).content.decode()
    assert second.count("&quot;n&quot;: ") == 5
    assert member.get(url, {"after": "nonsense!"}).status_code == 400


def test_another_accounts_member_or_an_editor_gets_404_everywhere(client, make_hook, receiver):
    webhook, secret = make_hook(["article.published"])
    delivery = Delivery.objects.create(webhook=webhook, event="webhook.test", payload={},
                                       status=Delivery.Status.GAVE_UP)  # fmt: skip
    stranger = UserFactory()
    other = CreatorFactory()
    other.members.add(stranger)
    for user in [stranger, EditorFactory()]:
        client.force_login(user)
        assert client.get(reverse("webhooks:detail", args=[webhook.pk])).status_code == 404
        new = reverse("webhooks:new") + f"?account={webhook.creator_id}"
        assert client.get(new).status_code == 404
        assert (
            client.post(new, {"url": receiver.url(), "events": ["comment.created"]}).status_code
            == 404
        )
        for name, args in [("edit", [webhook.pk]), ("delete", [webhook.pk]), ("test", [webhook.pk]),
                           ("redeliver", [webhook.pk, delivery.pk])]:  # fmt: skip
            assert (
                client.post(reverse(f"webhooks:{name}", args=args), {"is_active": "1"}).status_code
                == 404
            )
        listing = client.get(reverse("webhooks:list")).content
        assert receiver.url().encode() not in listing
        assert secret.encode() not in listing
    webhook.refresh_from_db()
    assert webhook.is_active
    assert Delivery.objects.count() == 1
    assert receiver.requests == []
    # A member of the account cannot reach the delivery through another of its hooks either.
    assert (
        client.post(reverse("webhooks:redeliver", args=[webhook.pk + 1, delivery.pk])).status_code
        == 404
    )


def test_forms_need_the_csrf_token(writer, make_hook):
    webhook, _ = make_hook(["article.published"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    for name in ["edit", "delete", "test"]:
        assert client.post(reverse(f"webhooks:{name}", args=[webhook.pk])).status_code == 403
    assert Webhook.objects.filter(pk=webhook.pk, is_active=True).exists()


def test_delete_removes_the_hook(member, make_hook):
    webhook, _ = make_hook(["article.published"])
    response = member.post(reverse("webhooks:delete", args=[webhook.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:list")
    assert not Webhook.objects.exists()

"""Steps that the journeys share: what a person does or reads, at the HTTP level."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse


def article_ids(html: str) -> list[int]:
    """The ids of the articles in a page's keyset-paginated list, in the order shown."""
    match = re.search(r'<ul class="article-list">(.*?)</ul>', html, re.S)
    assert match, "the page has no article list"
    return [int(pk) for pk in re.findall(r'<h3><a href="/article/(\d+)/">', match.group(1))]


def confirm_link(email: str) -> str:
    """The path of the confirmation link in the one mail sent to ``email``."""
    messages = [m for m in mail.outbox if email in m.to]
    assert len(messages) == 1, [m.subject for m in mail.outbox]
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", str(messages[0].body))
    assert match, messages[0].body
    return match.group(1)


def page_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def signed_in(client: Client, *, email: str, password: str) -> Client:
    """Sign in through the allauth form, as a person types it."""
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(reverse("me:home")).status_code == 200
    return client

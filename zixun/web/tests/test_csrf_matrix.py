"""CSRF on every state change, for every view of the URL configuration (docs/security.md,
"Headers and settings").

A signed-in browser that holds its CSRF cookie but sends no token (what a forged
cross-site form or fetch looks like) is refused on every POST, PUT, PATCH and DELETE:

- a page view by Django's CSRF middleware, or, for the views that anonymous readers of
  cached pages may post to (like, favourite, share, read, follow, 跟贴), by the same check
  once the reader is signed in (``csrf_when_signed_in``);
- an API operation that takes the session by its own check (403 ``csrf_failed``); one
  that takes only a token answers a session 401. A request with a token carries no
  ambient credential and needs no CSRF token (docs/api.md).
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from ninja.operation import PathView

from zixun.api.auth import SessionAuth
from zixun.api.tokens import token_create_personal
from zixun.articles.tests.factories import ArticleFactory
from zixun.web.tests.routes import Route, routes

pytestmark = pytest.mark.django_db

REFUSED = "refused by the CSRF check (test marker)"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# A valid body for the operations that check the session inside the view, after ninja has
# parsed the body (the others check it in ``auth``, before): with a body ninja refuses (422),
# the check would not be reached and the test would prove nothing.
PAYLOADS = {"article-share": {"channel": "link"}}


def csrf_refused(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW for these tests: marks a refusal as the CSRF check's own."""
    return HttpResponseForbidden(REFUSED)


def path_view(route: Route) -> PathView | None:
    """The django-ninja PathView behind an API route (its operations and their methods)."""
    view = inspect.unwrap(route.callback)
    cells = getattr(view, "__closure__", None) or ()
    return next((c.cell_contents for c in cells if isinstance(c.cell_contents, PathView)), None)


@pytest.fixture
def browser(settings, writer, creator) -> Client:
    """A signed-in member of an account, with the CSRF cookie a page of the site gave it."""
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_refused"
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    assert client.get("/accounts/password/change/").status_code == 200
    assert settings.CSRF_COOKIE_NAME in client.cookies
    return client


def send(
    client: Client, method: str, url: str, payload: dict[str, Any] | None = None, **extra: Any
) -> HttpResponse:
    body = json.dumps(payload or {}) if url.startswith("/api/") else ""
    content_type = (
        "application/json" if url.startswith("/api/") else "application/x-www-form-urlencoded"
    )
    return client.generic(method, url, body, content_type=content_type, **extra)  # type: ignore[return-value]


def problem_code(response: HttpResponse) -> str:
    try:
        return str(json.loads(response.content).get("code", ""))
    except ValueError:
        return ""


def test_every_unsafe_request_without_the_token_is_refused(browser):
    pages, operations, unexpected = 0, 0, []
    for route in routes():
        url = route.path()
        assert url is not None
        api = path_view(route)
        if api is None:
            # a page: every unsafe method is refused by the CSRF check (a view exempt from
            # the middleware checks it itself once signed in, or does not take the method)
            exempt = getattr(route.callback, "csrf_exempt", False)
            for method in UNSAFE:
                response = send(browser, method, url)
                refused = response.content.decode(errors="replace") == REFUSED
                if not (refused or (exempt and response.status_code == 405)):
                    unexpected.append((method, url, response.status_code))
                pages += refused
            continue
        for operation in api.operations:
            takes_session = operation.auth_callbacks == [] or any(
                isinstance(auth, SessionAuth) for auth in operation.auth_callbacks
            )
            for method in set(operation.methods) & set(UNSAFE):
                response = send(browser, method, url, PAYLOADS.get(api.url_name or ""))
                if response.status_code == 415:  # an upload: a form, not JSON
                    body = encode_multipart(BOUNDARY, {})
                    response = browser.generic(method, url, body, content_type=MULTIPART_CONTENT)
                expected = (403, "csrf_failed") if takes_session else (401, "unauthorized")
                if (response.status_code, problem_code(response)) != expected:
                    unexpected.append((method, url, response.status_code, expected))
                operations += 1
    assert unexpected == [], unexpected
    assert pages > 500  # every route × 4 methods, the admin's included
    assert operations >= 18  # the API's writes (docs/api.md): articles, images, likes …


def test_the_token_makes_the_same_requests_pass(browser, creator):
    """The control: the refusals above are the missing token's, nothing else's."""
    article = ArticleFactory(creator=creator)
    token = browser.cookies["csrftoken"].value
    like = send(browser, "POST", f"/article/{article.id}/like/", HTTP_X_CSRFTOKEN=token)
    assert like.status_code in {200, 302}
    assert like.content.decode(errors="replace") != REFUSED
    api = send(browser, "PUT", f"/api/v1/me/favorites/{article.id}", HTTP_X_CSRFTOKEN=token)
    assert api.status_code in {200, 201, 204}, api.content


def test_an_api_token_needs_no_csrf_token(writer, creator):
    """By design: a token is not sent by the browser on its own, so it cannot be forged."""
    article = ArticleFactory(creator=creator)
    secret = token_create_personal(
        user=writer, name="脚本", scopes=["articles:like"], expires_at=None
    ).secret
    client = Client(enforce_csrf_checks=True)
    response = send(
        client, "PUT", f"/api/v1/me/likes/{article.id}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code in {200, 201, 204}, response.content


def test_an_anonymous_post_to_a_cached_pages_form_goes_to_sign_in(creator):
    """The one exemption of the pages: no session, nothing to forge (ADR 0008)."""
    article = ArticleFactory(creator=creator)
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/article/{article.id}/like/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

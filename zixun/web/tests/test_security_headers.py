"""Headers, cookies, production settings and error pages (docs/security.md, "Headers and
settings").

The production settings are the documented ones: deploy/systemd/zixun.env, with HSTS on as
step 8 of docs/deploy.md says. ``manage.py check --deploy`` runs on them in a subprocess, and
the security settings it loads there are applied here before every page of the URL
configuration is requested.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from http.cookies import Morsel
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import DatabaseError
from django.test import Client
from django.urls import path

from config import urls as site_urls
from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.api.tokens import token_create_personal
from zixun.articles.tests.factories import ArticleFactory
from zixun.engagement.services import comment_create
from zixun.moderation.services import report_file
from zixun.web.tests.routes import Route, routes

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTED_ENV = ROOT / "deploy" / "systemd" / "zixun.env"
HTTPS = {"secure": True, "HTTP_X_FORWARDED_PROTO": "https"}
# The settings the production environment decides, read in the subprocess.
SECURITY_SETTINGS = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "PASSWORD_HASHERS",
]
# django-rq's dashboard reads the Redis of RQ_QUEUES (db 0 by default, another site's in a
# test run) and answers a queue index it does not have with a 500: its own pages, behind the
# same middleware as the rest.
SKIPPED_ROUTES = ("admin:django_rq",)
# Secret values a page must never show.
LEAKS = [
    "Traceback",
    'File "',
    "site-packages",
    "SECRET_KEY",
    "DATABASES",
    "DEBUG",
    "SELECT ",
    "django.",
    "zixun.",
]


def documented_environment(var_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of deploy/systemd/zixun.env, this run's database and Redis, and a
    fresh ZIXUN_VAR_DIR (the secret key is generated there, as the file leaves it empty)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZIXUN_", "DJANGO_"))}
    for line in DOCUMENTED_ENV.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and not name.startswith("#"):
            env[name] = value.strip().strip('"')
    for name in ("DATABASE_URL", "REDIS_URL"):  # never the file's example servers
        env.pop(name)
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        ZIXUN_VAR_DIR=str(var_dir),
        ZIXUN_HSTS_SECONDS="31536000",  # docs/deploy.md step 8, once HTTPS works
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The security settings as production loads them."""
    env = documented_environment(tmp_path_factory.mktemp("var"))
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {SECURITY_SETTINGS!r}}}))"
    )
    done = manage(env, "shell", "-c", script)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture
def production_settings(settings, production):
    for name, value in production.items():
        if name not in {"DEBUG", "PASSWORD_HASHERS"}:  # tests keep their fast hasher
            setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    return settings


def test_check_deploy_reports_nothing_with_the_documented_production_settings(tmp_path):
    done = manage(documented_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_check_deploy_names_hsts_until_it_is_turned_on(tmp_path):
    """Before step 8 (HTTPS checked, then HSTS), the one warning is HSTS's."""
    env = documented_environment(tmp_path, ZIXUN_HSTS_SECONDS="0")
    done = manage(env, "check", "--deploy")
    assert re.findall(r"\(security\.\w+\)", done.stdout + done.stderr) == ["(security.W004)"]


def test_production_turns_on_https_cookies_and_argon2(production):
    assert production["DEBUG"] is False
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert production[f"{cookie}_COOKIE_SECURE"] is True, cookie
        assert production[f"{cookie}_COOKIE_HTTPONLY"] is True, cookie
        assert production[f"{cookie}_COOKIE_SAMESITE"] == "Lax", cookie
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")


# --- Every page -------------------------------------------------------------------------


@pytest.fixture
def demo(db, writer, creator):
    """One object of each kind the routes name, and who may see them: the argument values."""
    editor = EditorFactory(is_staff=True, is_superuser=True)
    creator.members.add(editor)
    article = ArticleFactory(creator=creator)
    reader = UserFactory()
    comment = comment_create(user=reader, article_id=article.id, body="写得很清楚，谢谢作者。")
    report_file(reporter=reader, target_type="article", target_id=article.id, reason="spam")
    token = token_create_personal(
        user=editor, name="测试", scopes=["articles:like"], expires_at=None
    ).token
    values = {
        "article_id": article.id,
        "account_id": creator.id,
        "creator_id": creator.id,
        "slug": article.channel.slug,
        "comment_id": comment.id,
        "token_id": token.id,
        "case_id": 1,
        "kind": "article",
        "target_id": article.id,
        "mode": "care",
        "state": "on",
        "code": "en",
        "shard": 1,
    }
    return {"editor": editor, "reader": reader, "values": values}


def page_paths(values: dict[str, object]) -> list[tuple[Route, str]]:
    """Every route as a path: with the demo objects where it names them, else placeholders
    (a 404 page is a page too). Language and mode switches come last: they change the
    language and layout of every page after them."""
    found = []
    for route in routes():
        if route.name.startswith(SKIPPED_ROUTES):
            continue
        url = route.path(values) or route.path()
        assert url is not None
        found.append((route, url))
    return sorted(found, key=lambda item: item[0].name.startswith(("web:mode", "web:language")))


def assert_secure_headers(response, url: str) -> None:
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    ), url
    if not headers.get("Content-Type", "").startswith("text/html"):
        return
    policy = dict(
        [*part.strip().split(" ", 1), ""][:2]
        for part in headers.get("Content-Security-Policy", "").split(";")
        if part.strip()
    )
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts, url
    assert "'unsafe-inline'" not in scripts, url
    assert "'unsafe-eval'" not in scripts, url
    assert policy.get("frame-ancestors") == "'none'", url
    assert policy.get("object-src") == "'none'", url
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", url
    assert headers.get("X-Frame-Options") == "DENY", url
    permissions = headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions, url


def assert_cookie_flags(morsel: Morsel[str], url: str) -> None:
    if morsel["max-age"] == 0 or not morsel.value:
        return  # a deletion
    assert morsel["secure"], (morsel.key, url)
    assert morsel["httponly"], (morsel.key, url)
    assert morsel["samesite"] == "Lax", (morsel.key, url)


def test_every_page_sends_the_security_headers_and_secure_cookies(production_settings, demo):
    # given the production settings, an anonymous reader and a signed-in editor (who is
    # also an admin and a member of the demo account), each with their own browser
    visitors = {
        "anonymous": Client(raise_request_exception=False),
        "editor": Client(raise_request_exception=False),
    }
    visitors["editor"].force_login(demo["editor"])
    seen_html, cookies, errors = 0, set(), []
    for who, client in visitors.items():
        for route, url in page_paths(demo["values"]):
            # when each of them opens every page of the URL configuration over HTTPS
            response = client.get(url, **HTTPS)
            # then every response has the headers, and every cookie is Secure and HttpOnly
            assert_secure_headers(response, f"{who} {url}")
            for morsel in response.cookies.values():
                assert_cookie_flags(morsel, f"{who} {url}")
                cookies.add(morsel.key)
            seen_html += response.get("Content-Type", "").startswith("text/html")
            if response.status_code >= 500:
                errors.append((who, route.name or route.route, response.status_code))
    assert errors == [], errors
    assert seen_html > 150
    # the language and the mode switches set their cookies during the walk
    assert {django_settings.LANGUAGE_COOKIE_NAME, "zixun_care"} <= cookies


def test_sign_in_sets_secure_http_only_same_site_cookies(production_settings, db):
    user = UserFactory()
    client = Client()
    page = client.get("/accounts/login/", **HTTPS)
    assert_cookie_flags(page.cookies[django_settings.CSRF_COOKIE_NAME], "login page")
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": "correct horse battery"}, **HTTPS
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert_cookie_flags(session, "sign-in")
    for morsel in response.cookies.values():  # the message cookie ("signed in") too
        assert_cookie_flags(morsel, "sign-in")


def test_plain_http_is_redirected_to_https_except_the_health_check(production_settings, db):
    client = Client()
    response = client.get("/hot/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/hot/"
    assert client.get("/healthz").status_code == 200
    assert client.get("/robots.txt").status_code == 200


def test_no_hsts_without_https(client, db):
    response = client.get("/")
    assert "Strict-Transport-Security" not in response
    assert response["Permissions-Policy"] == django_settings.ZIXUN_PERMISSIONS_POLICY


# --- Error pages -------------------------------------------------------------------------

SECRET_MESSAGE = 'SELECT "password" FROM "accounts_user" /srv/zixun/app/zixun/secret.py'


def boom(request):
    raise DatabaseError(SECRET_MESSAGE + django_settings.SECRET_KEY)


def forbidden(request):
    raise PermissionDenied(SECRET_MESSAGE)


def suspicious(request):
    raise SuspiciousOperation(SECRET_MESSAGE)


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    *site_urls.urlpatterns,
]


def assert_no_leak(response, what: str) -> None:
    body = response.content.decode()
    for leak in [*LEAKS, SECRET_MESSAGE, str(ROOT), django_settings.SECRET_KEY]:
        assert leak not in body, (what, leak)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_error_pages_show_no_stack_path_setting_or_sql(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(UserFactory())
    csrf_checked = Client(enforce_csrf_checks=True)
    answers = {
        "500 from a view that raises": (client.get("/test-errors/boom/"), 500),
        "403 PermissionDenied": (client.get("/test-errors/forbidden/"), 403),
        "400 SuspiciousOperation": (client.get("/test-errors/suspicious/"), 400),
        "400 unknown host": (client.get("/", HTTP_HOST="evil.example"), 400),
        "404": (client.get("/no-such-page/"), 404),
        "404 of an article": (client.get("/article/999999999/"), 404),
        "403 the admin to a reader": (signed_in.get("/admin/login/"), 403),
        "405": (client.post("/lang/en/"), 405),
        "403 CSRF": (csrf_checked.post("/accounts/login/", {"login": "a@b.cn"}), 403),
        "API 404": (client.get("/api/v1/articles/999999999"), 404),
        "API 405": (client.delete("/api/v1/hot"), 405),
    }
    for what, (response, status) in answers.items():
        assert response.status_code == status, what
        assert_no_leak(response, what)
        assert response["X-Content-Type-Options"] == "nosniff", what
        assert "frame-ancestors 'none'" in response.get("Content-Security-Policy", ""), what
        assert "camera=()" in response.get("Permissions-Policy", ""), what
    assert "页面已过期" in answers["403 CSRF"][0].content.decode()

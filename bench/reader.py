"""The signed-in reader: a user in the bench database and a session cookie for wrk.

A ``manage.py shell`` snippet creates a plain reader (no follows, likes or
favourites) and signs them in through Django's test client (``force_login``,
the real login path: a database session like a browser's). The bench then sends
that session cookie with every request to the article page: no page cache, the
session and the user loaded, the page rendered for that reader.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from http.cookies import SimpleCookie
from pathlib import Path

from bench.database import run_snippet
from bench.errors import BenchError
from bench.server import Server

USERNAME = "bench-reader"
_TAG = "reader-json"

# Runs in `manage.py shell -c` with PARAMS prepended; prints one `reader-json {...}` line.
_SNIPPET = """\
import json
from django.conf import settings
from django.test import Client
from zixun.accounts.models import User

user, _ = User.objects.get_or_create(
    username=PARAMS["username"], defaults={"email": f"{PARAMS['username']}@example.com"}
)
user.set_unusable_password()
user.save()
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(user)
result = {
    "user_id": user.pk,
    "cookie": settings.SESSION_COOKIE_NAME,
    "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    "csrf_cookie": settings.CSRF_COOKIE_NAME,
}
print("reader-json", json.dumps(result))
"""


@dataclass(frozen=True)
class Reader:
    username: str
    user_id: int
    cookie_name: str  # settings.SESSION_COOKIE_NAME
    session_key: str
    csrf_cookie_name: str  # settings.CSRF_COOKIE_NAME
    csrf_token: str = ""  # the CSRF cookie the site set on the first page, once known

    @property
    def headers(self) -> dict[str, str]:
        """What a signed-in browser sends: the session cookie, and the CSRF cookie once set."""
        cookies = [f"{self.cookie_name}={self.session_key}"]
        if self.csrf_token:
            cookies.append(f"{self.csrf_cookie_name}={self.csrf_token}")
        return {"Cookie": "; ".join(cookies)}


def create_reader(*, root: Path, env: dict[str, str]) -> Reader:
    """Create the reader in the bench database and sign them in; returns the cookie."""
    print(f"[bench] signing in a reader ({USERNAME}) …", flush=True)
    data = run_snippet(
        root=root, env=env, snippet=_SNIPPET, params={"username": USERNAME}, tag=_TAG,
        label="signing in the reader",
    )  # fmt: skip
    return Reader(
        username=USERNAME,
        user_id=int(data["user_id"]),
        cookie_name=str(data["cookie"]),
        session_key=str(data["session"]),
        csrf_cookie_name=str(data["csrf_cookie"]),
    )


def check_signed_in(server: Server, path: str, reader: Reader) -> tuple[Reader, int]:
    """GET the page with the session cookie: it must be 200 and rendered for the reader.

    Returns the reader with the CSRF cookie the site set (a browser sends it back on
    every later request, so the measured requests do too) and the body length.
    """
    response = server.get_ok_response(path, reader.headers)
    marker = f'class="user-name">{reader.username}<'.encode()
    if marker not in response.body:
        raise BenchError(
            f"GET {path} with the session cookie is not signed in (no {marker.decode()!r}): "
            "is the session cookie name or the session engine different?"
        )
    csrf = ""
    for header in response.header_values("Set-Cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        if reader.csrf_cookie_name in cookie:
            csrf = cookie[reader.csrf_cookie_name].value
    if csrf:
        reader = replace(reader, csrf_token=csrf)
    again = server.get_ok(path, reader.headers)
    print(
        f"[bench] signed-in page: {len(again)} bytes for {reader.username}"
        f"{' (with the CSRF cookie the site set)' if csrf else ''}",
        flush=True,
    )
    return reader, len(again)

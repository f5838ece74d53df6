"""The authorization matrix (docs/security.md, Authorization matrix; issue #16 item 2).

Every URL of the site (walked from the URL configuration) and every API operation (from the
API's OpenAPI schema) × role × object state × method, against the rules of authz_table.py:

- an allowed role gets the route's answer (200 for a GET unless the table says otherwise; for
  a write, no refusal: not 401, 403, 404, 405 nor a sign-in redirect, and no 5xx);
- a refused role gets a refusal (a sign-in redirect, 401, 403, 404, 405 or the 410 notice of a
  taken-down article) for a GET, and for any other method nothing changes in the database
  (every table compared before and after) and no 2xx;
- no answer, allowed or not, carries a marker of an object the role may not see (each private
  title, body, reason, comment, application, token name, webhook address and e-mail
  carries a unique marker);
- the suspended account's member never brings one of its articles live, comments or adds a
  webhook, whatever they send.

The fixtures are built once per module through the services (the articles' state machine);
every case runs in a savepoint that is rolled back, with the caches emptied, so that cases do
not see each other's writes.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import io
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image as PILImage

from tests.security.authz_table import ADMIN, API, KNOWN_HOLES, WEB
from zixun.web.sitemaps import ACCOUNT_SHARD, ARTICLE_SHARD

ARTICLE_STATES = (
    "draft", "scheduled", "pending", "rejected", "published", "unpublished", "taken_down",
    "deleted",
)  # fmt: skip
# A reader's comment: visible on an article in each state it can have comments in (it was
# published once), and in each of its own states on the published article.
COMMENT_STATES = (
    "published", "unpublished", "taken_down", "deleted",
    "comment_pending", "comment_hidden", "comment_rejected", "comment_deleted",
)  # fmt: skip
NO_STATE = "-"
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
REFUSED_GET = {401, 403, 404, 405, 410}
WRITE_REFUSALS = {401, 403, 404, 405}
# Columns a refused request may touch: the sign-in time and a token's last use.
IGNORED_COLUMNS = {"last_login", "last_used_at"}
# Sessions change on any request; the rest never change while the site runs.
IGNORED_TABLES = {"django_session", "django_migrations", "django_content_type", "auth_permission",
                  # contentless FTS5: cannot be scanned; its shadow tables (…_data, …_idx) are
                  "search_fts_title"}  # fmt: skip

# The database is set up for the module (the world fixture); each test then runs in its own
# transaction inside the module's, rolled back at its end.
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Role:
    name: str
    user: str | None = None  # the World.users key of the user it acts as
    active: bool = True
    accounts: frozenset[str] = frozenset()  # the accounts (A, B, S) it is a member of
    editor: bool = False
    staff: bool = False
    author: bool = False  # the reader: author of the comments, applicant, token owner
    token: str | None = None  # "account" or "personal": a Bearer token instead of a session
    token_account: str | None = None
    token_live: bool = False
    subject: str = "A"  # whose articles and account the role is tested on
    sees_as: str = ""  # the role whose private markers it may see ("" for none)


SESSION_ROLES = (
    Role("anonymous", active=False),
    Role("reader", "reader", author=True, sees_as="reader"),
    Role("member_a", "member_a", accounts=frozenset("A"), sees_as="member_a"),
    Role("member_b", "member_b", accounts=frozenset("B"), sees_as="member_b"),
    Role("editor", "editor", editor=True, sees_as="editor"),
    Role("admin", "admin", editor=True, staff=True, sees_as="admin"),
    # A member of the suspended account S, tested on S's own articles.
    Role("suspended", "suspended", accounts=frozenset("S"), subject="S", sees_as="suspended"),
    # A member of A whose user was deactivated (is_active False), with a session.
    Role("deactivated", "deactivated", active=False),
)
TOKEN_ROLES = (
    Role("token_a", "member_a", token="account", token_account="A", token_live=True,
         accounts=frozenset("A"), sees_as="member_a"),
    Role("token_b", "member_b", token="account", token_account="B", token_live=True,
         accounts=frozenset("B"), sees_as="member_b"),
    Role("token_reader", "reader", token="personal", token_live=True, author=True,
         sees_as="reader"),
    Role("token_suspended", "suspended", token="account", token_account="S", subject="S"),
    Role("token_deactivated", "deactivated", token="personal"),
)  # fmt: skip
ROLES = {role.name: role for role in SESSION_ROLES + TOKEN_ROLES}


# Rules ----------------------------------------------------------------------------------------


def _published(state: str) -> bool:
    return state in (NO_STATE, "published")


def allowed(rule: str, role: Role, state: str, owner: str) -> bool:
    """Whether ``role`` may use a route of ``rule`` on an object in ``state`` of account
    ``owner`` (see the rules in authz_table.py)."""
    session = role.token is None and role.active
    member = session and owner in role.accounts
    editor = session and role.editor
    live_account_token = role.token == "account" and role.token_live
    personal = role.token == "personal" and role.token_live
    own_token = live_account_token and role.token_account == owner
    not_deleted = state != "deleted"
    rules = {
        "public": True,
        "published": _published(state),
        "public_or_member": _published(state) or (member and not_deleted) or editor,
        "signed_in": session,
        "signed_in_published": session and _published(state),
        "member": (member and not_deleted) or editor,
        "member_or_editor": member or editor,
        "member_only": member,
        "any_creator": session and (bool(role.accounts) or role.editor),
        "editor": editor,
        "staff": session and role.staff,
        "applicant_or_editor": session and (role.author or role.editor),
        "author": session and role.author and state != "comment_deleted",
        "appellant": member,
        "published_optional_auth": _published(state) and (role.token is None or role.token_live),
        "api_signed_in": session or live_account_token or personal,
        "api_creator_list": session or live_account_token,
        "api_creator_account": member or editor or own_token,
        "api_creator_article": (member and not_deleted) or editor or (own_token and not_deleted),
        "api_reader": session or personal,
        "api_reader_published": (session or personal) and _published(state),
        "api_author": (session or personal) and role.author and state != "comment_deleted",
    }
    return rules[rule]


# Routes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the table's name for it
    pattern: str  # the URL pattern, for reverse() or as a path
    kwarg_names: tuple[str, ...]
    spec: dict[str, Any]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
            continue
        assert isinstance(pattern, URLPattern)
        route = prefix + str(pattern.pattern)
        key = f"{namespace}{pattern.name}" if pattern.name else f"/{route}"
        converters = getattr(pattern.pattern, "converters", {}) or {}
        names = tuple(converters) or tuple(pattern.pattern.regex.groupindex)
        yield Route(key, route, names, {})


def url_routes() -> dict[str, Route]:
    """Every URL pattern the site serves, by table key; the API's operations are in
    api_operations (their patterns are one per path)."""
    found: dict[str, Route] = {}
    for route in _walk(get_resolver()):
        if route.key.startswith("api:") and route.key not in WEB:
            continue
        found.setdefault(route.key, route)
    return found


def api_operations() -> set[str]:
    from zixun.api.main import api

    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }


def _is_admin(key: str) -> bool:
    return key.startswith(("admin:", "/admin/")) and key != "/admin/login/"


def test_every_route_and_operation_is_in_the_table() -> None:
    """A new view, URL or API operation fails here until authz_table.py classifies it."""
    routes = url_routes()
    unclassified = sorted(k for k in routes if k not in WEB and not _is_admin(k))
    operations = api_operations()
    assert not unclassified, f"URLs missing from tests/security/authz_table.py: {unclassified}"
    missing = sorted(operations - set(API))
    assert not missing, f"API operations missing from authz_table.API: {missing}"
    stale = sorted(set(API) - operations)
    assert not stale, f"authz_table.API names operations that no longer exist: {stale}"
    optional = {"/^media/(?P<path>.*)$", "bench-bare", "bench-render"}
    gone = sorted(set(WEB) - set(routes) - optional)
    assert not gone, f"authz_table.WEB names URLs that no longer exist: {gone}"


# The fixtures -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    accounts: dict[str, Any] = field(default_factory=dict)
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    # marker -> the roles that may see it (None: everyone)
    markers: dict[str, frozenset[str] | None] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    channel_id: int = 0

    def mark(self, *roles: str) -> str:
        marker = f"mk{secrets.token_hex(5)}"
        self.markers[marker] = frozenset({*roles, "admin"}) if roles else None
        return marker

    def forbidden(self, role: Role) -> list[str]:
        return [m for m, who in self.markers.items() if who is not None and role.sees_as not in who]


def png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (32, 32), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _article(world: World, account: str, member: str, state: str) -> Any:
    """An article of ``account`` put in ``state`` through the services, as a member and an
    editor would; once published, the reader likes, favourites, reads and comments on it."""
    from zixun.articles.models import Article
    from zixun.articles.services import drafts, publishing, review
    from zixun.articles.services.checks import ArticleInput
    from zixun.engagement import services as engagement
    from zixun.engagement.models import Reading
    from zixun.moderation.services import takedown

    users, creator = world.users, world.accounts[account]
    private = () if state == "published" else (member, "editor")
    title, body = world.mark(*private), world.mark(*private)
    article = drafts.article_create(
        creator=creator, by=users[member],
        data=ArticleInput(title=f"标题{title}", body_source=f"正文{body}。第二句。",
                          channel_id=world.channel_id),
    )  # fmt: skip
    if state == "draft":
        return article
    when = timezone.now() + timedelta(days=2) if state == "scheduled" else None
    article = review.article_submit(article=article, by=users[member], scheduled_at=when)
    if state == "rejected":
        reason = world.mark(member, "editor")
        article = review.article_reject(article=article, by=users["editor"], reason=f"退回{reason}")
    if state not in ("pending", "rejected"):
        article = review.article_approve(article=article, by=users["editor"])
    if state in ("draft", "pending", "rejected", "scheduled"):
        return Article.objects.get(pk=article.pk)
    reader = users["reader"]
    engagement.article_like(user=reader, article_id=article.pk)
    engagement.article_favorite(user=reader, article_id=article.pk)
    Reading.objects.create(user=reader, article=article, read_at=timezone.now())
    if account == "A":
        text = world.mark(*(() if state == "published" else ("reader", "member_a", "editor")))
        comment = engagement.comment_create(user=reader, article_id=article.pk, body=f"跟贴{text}")
        world.comments[state] = comment
    if state == "unpublished":
        publishing.article_unpublish(article=article, by=users[member])
    elif state == "taken_down":
        reason = world.mark(member, "editor")
        takedown(article=article, by=users["editor"], reason=f"下架{reason}")
    elif state == "deleted":
        publishing.article_delete(article=article, by=users[member])
    return Article.objects.get(pk=article.pk)


def _comments(world: World) -> None:
    """The reader's comments in each of their own states, on A's published article."""
    from zixun.engagement import services as engagement
    from zixun.engagement.models import Comment

    reader, editor = world.users["reader"], world.users["editor"]
    article_id = world.articles["A"]["published"].pk

    def comment(state: str) -> Comment:
        text = world.mark("reader", "editor")
        made = engagement.comment_create(user=reader, article_id=article_id, body=f"跟贴{text}")
        world.comments[state] = made
        return made

    Comment.objects.filter(pk=comment("comment_pending").pk).update(status=Comment.Status.PENDING)
    engagement.comment_hide(comment_id=comment("comment_hidden").pk, by=editor, reason="屏蔽")
    rejected = comment("comment_rejected")
    Comment.objects.filter(pk=rejected.pk).update(status=Comment.Status.PENDING)
    engagement.comment_review(comment_id=rejected.pk, by=editor, approve=False, reason="退回")
    engagement.comment_delete(user=reader, comment_id=comment("comment_deleted").pk)


def build_world() -> World:
    from zixun.accounts.models import User
    from zixun.accounts.tests.factories import EditorFactory, UserFactory
    from zixun.api.tokens import (
        ACCOUNT_SCOPES,
        PERSONAL_SCOPES,
        token_create_for_account,
        token_create_personal,
    )
    from zixun.articles.tests.factories import channel
    from zixun.audit.models import AuditEntry
    from zixun.creators.services import (
        ApplicationInput,
        application_submit,
        creator_follow,
        creator_suspend,
    )
    from zixun.creators.tests.factories import CreatorFactory
    from zixun.creators.tests.test_applications import id_number
    from zixun.moderation.services import appeal_file, report_file
    from zixun.webhooks.models import Delivery, Webhook

    world = World()
    world.channel_id = channel("news").pk
    email = world.mark("reader", "editor")
    users = world.users
    users["reader"] = UserFactory(username="authz-reader", email=f"{email}@example.com")
    for name in ("member_a", "member_b", "suspended", "deactivated"):
        users[name] = UserFactory(username=f"authz-{name}")
    users["editor"] = EditorFactory(username="authz-editor")
    users["admin"] = UserFactory(
        username="authz-admin", role=User.Role.ADMIN, is_staff=True, is_superuser=True
    )
    for account, members in (("A", ("member_a", "deactivated")), ("B", ("member_b",)),
                             ("S", ("suspended",))):  # fmt: skip
        creator: Any = CreatorFactory(name=f"授权测试号{account}")
        creator.members.add(*(users[m] for m in members))
        world.accounts[account] = creator
    for account, member in (("A", "member_a"), ("S", "suspended")):
        world.articles[account] = {s: _article(world, account, member, s) for s in ARTICLE_STATES}
    _comments(world)
    reader = users["reader"]
    creator_follow(user=reader, creator_id=world.accounts["A"].pk)

    # Tokens: each role's, and the ones the token pages revoke.
    def account_token(account: str, member: str, name: str) -> Any:
        return token_create_for_account(
            creator=world.accounts[account], by=users[member], name=name,
            scopes=list(ACCOUNT_SCOPES), expires_at=None,
        )  # fmt: skip

    made = account_token("A", "member_a", f"令牌{world.mark('member_a')}")
    world.secrets["token_a"], world.ids["token_account"] = made.secret, made.token.pk
    world.secrets["token_b"] = account_token("B", "member_b", "B的令牌").secret
    world.secrets["token_suspended"] = account_token("S", "suspended", "S的令牌").secret
    made = token_create_personal(
        user=reader, name=f"读者{world.mark('reader')}", scopes=list(PERSONAL_SCOPES),
        expires_at=None,
    )  # fmt: skip
    world.secrets["token_reader"], world.ids["token_personal"] = made.secret, made.token.pk
    world.secrets["token_deactivated"] = token_create_personal(
        user=users["deactivated"], name="停用", scopes=list(PERSONAL_SCOPES), expires_at=None
    ).secret

    # 申请入驻 by the reader, with a private avatar and credentials.
    name, intro = world.mark("reader", "editor"), world.mark("reader", "editor")
    application = application_submit(
        applicant=reader,
        data=ApplicationInput(
            account_type="media", account_name=f"申{name}", introduction=f"介绍{intro}",
            operator_name="王", channel_id=world.channel_id, id_number=id_number(),
            avatar=png(), credentials=b"%PDF-1.4 credentials",
        ),
    )  # fmt: skip
    world.ids["application"] = application.pk

    # A webhook of A with a delivery; a report, its case and an appeal.
    hook = Webhook.objects.create(
        creator=world.accounts["A"], url=f"https://hooks.example.com/{world.mark('member_a')}",
        secret="s" * 40, events=["article.published"], created_by=users["member_a"],
    )  # fmt: skip
    delivery = Delivery.objects.create(
        webhook=hook, event="article.published", payload={"n": 1}, status=Delivery.Status.FAILED
    )
    world.ids["webhook"], world.ids["delivery"] = hook.pk, delivery.pk
    report = report_file(
        reporter=reader, target_type="article", target_id=world.articles["A"]["published"].pk,
        reason="spam", details=f"说明{world.mark('reader', 'editor')}",
    )  # fmt: skip
    world.ids["case"] = report.case_id
    entry = AuditEntry.objects.get(
        action="article.takedown", target_id=world.articles["A"]["taken_down"].pk
    )
    world.ids["entry"] = entry.pk
    appeal = appeal_file(
        user=users["member_a"], entry_id=entry.pk, text=f"申诉{world.mark('member_a', 'editor')}"
    )
    world.ids["appeal"] = appeal.pk

    # Last: suspend S, and deactivate the member of A.
    reason = world.mark("suspended", "editor")
    creator_suspend(
        creator=world.accounts["S"], by=users["editor"], reason=f"暂停{reason}", until=None
    )
    users["deactivated"].is_active = False
    users["deactivated"].save(update_fields=["is_active"])
    return world


def _clients(world: World) -> None:
    for role in SESSION_ROLES + TOKEN_ROLES:
        client = Client(raise_request_exception=False)
        if role.token:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.secrets[role.name]}"
        elif role.user:
            client.force_login(world.users[role.user])
        world.clients[role.name] = client


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The fixtures, once for the module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):  # the pipeline: index, rank
            built = build_world()
        _clients(built)
        yield built
        transaction.set_rollback(True)


# The cases --------------------------------------------------------------------------------


def caches_clear() -> None:
    """As the suite's autouse fixture, between cases: pages, blocks and every limit."""
    from django.core.cache import cache, caches

    from zixun.core.sitecache import site_version_forget
    from zixun.engagement.viewcount import view_dedup_forget
    from zixun.moderation.backend import filter_forget
    from zixun.ranking.related import model_forget

    cache.clear()
    caches["shared"].clear()
    site_version_forget()
    view_dedup_forget()
    model_forget()
    filter_forget()


@functools.cache
def _snapshot_sql() -> str:
    """One statement that digests every table (a refused request must change none): each
    table's rows as text, sorted and joined, in the database (one round trip on PostgreSQL)."""
    quote = connection.ops.quote_name
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in IGNORED_TABLES:
                continue
            columns = [
                quote(column.name)
                for column in connection.introspection.get_table_description(cursor, table)
                if column.name not in IGNORED_COLUMNS
            ]
            if connection.vendor == "postgresql":
                row = (
                    "concat_ws('|', "
                    + ", ".join(f"coalesce({c}::text, '~')" for c in columns)
                    + ")"
                )
                digest = "md5(coalesce(string_agg(r, ',' ORDER BY r), ''))"
            else:
                row = " || '|' || ".join(f"quote({c})" for c in columns)
                digest = "group_concat(r, ',')"
            parts.append(
                f"SELECT '{table}', (SELECT {digest} FROM "  # noqa: S608 (names only)
                f"(SELECT {row} AS r FROM {quote(table)} ORDER BY r) AS rows_)"
            )
    return " UNION ALL ".join(parts)


def db_snapshot() -> dict[str, str]:
    """Every table's rows, digested (the columns a read may touch left out)."""
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql())
        return {table: str(digest) for table, digest in cursor.fetchall()}


def suspended_snapshot(world: World) -> tuple[set[int], int, int, int]:
    """What the suspended account's member must never add: live (or queued to go live)
    articles of S, revisions of S, comments and webhooks."""
    from zixun.articles.models import Article, Revision
    from zixun.engagement.models import Comment
    from zixun.webhooks.models import Webhook

    creator = world.accounts["S"]
    live = set(
        Article.objects.filter(
            creator=creator,
            deleted_at__isnull=True,
            status__in=["published", "scheduled", "pending"],
        ).values_list("pk", flat=True)
    )
    return (
        live,
        Revision.objects.filter(article__creator=creator).count(),
        Comment.objects.filter(user=world.users["suspended"]).count(),
        Webhook.objects.filter(creator=creator).count(),
    )


@dataclass(frozen=True)
class Case:
    route: str
    role: Role
    state: str
    method: str
    path: str
    rule: str | None  # None: the method is not served
    body: Any = None
    content_type: str | None = None  # JSON bodies; None for a form
    ok_get: tuple[int, ...] = (200,)
    refused_ok: tuple[int, ...] = ()
    admin: bool = False
    owner: str = "A"

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return (self.route, self.role.name, self.state, self.method)


def _kinds(spec: dict[str, Any]) -> set[str]:
    text = json.dumps([spec.get("kwargs"), spec.get("query"), spec.get("data"), spec.get("json")])
    kinds = set(re.findall(r"\{(\w+)\}", text))
    kinds |= {v for v in (spec.get("kwargs") or {}).values() if not v.startswith("=")}
    return kinds


def _states(kinds: set[str]) -> tuple[str, ...]:
    if "article" in kinds:
        return ARTICLE_STATES
    if "comment" in kinds:
        return COMMENT_STATES
    return (NO_STATE,)


def _object_id(world: World, kind: str, role: Role, state: str) -> int:
    if kind == "article":
        return int(world.articles[role.subject][state].pk)
    if kind == "comment":
        return int(world.comments[state].pk)
    if kind == "account":
        return int(world.accounts[role.subject].pk)
    if kind == "channel":
        return world.channel_id
    if kind == "article_shard":  # the sitemap shard holding a published article (ids vary)
        return int(next(iter(world.articles.values()))["published"].pk) // ARTICLE_SHARD
    if kind == "account_shard":
        return int(next(iter(world.accounts.values())).pk) // ACCOUNT_SHARD
    return world.ids[kind]


def _fill(value: Any, world: World, role: Role, state: str, *, as_int: bool = False) -> Any:
    if isinstance(value, list):
        return [_fill(v, world, role, state) for v in value]
    if isinstance(value, dict):
        return {
            _fill(k, world, role, state): _fill(v, world, role, state, as_int=as_int)
            for k, v in value.items()
        }
    if not isinstance(value, str):
        return value
    if value == "{png}":
        return SimpleUploadedFile("a.png", png(), content_type="image/png")
    whole = re.fullmatch(r"\{(\w+)\}", value)
    if whole and as_int:
        return _object_id(world, whole.group(1), role, state)
    return re.sub(r"\{(\w+)\}", lambda m: str(_object_id(world, m.group(1), role, state)), value)


def _path(route: Route, spec: dict[str, Any], world: World, role: Role, state: str) -> str:
    if "path" in spec:
        path = str(spec["path"])
    elif route.key.startswith("/"):
        path = route.key if "(" not in route.key else "/admin/no-such-page/"
    else:
        kwargs: dict[str, Any] = {}
        for name in route.kwarg_names:
            value = (spec.get("kwargs") or {}).get(name) or "=" + ADMIN["fill"].get(name, "1")
            kwargs[name] = (
                value[1:] if value.startswith("=") else _object_id(world, value, role, state)
            )
        path = reverse(route.key, kwargs=kwargs)
    query = spec.get("query")
    if query:
        path += "?" + urlencode(_fill(query, world, role, state), doseq=True)
    return path


def web_cases(route: Route, world: World) -> Iterator[Case]:
    base = dict(ADMIN) if _is_admin(route.key) else dict(WEB[route.key])
    for variant in base.get("variants", [{}]):
        spec = {**base, **variant}
        kinds = _kinds(spec)
        owner_kind = bool(kinds & {"article", "account"})
        for role in SESSION_ROLES:
            if role.staff and _is_admin(route.key):
                continue  # the admin's own pages are Django's; the matrix keeps others out
            owner = role.subject if owner_kind else "A"
            for number, state in enumerate(_states(kinds)):
                path = _path(route, spec, world, role, state)
                template = Case(
                    route=route.key, role=role, state=state, method="GET", path=path, rule=None,
                    ok_get=tuple(spec.get("ok_get", (200,))),
                    refused_ok=tuple(spec.get("refused_ok", ())),
                    admin=_is_admin(route.key), owner=owner,
                )  # fmt: skip
                if spec.get("get") or number == 0:  # a method not served: one state is enough
                    yield dataclasses.replace(template, rule=spec.get("get"))
                if spec.get("post"):
                    for body in spec.get("data", [{}]):
                        filled = _fill(body, world, role, state)
                        yield dataclasses.replace(
                            template, method="POST", rule=spec["post"], body=filled
                        )
                elif number == 0:
                    yield dataclasses.replace(template, method="POST", body={})


def api_cases(path_template: str, world: World) -> Iterator[Case]:
    served = {
        key.split(" ", 1)[0]: API[key] for key in API if key.split(" ", 1)[1] == path_template
    }
    specs = list(served.values())
    kinds = set().union(*(_kinds(s) for s in specs))
    if any(s.get("multipart") for s in specs):
        kinds.add("account")  # the upload names the subject account
    for role in SESSION_ROLES + TOKEN_ROLES:
        owner = role.subject if kinds & {"article", "account"} else "A"
        for number, state in enumerate(_states(kinds)):
            kwargs = next((s.get("kwargs") for s in specs if s.get("kwargs")), {}) or {}
            path = path_template
            for name, kind in kwargs.items():
                value = kind[1:] if kind.startswith("=") else _object_id(world, kind, role, state)
                path = path.replace("{" + name + "}", str(value))
            for method in API_METHODS:
                spec = served.get(method)
                if spec is None and number:
                    continue
                spec = spec or {}
                query = spec.get("query")
                full = path + ("?" + urlencode(query) if query else "")
                body: Any = None
                content_type = None
                if spec.get("multipart"):
                    body = {
                        "file": _fill("{png}", world, role, state),
                        "alt": "一张图",
                        "account_id": _object_id(world, "account", role, state),
                    }
                elif "json" in spec:
                    body = json.dumps(_fill(spec["json"], world, role, state, as_int=True))
                    content_type = "application/json"
                yield Case(
                    route=f"{method} {path_template}", role=role, state=state, method=method,
                    path=full, rule=spec.get("rule"), body=body, content_type=content_type,
                    owner=owner,
                )  # fmt: skip


def _send(world: World, case: Case) -> HttpResponse:
    client = world.clients[case.role.name]
    if case.method == "GET":
        return client.get(case.path)  # type: ignore[return-value]
    if case.content_type:
        return client.generic(  # type: ignore[return-value]
            case.method, case.path, case.body, content_type=case.content_type
        )
    if case.method == "POST":
        return client.post(case.path, case.body or {})  # type: ignore[return-value]
    return client.generic(case.method, case.path)  # type: ignore[return-value]


def _to_login(response: HttpResponse, *, admin: bool = False) -> bool:
    """A redirect to sign in (for the admin's pages, to the admin's index, which does)."""
    if response.status_code not in (301, 302, 303):
        return False
    path = urlsplit(response["Location"]).path
    return path in LOGIN_PATHS or (admin and path == "/admin/")


def _body(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        return "".join(
            chunk.decode(errors="ignore") if isinstance(chunk, bytes) else str(chunk)
            for chunk in response.streaming_content  # type: ignore[attr-defined]
        )
    return response.content.decode(errors="ignore")


def run_case(world: World, case: Case) -> list[str]:
    """The case's failures (empty when it holds), with everything it wrote rolled back."""
    client = world.clients[case.role.name]
    cookies = copy.deepcopy(client.cookies)
    is_allowed = case.rule is not None and allowed(case.rule, case.role, case.state, case.owner)
    write = case.method != "GET"
    problems: list[str] = []
    caches_clear()
    with transaction.atomic():
        before = db_snapshot() if write and not is_allowed else None
        suspended_before = suspended_snapshot(world) if case.role.subject == "S" else None
        response = _send(world, case)
        status = response.status_code
        body = _body(response)
        leaked = [m for m in world.forbidden(case.role) if m in body]
        if leaked:
            problems.append(f"shows private markers {leaked}")
        if status >= 500:
            problems.append(f"answered {status}")
        elif is_allowed and not write and case.admin:
            if _to_login(response) or status in WRITE_REFUSALS:
                problems.append(f"allowed but refused with {status}")
        elif is_allowed and not write:
            if status not in case.ok_get:
                problems.append(f"allowed but answered {status}, expected {case.ok_get}")
        elif is_allowed:
            if status in WRITE_REFUSALS or _to_login(response):
                problems.append(f"allowed but refused with {status}")
        elif not write:
            if not (
                status in REFUSED_GET
                or _to_login(response, admin=case.admin)
                or status in case.refused_ok
            ):
                problems.append(f"refused role answered {status}")
        else:
            if 200 <= status < 300 and status not in case.refused_ok:
                problems.append(f"refused role answered {status}")
            after = db_snapshot()
            changed = sorted(t for t in after if after[t] != (before or {}).get(t))
            if changed:
                problems.append(f"refused role changed {changed}")
        if suspended_before is not None:
            now = suspended_snapshot(world)
            if not now[0] <= suspended_before[0] or now[1:] > suspended_before[1:]:
                problems.append(f"the suspended account went live or wrote: {now}")
        transaction.set_rollback(True)
    client.cookies = cookies
    return problems


def _hole(case: Case) -> tuple[str, str, str, str] | None:
    for hole in KNOWN_HOLES:
        if all(want in ("*", got) for want, got in zip(hole, case.ident, strict=True)):
            return hole
    return None


def check_route(world: World, cases: list[Case]) -> None:
    failures = []
    still_holes = set()
    for case in cases:
        problems = run_case(world, case)
        hole = _hole(case)
        if hole is not None:
            if problems:
                still_holes.add(hole)
            continue
        if problems:
            failures.append(f"{case.role.name} {case.method} {case.path} [{case.state}]: "
                            f"{'; '.join(problems)}")  # fmt: skip
    mine = {hole for hole in KNOWN_HOLES if hole[0] in {case.route for case in cases}}
    assert not failures, f"{len(failures)} of {len(cases)} cases fail:\n" + "\n".join(failures)
    assert still_holes == mine, (
        f"known holes that no longer fail (remove them from KNOWN_HOLES): "
        f"{sorted(mine - still_holes)}"
    )


ROUTES = url_routes()
API_PATHS = sorted({key.split(" ", 1)[1] for key in API})


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_web_route(world: World, key: str) -> None:
    route = ROUTES[key]
    if not _is_admin(key) and key not in WEB:
        pytest.fail(f"{key} is not in authz_table.WEB")
    check_route(world, list(web_cases(route, world)))


@pytest.mark.parametrize("path", API_PATHS)
def test_api_path(world: World, path: str) -> None:
    check_route(world, list(api_cases(path, world)))

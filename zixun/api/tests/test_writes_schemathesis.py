"""Schemathesis on the write endpoints with working tokens: no 5xx, documented bodies.

test_schemathesis.py calls every operation without credentials (a 401 each); here each
generated request carries a token with every scope, an account token on the creators'
endpoints and a personal token on the readers', so the bodies and ids reach the services.
"""

from collections.abc import Iterator
from typing import Any, cast

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from zixun.api import limits, tokens
from zixun.articles.tests.factories import ArticleFactory
from zixun.creators.models import Creator
from zixun.creators.tests.factories import CreatorFactory

EXAMPLES = 15

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex=r"^/api/v1/me"
)


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Keep the test's connection (and its transaction) across the WSGI requests, as Django's
    test client does: the request signals would otherwise close it on PostgreSQL."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(db, writer, monkeypatch, same_connection) -> dict[str, str]:
    """A trusted account run by ``writer`` with a few articles, and both kinds of token."""
    monkeypatch.setattr(limits, "WRITES_PER_MINUTE", 10**6)
    monkeypatch.setattr(limits, "READS_PER_MINUTE", 10**6)
    monkeypatch.setattr("zixun.api.writes.WRITES_PER_MINUTE", 10**6)
    monkeypatch.setattr("zixun.api.writes_readers.TOGGLES_PER_MINUTE", 10**6)
    monkeypatch.setattr("zixun.api.writes_readers.COMMENTS_PER_MINUTE", 10**6)
    monkeypatch.setattr("zixun.api.writes_readers.COMMENT_EDITS_PER_MINUTE", 10**6)
    monkeypatch.setattr("zixun.api.writes_readers.DISLIKES_PER_MINUTE", 10**6)
    creator = cast(Creator, CreatorFactory(is_trusted=True))
    creator.members.add(writer)
    for n in range(3):
        ArticleFactory(creator=creator, title=f"接口写入{n}")
    ArticleFactory(creator=creator, status="draft", published_at=None, title="草稿")
    account = tokens.token_create_for_account(
        creator=creator, by=writer, name="脚本", scopes=list(tokens.ACCOUNT_SCOPES),
        expires_at=None,
    )  # fmt: skip
    personal = tokens.token_create_personal(
        user=writer, name="阅读器", scopes=list(tokens.PERSONAL_SCOPES), expires_at=None
    )
    return {"account": account.secret, "personal": personal.secret}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
    derandomize=True,
)
def test_no_server_errors_with_working_tokens(case: Any, credentials: dict[str, str]) -> None:
    readers = ("/likes", "/favorites", "/follows", "/comments", "/dislikes")
    kind = "personal" if any(part in case.path for part in readers) else "account"
    case.call_and_validate(
        headers={"Authorization": f"Bearer {credentials[kind]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )

"""Schemathesis against the API's own OpenAPI schema: no 5xx over the generated cases.

The schema is loaded from the WSGI app, so every operation registered on the API
(the public reads and the token-authenticated writes alike) is picked up without
a list here. Each runs a bounded number of generated requests (valid and invalid)
over a small site; every answer must not be a server error and must match the
schema documented for its status (problem bodies included: the 4XX response).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from zixun.accounts.tests.factories import UserFactory
from zixun.api import limits
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.engagement.models import Comment
from zixun.events.models import Event
from zixun.events.services import event_record
from zixun.ranking.hot import hot_ingest
from zixun.search.engine import index_articles

EXAMPLES = 40  # per operation: the whole test stays well under a minute


@pytest.fixture
def site(db, monkeypatch):
    """A few published articles (one with comments and heat), a draft, and no rate limit.

    The WSGI app closes the database connection after each request, as a server must; here
    that connection holds the test's transaction (PostgreSQL), so keep it open, as Django's
    own test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    monkeypatch.setattr(limits, "READS_PER_MINUTE", 10**6)
    monkeypatch.setattr(limits, "WRITES_PER_MINUTE", 10**6)
    articles = [ArticleFactory(title=f"接口测试{n}") for n in range(3)]
    ArticleFactory(title="体育", channel=channel("sports"))
    ArticleFactory(title="草稿", status="draft", published_at=None)
    index_articles([article.pk for article in articles])
    user = UserFactory()
    parent = Comment.objects.create(article=articles[0], user=user, body="跟贴", reply_count=1)
    Comment.objects.create(article=articles[0], user=user, body="回复", parent=parent)
    event_record(Event.Kind.VIEW, article_id=articles[0].pk, count=5)
    hot_ingest()
    yield articles
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# Loaded when the module is collected: serving the schema reads no table. (A lazy
# schema, schemathesis.pytest.from_fixture, needs an older pytest than ours.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


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
def test_no_server_errors_and_documented_bodies(case, site):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

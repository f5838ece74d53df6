"""No query or form value makes a 500: odd Unicode digits, huge numbers, dates at the edges.

The audit found six inputs that did: "²" (which str.isdigit() accepts and int() refuses)
as an id in a query or form, and a cursor whose date overflows when converted to UTC.
Every id goes through ``zixun.web.http.id_param`` and every cursor through
``zixun.core.pagination.Cursor.decode``; these properties hold them to it.
"""

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.pagination import Cursor, InvalidCursorError
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement.services import comment_create
from zixun.web.http import id_param

pytestmark = pytest.mark.django_db

# Digits in every script, superscripts and fractions, signs, separators int() accepts, huge numbers.
ODD_DIGITS = st.text(
    alphabet=st.characters(categories=["Nd", "No", "Nl"]) | st.sampled_from("0123456789_+- ."),
    min_size=1,
    max_size=30,
)
IDS = ODD_DIGITS | st.integers(min_value=-(2**70), max_value=2**70).map(str) | st.text(max_size=20)
# hypothesis takes naive bounds; the zone is added next.
EDGE_DATES = st.datetimes(
    min_value=datetime.min,  # noqa: DTZ901
    max_value=datetime.max,  # noqa: DTZ901
).flatmap(
    lambda moment: st.sampled_from(
        [timezone(timedelta(hours=h)) for h in (-14, -12, -1, 0, 1, 8, 14)]
    ).map(lambda zone: moment.replace(tzinfo=zone))
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NOT_A_500 = {200, 302, 400, 404, 429}  # 429: the comment rate limit, hit by the fuzzing


def encoded(array: list[object]) -> str:
    raw = json.dumps(array, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


DATE_CURSORS = st.tuples(EDGE_DATES, st.integers(min_value=-5, max_value=2**64)).map(
    lambda pair: encoded([{"t": pair[0].isoformat()}, pair[1]])
)
CURSORS = (
    DATE_CURSORS
    | ODD_DIGITS
    | st.text(max_size=60)
    | st.builds(
        lambda values: encoded(values), st.lists(st.integers() | st.text(max_size=5), max_size=4)
    )
)


@given(value=IDS)
def test_an_id_is_a_positive_ascii_number_or_nothing(value):
    parsed = id_param(value)
    if parsed is not None:
        assert value.isascii()
        assert 0 < parsed < 10**18
        assert str(parsed) == value.lstrip("0")


@pytest.mark.parametrize("value", ["²", "١٢", "1_0", "+1", " 1", "0", "-3", "9" * 19, "①"])
def test_odd_ids_are_nothing(value):
    assert id_param(value) is None


@given(value=CURSORS)
def test_a_cursor_decodes_or_is_refused_with_the_cursor_message(value):
    try:
        cursor = Cursor.decode(value)
    except InvalidCursorError:
        return
    assert Cursor.decode(cursor.encode()) == cursor


def test_the_audits_overflowing_date_is_refused():
    with pytest.raises(InvalidCursorError):
        Cursor.decode(encoded([{"t": "0001-01-01T00:00:00+14:00"}, 1]))


@pytest.fixture
def site():
    """A reader signed in, a creator account of theirs, an article with a comment."""
    reader = UserFactory()
    creator = CreatorFactory()
    creator.members.add(reader)
    article = ArticleFactory(creator=creator)
    comment = comment_create(user=reader, article_id=article.pk, body="第一条跟贴")
    client = Client()
    client.force_login(reader)
    return client, article, comment


@FUZZ
@given(value=IDS | CURSORS)
def test_no_query_value_makes_a_500(site, value):
    client, article, comment = site
    urls = [
        (reverse("web:comment-thread", args=[comment.pk]), "after"),
        (reverse("web:comments", args=[article.pk]), "after"),
        (reverse("web:home"), "after"),
        (reverse("web:home"), "before"),
        (reverse("web:account", args=[article.creator_id]), "after"),
        (reverse("web:studio"), "after"),
        (reverse("web:studio"), "before"),
        (reverse("me:history"), "after"),
        (reverse("web:feed"), "after"),
    ]
    for url, name in urls:
        response = client.get(url, {name: value})
        assert response.status_code in NOT_A_500, (url, name, value)


@FUZZ
@given(value=IDS)
def test_no_form_id_makes_a_500(site, value):
    client, article, _comment = site
    response = client.post(
        reverse("web:comment-create", args=[article.pk]), {"body": "回复", "parent": value}
    )
    assert response.status_code in NOT_A_500, value
    response = client.post(reverse("web:studio-new"), {"creator": value})
    assert response.status_code in NOT_A_500, value


def test_the_audits_inputs_answer_without_a_500(site):
    client, article, comment = site
    assert client.post(reverse("web:studio-new"), {"creator": "²"}).status_code in NOT_A_500
    assert client.get(reverse("web:studio"), {"before": "²"}).status_code in NOT_A_500
    thread = reverse("web:comment-thread", args=[comment.pk])
    assert client.get(thread, {"after": "²"}).status_code == 400
    overflow = encoded([{"t": "0001-01-01T00:00:00+14:00"}, 1])
    assert client.get(reverse("web:home"), {"after": overflow}).status_code == 400
    response = client.post(
        reverse("web:comment-create", args=[article.pk]), {"body": "回复", "parent": "²"}
    )
    assert response.status_code in NOT_A_500

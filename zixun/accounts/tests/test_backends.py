import pytest
from django.db import connection
from django.db.models import Value
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zixun.accounts.backends import user_get_by_pk, user_lookup_with
from zixun.accounts.models import User
from zixun.accounts.tests.factories import EditorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_comes_back_whole_by_primary_key():
    user = UserFactory(username="读者甲", email="a@example.com")
    loaded = user_get_by_pk(str(user.pk))  # the session keeps the id as a string
    assert loaded == user
    assert (loaded.username, loaded.email, loaded.role) == ("读者甲", "a@example.com", "reader")
    assert loaded.date_joined == user.date_joined  # converted to an aware datetime
    assert loaded.is_active is True


@pytest.mark.parametrize(
    "bad", ["", "abc", "1; DROP TABLE accounts_user", "99999999", "-1", "9" * 30]
)
def test_a_bad_or_unknown_id_is_nobody(bad):
    assert user_get_by_pk(bad) is None


def test_the_lookup_is_compiled_once_per_connection():
    first, second = UserFactory(), UserFactory()
    assert user_get_by_pk(first.pk) == first
    memo = getattr(connection, "zixun_sql_memo", {})
    compiled = [value for key, value in memo.items() if "_user_by_pk" in repr(key)]
    assert len(compiled) == 1
    assert compiled[0] is not None  # memorised, not the fallback
    with CaptureQueriesContext(connection) as queries:
        assert user_get_by_pk(second.pk) == second
    assert len(queries) == 1
    assert [value for key, value in memo.items() if "_user_by_pk" in repr(key)] == compiled


def test_a_deactivated_reader_is_signed_out_on_the_next_request():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.get(reverse("me:home")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)  # no save(): nothing to invalidate
    assert client.get(reverse("me:home")).status_code == 302


def test_a_demoted_editor_loses_the_editor_pages_at_once():
    editor = EditorFactory()
    client = Client()
    client.force_login(editor)
    assert client.get(reverse("web:editor")).status_code == 200
    User.objects.filter(pk=editor.pk).update(role=User.Role.READER)
    assert client.get(reverse("web:editor")).status_code == 404


def test_a_session_signed_in_with_the_previous_backend_still_works():
    user = UserFactory()
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("me:home")).status_code == 200


def _annotated(pk: int, extra: int):
    return User.objects.filter(pk=pk).annotate(extra=Value(extra))


def _someone_else(pk: int):
    return User.objects.exclude(pk=pk).order_by("pk")


def test_a_lookup_with_more_columns_gives_the_same_user_and_them(django_assert_num_queries):
    user = UserFactory()
    with user_lookup_with(_annotated, 7), django_assert_num_queries(1):
        loaded = user_get_by_pk(str(user.pk))
    assert loaded == user
    assert loaded.extra == 7
    assert not hasattr(user_get_by_pk(user.pk), "extra")  # outside the block, the usual row


def test_a_lookup_that_reads_another_row_gives_no_user():
    user, other = UserFactory(), UserFactory()
    assert other.pk != user.pk
    with user_lookup_with(_someone_else):
        assert user_get_by_pk(user.pk) is None

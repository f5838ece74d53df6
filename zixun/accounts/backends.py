"""Authentication backends: Django's and allauth's, with a cheaper lookup of the signed-in user.

Every signed-in request loads its user by primary key. Django's ``ModelBackend``
builds that query with the ORM each time; here it is compiled once per connection and
its SQL run with the id (``core.sqlmemo``): about 110 µs against 225 µs for the raw
statement used before (``User.objects.raw`` resolves its columns on every run). On a
signed-in page served from the page cache that is a tenth of the work (ADR 0012). The row
is read every time: nothing about a user is cached, so a deactivation, a role change or a
new password takes effect on the next request. A caller that wants more of the reader in the
same statement (the signed-in page: what they did to the article) asks for it with
``user_lookup_with``; Django's checks of the session run on the row as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from zixun.accounts.models import User
from zixun.core.sqlmemo import memo_objects


def _user_by_pk(pk: int) -> QuerySet[User]:
    return User.objects.filter(pk=pk)


UserQuery = Callable[..., QuerySet[User]]
_lookup_with: ContextVar[tuple[UserQuery, tuple[int, ...]] | None] = ContextVar(
    "zixun_user_lookup_with", default=None
)


@contextmanager
def user_lookup_with(build: UserQuery, *args: int) -> Iterator[None]:
    """Within the block, the signed-in user is read by ``build(pk, *args)``: their row
    (``User.objects.filter(pk=pk)``) annotated with what else the caller wants from the same
    statement, found on the user it returns."""
    token = _lookup_with.set((build, args))
    try:
        yield
    finally:
        _lookup_with.reset(token)


def user_get_by_pk(user_id: Any) -> User | None:
    """The user with this primary key (as the session stores it), or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    if type(pk) is not int or not 0 < pk < 2**63:  # no such row; PostgreSQL would refuse it
        return None
    also = _lookup_with.get()
    found = memo_objects(_user_by_pk, pk) if also is None else memo_objects(also[0], pk, *also[1])
    return found[0] if found and found[0].pk == pk else None


class _UserByPk:
    def get_user(self, user_id: Any) -> User | None:
        user = user_get_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_UserByPk, DjangoModelBackend):
    """Django's username-and-password backend (the admin, tests' force_login)."""


class AllauthBackend(_UserByPk, AuthenticationBackend):
    """allauth's backend (sign-in by e-mail on the site)."""

from datetime import datetime, timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from zixun.accounts.tests.factories import UserFactory
from zixun.audit.models import AuditEntry
from zixun.audit.selectors import audit_list_filtered
from zixun.core.pagination import PageRequest

pytestmark = pytest.mark.django_db


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A time on the site's clock (TIME_ZONE), where the day boundaries are."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


NOON = local(2025, 5, 1, 12, 0)


def entry(action="article.publish", *, actor=None, target="articles.article", target_id=1, at=NOON):
    """An entry written at ``at`` (created_at is auto_now_add, so it is set after)."""
    made = AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        target_type=target,
        target_id=target_id,
    )
    AuditEntry.objects.filter(pk=made.pk).update(created_at=at)
    return made


def ids(**filters):
    return [e.pk for e in audit_list_filtered(page=PageRequest(), **filters).items]


def test_without_filters_the_log_is_newest_first_with_ties_by_id():
    old = entry(at=NOON - timedelta(hours=1))
    a, b = entry(), entry()
    assert ids() == [b.pk, a.pk, old.pk]


def test_actor_is_a_name_in_any_case_or_a_user_id():
    liu = UserFactory(username="LiuYang")
    other = UserFactory(username="other")
    mine = entry(actor=liu)
    entry(actor=other)
    entry()  # 系统
    assert ids(actor="liuyang") == [mine.pk]
    assert ids(actor=" LiuYang ") == [mine.pk]
    assert ids(actor=f"#{liu.pk}") == [mine.pk]
    assert ids(actor="#999999") == []
    assert ids(actor="nobody") == []


def test_an_actor_name_outlives_the_user():
    """A deleted user's entries keep their name, and the name still finds them."""
    gone = UserFactory(username="gone")
    kept = entry(actor=gone)
    gone.delete()
    assert ids(actor="gone") == [kept.pk]


def test_action_is_exact_unless_it_ends_with_a_dot():
    publish = entry("article.publish")
    pin = entry("article.pin")
    hide = entry("comment.hide")
    assert ids(action="article.publish") == [publish.pk]
    assert ids(action="article.") == [pin.pk, publish.pk]
    assert ids(action="comment.") == [hide.pk]
    assert ids(action="article") == []  # not a prefix without the dot


def test_target_type_by_short_name_or_label_and_target_id():
    article = entry(target="articles.article", target_id=5)
    other = entry(target="articles.article", target_id=6)
    comment = entry("comment.hide", target="engagement.comment", target_id=5)
    case = entry("case.decide", target="moderation.case", target_id=5)
    account = entry("creator.suspend", target="creators.creator", target_id=5)
    assert ids(target_type="article") == [other.pk, article.pk]
    assert ids(target_type="articles.article", target_id=5) == [article.pk]
    assert ids(target_type="comment") == [comment.pk]
    assert ids(target_type="case") == [case.pk]
    assert ids(target_type="account") == [account.pk]
    assert ids(target_id=5) == [account.pk, case.pk, comment.pk, article.pk]


def test_since_is_inclusive_and_until_exclusive():
    before = entry(at=NOON - timedelta(seconds=1))
    at_noon = entry(at=NOON)
    after = entry(at=NOON + timedelta(hours=1))
    assert ids(since=NOON) == [after.pk, at_noon.pk]
    assert ids(until=NOON) == [before.pk]
    assert ids(since=NOON, until=NOON + timedelta(hours=1)) == [at_noon.pk]


def test_filters_combine():
    liu = UserFactory(username="liu")
    wanted = entry("article.pin", actor=liu, target_id=3)
    entry("article.pin", actor=liu, target_id=4)
    entry("comment.hide", actor=liu, target="engagement.comment", target_id=3)
    entry("article.pin", target_id=3)
    assert ids(actor="liu", action="article.", target_type="article", target_id=3) == [wanted.pk]


def test_pages_follow_each_other_without_gaps_or_repeats_in_one_second():
    """Entries written in the same instant are told apart by id."""
    made = [entry() for _ in range(7)]
    seen, page = [], audit_list_filtered(page=PageRequest(), size=3)
    while True:
        seen += [e.pk for e in page.items]
        if not page.has_next:
            break
        after = PageRequest.from_query(QueryDict(f"after={page.next}"))
        page = audit_list_filtered(page=after, size=3)
    assert seen == sorted((e.pk for e in made), reverse=True)
    last = audit_list_filtered(page=PageRequest(last=True), size=3)
    assert [e.pk for e in last.items] == seen[-3:]

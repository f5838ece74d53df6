"""审计日志 (/editor/audit/): the filters, paging, bad input and who may see it."""

import re
from datetime import datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.audit.models import AuditEntry
from zixun.audit.selectors import AUDIT_PAGE_SIZE
from zixun.core.pagination import INVALID_CURSOR
from zixun.web.views.auditlog import (
    BAD_DATE,
    BAD_RANGE,
    BAD_TARGET_ID,
    BAD_TARGET_TYPE,
    DATE_OUT_OF_RANGE,
)

pytestmark = pytest.mark.django_db


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A time on the site's clock (TIME_ZONE), where the day boundaries are."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


URL = "/editor/audit/"
MAY_DAY = local(2025, 5, 1, 12, 0)


def entry(action="article.publish", *, actor=None, target="articles.article", target_id=1,
          at=MAY_DAY, reason=""):  # fmt: skip
    made = AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        target_type=target,
        target_id=target_id,
        reason=reason,
    )
    AuditEntry.objects.filter(pk=made.pk).update(created_at=at)
    return made


@pytest.fixture
def editor(client):
    user = EditorFactory(username="zhubian")
    client.force_login(user)
    return user


def reasons_shown(response):
    """The 理由 column of each row: each test entry's reason names it."""
    html = response.content.decode()
    return re.findall(r'class="cell-reason">([^<]*)<', html)


def test_the_url_is_named_and_the_editor_home_links_to_it(client, editor):
    assert reverse("web:editor-audit") == URL
    html = client.get(reverse("web:editor")).content.decode()
    assert f'href="{URL}"' in html
    assert "审计日志" in html


def test_non_editors_get_404_and_anonymous_readers_sign_in(client):
    entry(reason="秘密")
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 404
    assert "秘密" not in response.content.decode()


def test_the_whole_log_in_words_newest_first(client, editor):
    entry("article.publish", target_id=7, reason="旧", at=MAY_DAY - timedelta(hours=1))
    entry("article.pin", actor=editor, target_id=7, reason="新")
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert reasons_shown(response) == ["新", "旧"]
    assert "置顶" in html
    assert "zhubian" in html
    assert f'href="{reverse("web:editor-article", args=[7])}"' in html


def test_filter_by_actor_name_or_id(client, editor):
    liu = UserFactory(username="LiuYang")
    entry(actor=liu, reason="刘")
    entry(actor=editor, reason="编")
    entry(reason="系统")
    assert reasons_shown(client.get(URL, {"actor": "liuyang"})) == ["刘"]
    assert reasons_shown(client.get(URL, {"actor": f"#{editor.pk}"})) == ["编"]


def test_filter_by_action_exactly_or_by_prefix(client, editor):
    entry("article.publish", reason="发")
    entry("article.pin", reason="顶")
    entry("comment.hide", target="engagement.comment", reason="隐")
    assert reasons_shown(client.get(URL, {"action": "article.pin"})) == ["顶"]
    assert reasons_shown(client.get(URL, {"action": "article."})) == ["顶", "发"]
    assert reasons_shown(client.get(URL, {"action": "comment."})) == ["隐"]


def test_the_known_actions_are_offered_in_a_datalist(client, editor):
    html = client.get(URL).content.decode()
    assert 'list="audit-actions"' in html
    assert '<datalist id="audit-actions">' in html
    for code in ("article.", "case.decide", "case.warn", "allowlist.change", "domains.change"):
        assert f'<option value="{code}">' in html
    assert '<option value="article.submit">提交审核</option>' in html


def test_filter_by_target_type_and_id(client, editor):
    entry(target="articles.article", target_id=5, reason="文5")
    entry(target="articles.article", target_id=6, reason="文6")
    entry("wordlist.change", target="moderation.wordlist", target_id=5, reason="词5")
    entry("appeal.decide", target="moderation.appeal", target_id=5, reason="诉5")
    assert reasons_shown(client.get(URL, {"target_type": "article"})) == ["文6", "文5"]
    assert reasons_shown(client.get(URL, {"target_type": "wordlist"})) == ["词5"]
    assert reasons_shown(client.get(URL, {"target_type": "appeal"})) == ["诉5"]
    assert reasons_shown(client.get(URL, {"target_id": "5"})) == ["诉5", "词5", "文5"]
    both = client.get(URL, {"target_type": "article", "target_id": "5"})
    assert reasons_shown(both) == ["文5"]


def test_filter_by_dates_includes_the_whole_until_day(client, editor):
    """Days are the site's (Asia/Shanghai by default: 00:30 on 1 May is 30 April in UTC)."""
    day_start = local(2025, 5, 1, 0, 30)
    entry(at=day_start - timedelta(hours=1), reason="前一天")
    entry(at=day_start, reason="当天早")
    entry(at=local(2025, 5, 1, 23, 59), reason="当天晚")
    entry(at=local(2025, 5, 2, 0, 0), reason="后一天")
    one_day = {"since": "2025-05-01", "until": "2025-05-01"}
    assert reasons_shown(client.get(URL, one_day)) == ["当天晚", "当天早"]
    assert reasons_shown(client.get(URL, {"since": "2025-05-02"})) == ["后一天"]
    assert reasons_shown(client.get(URL, {"until": "2025-04-30"})) == ["前一天"]


def test_the_form_keeps_what_was_asked_and_says_when_nothing_matches(client, editor):
    entry()
    html = client.get(URL, {"actor": "无此人", "target_type": "case"}).content.decode()
    assert 'value="无此人"' in html
    assert '<option value="case" selected>' in html
    assert "没有符合条件的记录" in html
    assert "清除筛选" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2025-13-01"}, BAD_DATE),
        ({"until": "昨天"}, BAD_DATE),
        ({"since": "0001-01-01"}, DATE_OUT_OF_RANGE),
        ({"until": "9999-12-31"}, DATE_OUT_OF_RANGE),
        ({"since": "2025-05-02", "until": "2025-05-01"}, BAD_RANGE),
        ({"target_id": "abc"}, BAD_TARGET_ID),
        ({"target_id": "0"}, BAD_TARGET_ID),
        ({"target_id": "99999999999999999999999"}, BAD_TARGET_ID),
        ({"target_type": "planet"}, BAD_TARGET_TYPE),
    ],
)
def test_bad_input_is_said_on_the_page_not_a_500(client, editor, query, message):
    entry(reason="不该出现")
    response = client.get(URL, query)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert str(message) in html
    assert 'role="alert"' in html
    assert "不该出现" not in html  # the log is not read with a filter that did not parse
    assert 'aria-invalid="true"' in html or message is BAD_RANGE


def test_a_bad_page_cursor_is_a_400_that_says_so(client, editor):
    response = client.get(URL, {"after": "not-a-cursor"})
    assert response.status_code == 400
    assert str(INVALID_CURSOR) in unescape(response.content.decode())


def test_pages_follow_with_the_filters_kept(client, editor):
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action="article.pin", target_type="articles.article", target_id=n, reason=f"r{n}"
        )
        for n in range(AUDIT_PAGE_SIZE + 5)
    )
    entry("comment.hide", target="engagement.comment", reason="不是文章")
    first = client.get(URL, {"action": "article."})
    assert len(reasons_shown(first)) == AUDIT_PAGE_SIZE
    assert "不是文章" not in reasons_shown(first)
    html = first.content.decode()
    after = re.search(
        r'href="/editor/audit/\?action=article\.&amp;after=([\w-]+)" rel="next"', html
    )
    assert after, "the next-page link keeps the filter"
    second = client.get(URL, {"action": "article.", "after": after.group(1)})
    assert second.status_code == 200
    shown = reasons_shown(first) + reasons_shown(second)
    assert len(shown) == len(set(shown)) == AUDIT_PAGE_SIZE + 5
    assert 'rel="prev"' in second.content.decode()


def test_a_page_costs_a_few_queries_however_long_the_log(
    client, editor, django_assert_max_num_queries
):
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action="comment.hide" if n % 2 else "article.pin",
            target_type="engagement.comment" if n % 2 else "articles.article",
            target_id=n,
            actor=editor,
            actor_name=editor.username,
        )
        for n in range(120)
    )
    # session, user, the page of entries, the comments' articles
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"actor": editor.username})
    assert response.status_code == 200

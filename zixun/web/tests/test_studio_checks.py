"""标题检查 (POST /studio/title-check/): the clickbait hints the studio's editor shows."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.limits import TITLE_MAX
from zixun.moderation.clickbait import clickbait_score
from zixun.web.views.studio_checks import (
    BODY_CHECKED_CHARS,
    LEVEL_HIGH,
    LEVEL_NONE,
    NOT_A_CREATOR,
)

pytestmark = pytest.mark.django_db

URL = "/studio/title-check/"
BAIT = "震惊！你绝对想不到他竟然这样做"
PLAIN = "晨江地铁5号线开通运营"
FILLER = "天气晴朗，大家出门散步，公园里人很多。"


def check(client, title, body=""):
    return client.post(URL, {"title": title, "body": body}, HTTP_ACCEPT="application/json")


def test_the_url_is_named():
    assert reverse("web:studio-title-check") == URL


def test_a_clickbait_title_gets_its_reasons_and_a_high_level(client, writer, creator):
    client.force_login(writer)
    response = check(client, BAIT)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"score", "level", "reasons", "message"}
    assert data["level"] == "high"
    assert data["message"] == str(LEVEL_HIGH)
    assert data["score"] == round(clickbait_score(BAIT).score, 2)
    assert 0.5 <= data["score"] < 1
    assert "夸张用语：震惊" in data["reasons"]
    assert all(isinstance(reason, str) and reason for reason in data["reasons"])


def test_a_plain_title_gets_no_reasons(client, writer, creator):
    client.force_login(writer)
    data = check(client, PLAIN, f"{PLAIN}，江北到临湖的通勤缩短近半小时。").json()
    assert data == {"score": 0.0, "level": "none", "reasons": [], "message": str(LEVEL_NONE)}


def test_one_weak_cue_is_some(client, writer, creator):
    client.force_login(writer)
    data = check(client, "晨江地铁5号线开通运营！").json()
    assert data["level"] == "some"
    assert data["reasons"] == ["渲染情绪的标点：!"]


def test_the_body_is_read_as_published_text_not_markdown(client, writer, creator):
    """A title whose words are nowhere in the body is a reason; link targets do not count."""
    client.force_login(writer)
    title = "晨江地铁五号线今日开通运营"
    away = check(client, title, f"{FILLER}\n\n[看这里](https://example.com/地铁五号线今日开通运营)")
    assert any(reason.startswith("标题里的这些词正文里没有") for reason in away.json()["reasons"])
    assert check(client, title, f"## {title}\n\n{FILLER}").json()["reasons"] == []


def test_very_long_input_is_cut_not_refused(client, writer, creator):
    client.force_login(writer)
    # the title's words come only after the part of the body that is read
    title = "晨江地铁五号线今日开通运营"
    body = (FILLER * (BODY_CHECKED_CHARS // len(FILLER) + 1))[:BODY_CHECKED_CHARS] + title * 50
    response = check(client, title, body)
    assert response.status_code == 200
    assert response.json()["reasons"] == [
        "标题里的这些词正文里没有：地铁、五号线、今日、开通、运营"
    ]
    # the title is read up to the longest a title can be
    long_title = PLAIN * (TITLE_MAX // len(PLAIN)) + "震惊！" * 40
    cut = long_title[:TITLE_MAX]
    response = check(client, long_title)
    assert response.status_code == 200
    assert response.json()["reasons"] == [str(r) for r in clickbait_score(cut).reasons]


def test_anonymous_readers_are_sent_to_sign_in(client):
    response = check(client, BAIT)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_only_members_of_an_account_may_check(client):
    client.force_login(UserFactory())
    response = check(client, BAIT)
    assert response.status_code == 403
    assert response.json() == {"ok": False, "error": str(NOT_A_CREATOR)}


def test_editors_may_check_as_they_may_open_any_draft(client):
    client.force_login(EditorFactory())
    assert check(client, BAIT).status_code == 200


def test_it_is_a_post_with_a_csrf_token(writer, creator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    assert client.get(URL, {"title": BAIT}).status_code == 405
    assert check(client, BAIT).status_code == 403  # no token


def test_checks_are_rate_limited(client, writer, creator):
    client.force_login(writer)
    codes = [check(client, PLAIN).status_code for _ in range(121)]
    assert codes[:120] == [200] * 120
    assert codes[-1] == 429
    response = check(client, PLAIN)
    assert "操作太频繁" in response.json()["error"]
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_answer_is_in_the_writers_language(client, writer, creator, settings, language):
    client.force_login(writer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = check(client, BAIT)
    assert response["Content-Language"] == language
    with translation.override(language):
        expected = [str(reason) for reason in clickbait_score(BAIT).reasons]
        message = str(LEVEL_HIGH)
    assert response.json()["reasons"] == expected
    assert response.json()["message"] == message

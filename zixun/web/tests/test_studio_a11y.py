"""无障碍检查 (POST /studio/a11y-check/) and the editor page's panel for it."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.accessibility import IMAGE_ALT_GENERIC, accessibility_issues
from zixun.articles.markdown import BODY_MAX_CHARS
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.errors import message_format
from zixun.web.views.studio_checks import A11Y_NONE, A11Y_SOME, NOT_A_CREATOR_A11Y

pytestmark = pytest.mark.django_db

URL = "/studio/a11y-check/"
CLEAN = "## 线路\n\n![晨江地铁5号线线路图](/media/images/line5.png)\n\n正文。"
FAULTY = (
    "![图片](/media/images/line5.png)\n\n## 线路\n\n#### 换乘\n\n[点击这里](https://a.example.com/)"
)


def check(client, body):
    return client.post(URL, {"body": body}, HTTP_ACCEPT="application/json")


def test_the_url_is_named():
    assert reverse("web:studio-a11y-check") == URL


def test_a_body_with_problems_gets_each_issue_and_a_count(client, writer, creator):
    client.force_login(writer)
    response = check(client, FAULTY)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"issues", "message"}
    assert [issue["code"] for issue in data["issues"]] == [
        "image-alt-generic",
        "heading-skipped",
        "link-vague",
    ]
    assert data["issues"] == [
        {"code": issue.code, "message": issue.message, "where": issue.where}
        for issue in accessibility_issues(FAULTY)
    ]
    assert data["message"] == A11Y_SOME % {"count": 3}
    assert data["issues"][0]["message"] == message_format(
        IMAGE_ALT_GENERIC, number=1, where="line5.png", alt="图片"
    )


@pytest.mark.parametrize("body", [CLEAN, ""])
def test_a_clean_body_gets_no_issues(client, writer, creator, body):
    client.force_login(writer)
    assert check(client, body).json() == {"issues": [], "message": str(A11Y_NONE)}


def test_the_whole_body_a_submit_may_carry_is_checked(client, writer, creator):
    client.force_login(writer)
    filler = "晨江地铁今天开通。\n\n" * (BODY_MAX_CHARS // 11)
    body = filler[: BODY_MAX_CHARS - 40] + "\n\n![图片](/media/images/end.png)"
    assert len(body) <= BODY_MAX_CHARS
    data = check(client, body).json()
    assert [issue["where"] for issue in data["issues"]] == ["end.png"]
    # past what a body may hold, the rest is not read
    assert check(client, filler + body).json()["issues"] == []


def test_anonymous_readers_are_sent_to_sign_in(client):
    response = check(client, FAULTY)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_only_members_of_an_account_may_check(client):
    client.force_login(UserFactory())
    response = check(client, FAULTY)
    assert response.status_code == 403
    assert response.json() == {"ok": False, "error": str(NOT_A_CREATOR_A11Y)}


def test_editors_may_check_as_they_may_open_any_draft(client):
    client.force_login(EditorFactory())
    assert check(client, FAULTY).status_code == 200


def test_it_is_a_post_with_a_csrf_token(writer, creator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    assert client.get(URL, {"body": FAULTY}).status_code == 405
    assert check(client, FAULTY).status_code == 403  # no token


def test_checks_are_rate_limited_apart_from_the_title_check(client, writer, creator):
    client.force_login(writer)
    codes = [check(client, CLEAN).status_code for _ in range(121)]
    assert codes[:120] == [200] * 120
    assert codes[-1] == 429
    response = check(client, CLEAN)
    assert "操作太频繁" in response.json()["error"]
    assert int(response["Retry-After"]) > 0
    title_check = client.post("/studio/title-check/", {"title": "晨江地铁"})
    assert title_check.status_code == 200


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_answer_is_in_the_writers_language(client, writer, creator, settings, language):
    client.force_login(writer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = check(client, FAULTY)
    assert response["Content-Language"] == language
    with translation.override(language):
        expected = [issue.message for issue in accessibility_issues(FAULTY)]
        message = A11Y_SOME % {"count": 3}
    assert [issue["message"] for issue in response.json()["issues"]] == expected
    assert response.json()["message"] == message


def test_english_chosen_on_the_language_link(client, writer, creator):
    client.force_login(writer)
    client.get(reverse("web:language-set", args=["en"]))
    data = check(client, FAULTY).json()
    assert (
        data["message"] == "3 accessibility problems found; consider fixing them before publishing:"
    )
    assert data["issues"][0]["message"].startswith("The alt text “图片” of image 1 (line5.png)")
    assert check(client, CLEAN).json()["message"] == "No problems found"


@pytest.mark.parametrize(
    ("language", "panel", "again", "note"),
    [
        ("zh-hans", "无障碍检查", "仍然提交", "请再按一次“%(button)s”"),
        ("en", "Accessibility check", "Submit anyway", "press “%(button)s” again"),
    ],
)
def test_the_editor_shows_the_panel_and_the_confirm_labels(
    client, writer, creator, settings, language, panel, again, note
):
    article = ArticleFactory(creator=creator, status="draft")
    client.force_login(writer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("web:studio-article", args=[article.pk])).content.decode()
    assert f'data-url="{URL}"' in page
    assert f'<h2 id="a11y-check-title">{panel}</h2>' in page
    assert 'id="a11y-check-result" class="a11y-check-result" aria-live="polite"' in page
    assert 'id="a11y-confirm" class="a11y-confirm" role="alert"' in page
    assert f'data-a11y-confirm="{again}"' in page
    # the note's placeholder is filled in by studio.js with the button's new label
    assert note in page


def test_a_trusted_account_publishes_anyway(client, writer, creator):
    creator.is_trusted = True
    creator.save(update_fields=["is_trusted"])
    article = ArticleFactory(creator=creator, status="draft")
    client.force_login(writer)
    page = client.get(reverse("web:studio-article", args=[article.pk])).content.decode()
    assert 'data-a11y-confirm="仍然发布"' in page


def test_the_live_preview_is_not_read_out_at_every_pause(client, writer, creator):
    article = ArticleFactory(creator=creator, status="draft")
    client.force_login(writer)
    page = client.get(reverse("web:studio-article", args=[article.pk])).content.decode()
    assert '<section class="preview-pane" aria-labelledby="preview-title" tabindex="0">' in page

"""The sign-in and sign-up pages in a real Chromium: each error is drawn beside its own field.
The desktop screenshots go to the test's artifacts, and to docs/screenshots/ when
``ZIXUN_DOCS_SCREENSHOTS=1`` (a plain run leaves the committed pictures alone: another
machine's fonts give other bytes)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

from zixun.accounts.tests.factories import UserFactory
from zixun.channels.services import channel_defaults_ensure

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def docs_screenshot(page: Page, name: str) -> None:
    if os.environ.get("ZIXUN_DOCS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def assert_beside(page: Page, name: str) -> None:
    """The field is marked invalid, described by its error, and the error is right below it."""
    field = page.locator(f"#id_{name}")
    assert field.get_attribute("aria-invalid") == "true"
    assert f"id_{name}_error" in (field.get_attribute("aria-describedby") or "").split()
    error = page.locator(f"#id_{name}_error")
    assert error.evaluate("(e, f) => e.parentElement === f.parentElement", field.element_handle())
    field_box, error_box = field.bounding_box(), error.bounding_box()
    assert field_box
    assert error_box
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 16
    assert field_box["height"] >= 44
    # the site's error colour, not the text colour
    assert error.evaluate("e => getComputedStyle(e).color") == "rgb(164, 0, 0)"


def test_the_sign_in_page_asks_for_the_email_address(
    live_server, page: Page, artifacts: Path
) -> None:
    channel_defaults_ensure()  # a transactional test starts from an empty database
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("label[for=id_login]").inner_text() == "邮箱地址"
    assert page.get_by_text("请用注册时填写的邮箱地址和密码登录。").is_visible()
    box = page.locator("button.account-primary").bounding_box()
    assert box
    assert box["height"] >= 44
    colour = page.locator("button.account-primary").evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert colour == "rgb(196, 22, 28)"
    page.screenshot(path=str(artifacts / "sign-in.png"), full_page=True)
    docs_screenshot(page, "sign-in.png")


def test_sign_up_errors_sit_beside_their_fields(live_server, page: Page, artifacts: Path) -> None:
    # given an account named "xiaoming"
    channel_defaults_ensure()  # a transactional test starts from an empty database
    UserFactory(username="xiaoming")
    # when someone signs up with that name, a short password and a mismatched repeat
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_email", "xiaoming@example.com")
    page.fill("#id_username", "xiaoming")
    page.fill("#id_password1", "abc")
    page.fill("#id_password2", "abd")
    page.click("button.account-primary")
    page.wait_for_selector("#id_username_error")
    # then each error is in its field's block, below its input, and marks only that input
    assert_beside(page, "username")
    assert_beside(page, "password1")
    assert page.locator("#id_email").get_attribute("aria-invalid") is None
    page.screenshot(path=str(artifacts / "sign-up-errors-short.png"), full_page=True)
    # when the password is long enough but typed differently the second time
    page.fill("#id_password1", "Chun-feng-2024-du")
    page.fill("#id_password2", "Chun-feng-2024-dx")
    page.click("button.account-primary")
    page.wait_for_selector("#id_password2_error")
    # then the mismatch is beside the repeat, and the taken user name still beside its field
    assert_beside(page, "password2")
    assert_beside(page, "username")
    assert page.locator("#id_password1").get_attribute("aria-invalid") is None
    page.screenshot(path=str(artifacts / "sign-up-errors.png"), full_page=True)
    docs_screenshot(page, "sign-up-errors.png")

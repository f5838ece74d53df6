"""allauth's pages and mails as the site shows them (templates/account/, accounts/adapter.py)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import translation

from zixun.accounts.adapter import PASSWORD_TOO_SHORT
from zixun.accounts.tests.factories import UserFactory
from zixun.core.errors import message_format

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Chun-feng-2024-du"
FIELD = re.compile(r'<div class="account-field[^"]*">(.*?)</div>', re.S)


def fields(page: str) -> dict[str, str]:
    """Each form field's block on the page (label, input, error), by the input's name."""
    blocks = {}
    for block in FIELD.findall(page):
        name = re.search(r'<input[^>]* name="([^"]+)"', block)
        if name:
            blocks[name.group(1)] = block
    return blocks


def sign_up(client, **data):
    form = {
        "email": "xiaoming@example.com",
        "username": "xiaoming",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        **data,
    }
    return client.post(reverse("account_signup"), form)


def use_language(client, settings, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def test_a_taken_user_name_is_shown_beside_the_user_name_field(client):
    # given an account named "xiaoming"
    UserFactory(username="xiaoming")
    # when someone signs up with that name and a new email address
    page = sign_up(client).content.decode()
    # then the error sits in the user name's block, and only that field is marked
    blocks = fields(page)
    username = blocks["username"]
    assert 'aria-invalid="true"' in username
    assert 'aria-describedby="id_username_error"' in username
    assert re.search(
        r'<p class="field-error" id="id_username_error"><span>[^<]+</span></p>', username
    )
    assert "aria-invalid" not in blocks["email"]
    assert "field-error" not in blocks["email"]


def test_an_email_field_error_is_shown_beside_the_email_field(client):
    # when someone signs up with an address that is not one
    page = sign_up(client, email="not-an-address").content.decode()
    # then the email field is marked and described by its own error
    email = fields(page)["email"]
    assert 'aria-invalid="true"' in email
    assert 'aria-describedby="id_email_error"' in email
    assert 'id="id_email_error"' in email
    assert "aria-invalid" not in fields(page)["username"]


def test_a_short_password_is_explained_in_the_readers_language(client, settings):
    for language in ["zh-hans", "en"]:
        use_language(client, settings, language)
        page = sign_up(client, password1="abc", password2="abc").content.decode()
        with translation.override(language):
            expected = message_format(PASSWORD_TOO_SHORT, min_length=8)
        assert expected in fields(page)["password1"], language
        if language == "zh-hans":
            assert "This password is too short" not in page


def test_a_taken_email_signs_nobody_up_and_mails_the_owner_naming_the_site(client):
    # given a member (allauth prevents enumeration: the form does not say the address is taken)
    owner = UserFactory(username="owner")
    # when someone signs up with the member's address
    response = sign_up(client, email=owner.email)
    # then no second account is made, and the owner gets a mail from the site
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert "资讯" in mail.outbox[0].subject
    assert mail.outbox[0].body.startswith("你好！这是资讯发给你的邮件。")


@pytest.mark.parametrize(
    ("language", "name", "greeting"),
    [("zh-hans", "资讯", "你好！这是资讯发给你的邮件。"), ("en", "Zixun", "Hello from Zixun!")],
)
def test_the_confirmation_mail_names_the_site_not_the_host(
    client, settings, language, name, greeting
):
    # given a reader who chose a language
    use_language(client, settings, language)
    # when they sign up
    assert sign_up(client).status_code == 302
    # then the confirmation mail names the site in its subject and greeting, never the host
    [message] = mail.outbox
    assert message.subject.startswith(f"[{name}] ")
    assert message.body.startswith(greeting)
    assert "testserver" not in message.subject
    assert "testserver" not in message.body.split("http", 1)[0]
    assert re.search(r"^http://testserver/accounts/confirm-email/\S+$", message.body, re.M)


def test_the_sign_in_code_mail_names_the_site(client):
    # given a member with a verified address
    member = UserFactory(username="member")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    # when they ask for a sign-in code
    client.post(reverse("account_request_login_code"), {"email": member.email})
    # then the mail is from the site
    [message] = mail.outbox
    assert message.subject == "[资讯] 你的登录代码"
    assert message.body.startswith("你好！这是资讯发给你的邮件。")


def test_the_sign_in_form_says_to_use_the_email_address(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "请用注册时填写的邮箱地址和密码登录。" in page
    assert '<label for="id_login">邮箱地址</label>' in page


def test_a_wrong_password_is_an_alert_above_the_form(client):
    member = UserFactory(username="member")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    page = client.post(
        reverse("account_login"), {"login": member.email, "password": "wrong password"}
    ).content.decode()
    alert = page.index('class="account-alert" role="alert"')
    assert alert < page.index('<form class="account-form"')


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "url",
    [
        "account_login",
        "account_signup",
        "account_request_login_code",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_the_account_pages_use_the_sites_style(client, settings, url, language):
    use_language(client, settings, language)
    page = client.get(reverse(url)).content.decode()
    assert "web/account.css" in page
    assert 'class="page-title"' in page
    # no sentence left in allauth's wording, with its half-width full stop after Chinese
    assert not re.search(r"[\u4e00-\u9fff]\s*[.]", page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("url", ["account_change_password", "account_email"])
def test_the_signed_in_account_pages_use_the_sites_style(client, settings, url, language):
    user = UserFactory(email="reader@example.com")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client.force_login(user)
    use_language(client, settings, language)
    page = client.get(reverse(url)).content.decode()
    assert "web/account.css" in page
    assert 'class="page-title"' in page
    assert 'class="account-form"' in page
    assert not re.search(r"[\u4e00-\u9fff]\s*[.]", page)
    if url == "account_email":
        assert "reader@example.com" in page
        assert ("主邮箱" if language == "zh-hans" else "Primary") in page


def test_a_wrong_current_password_is_shown_beside_its_field(client):
    user = UserFactory(email="reader@example.com")
    user.set_password("the-right-password-1")
    user.save()
    client.force_login(user)
    page = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "wrong",
            "password1": "a-new-password-42",
            "password2": "a-new-password-42",
        },
    ).content.decode()
    assert 'id="id_oldpassword_error"' in page
    assert page.index("id_oldpassword_error") < page.index('name="password1"')

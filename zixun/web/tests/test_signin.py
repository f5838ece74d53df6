import re
from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from zixun.accounts.adapter import TOO_MANY_SIGN_IN_ATTEMPTS
from zixun.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # UserFactory's
STRANGER = "203.0.113.5"
OWNER = "198.51.100.7"


def member(**fields):
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client, email, password, *, address=OWNER, url=None):
    return client.post(
        url or reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=address,
    )


def is_signed_in(client):
    return "_auth_user_id" in client.session


def lock(client, email, *, address):
    for _ in range(5):
        assert sign_in(client, email, "wrong password", address=address).status_code == 200


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(client, django_user_model):
    # given a stranger who tried five wrong passwords on the owner's account
    owner = member()
    lock(client, owner.email, address=STRANGER)
    assert sign_in(client, owner.email, PASSWORD, address=STRANGER).status_code == 429
    # when the owner signs in from their own address
    response = sign_in(client, owner.email, PASSWORD, address=OWNER)
    # then they are in
    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_limited_sign_in_answers_429_and_offers_the_code(client):
    owner = member()
    lock(client, owner.email, address=OWNER)
    response = sign_in(client, owner.email, PASSWORD, address=OWNER)
    assert response.status_code == 429
    page = response.content.decode()
    assert str(TOO_MANY_SIGN_IN_ATTEMPTS) in page
    assert reverse("account_request_login_code") in page
    assert not is_signed_in(client)


def test_the_owner_signs_in_with_an_emailed_code_while_locked(client):
    # given an owner locked out of password sign-in on their own address
    owner = member()
    lock(client, owner.email, address=OWNER)
    assert sign_in(client, owner.email, PASSWORD).status_code == 429
    # when they ask for a code
    response = client.post(
        reverse("account_request_login_code"), {"email": owner.email}, REMOTE_ADDR=OWNER
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    page = client.get(response["Location"], REMOTE_ADDR=OWNER)
    assert page.status_code == 200
    # then the e-mail carries a code that signs them in
    assert [message.to for message in mail.outbox] == [[owner.email]]
    code = re.search(r"^([A-Z0-9]{3,}-?[A-Z0-9]{3,})$", mail.outbox[0].body, re.M).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code}, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == owner.pk


def test_the_admin_sign_in_goes_through_the_limited_sign_in(client):
    # given a staff member
    staff = member(is_staff=True, is_superuser=True)
    # the admin's own form is gone: a post with the right password signs nobody in
    response = sign_in(client, staff.email, PASSWORD, url="/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert not is_signed_in(client)
    # and it sends to the site's sign-in, which limits wrong passwords
    target = client.get("/admin/login/?next=/admin/auth/")["Location"]
    assert target == reverse("account_login") + "?" + urlencode({"next": "/admin/auth/"})
    for _ in range(5):
        assert (
            sign_in(client, staff.email, "wrong", address=STRANGER, url=target).status_code == 200
        )
    assert sign_in(client, staff.email, PASSWORD, address=STRANGER, url=target).status_code == 429
    assert not is_signed_in(client)


def test_staff_reach_the_admin_after_signing_in(client):
    staff = member(is_staff=True, is_superuser=True)
    to_admin = client.get(reverse("admin:index"))
    target = client.get(to_admin["Location"])["Location"]  # /admin/login/ → the sign-in
    response = client.post(target, {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get("/admin/login/?next=/admin/auth/")["Location"] == "/admin/auth/"


def test_a_reader_who_is_not_staff_is_refused_the_admin_without_a_loop(client):
    client.force_login(member())
    to_login = client.get(reverse("admin:index"))
    assert client.get(to_login["Location"]).status_code == 403


def test_the_code_pages_are_translated(client, settings):
    for language, words in [("zh-hans", "登录代码"), ("en", "sign-in code")]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("account_request_login_code")).content.decode()
        assert words in page, language

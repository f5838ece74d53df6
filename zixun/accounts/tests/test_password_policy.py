"""The password policy (docs/security.md, "Passwords"): AUTH_PASSWORD_VALIDATORS with
zixun/accounts/validators.py, and Argon2 as the production hasher."""

import importlib

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.urls import reverse

from zixun.accounts.models import User
from zixun.accounts.tests.factories import UserFactory
from zixun.accounts.validators import (
    PASSWORD_ACCOUNT_NAME,
    PASSWORD_DECORATED_COMMON,
    PASSWORD_KEYBOARD_WALK,
    PASSWORD_MAX_LENGTH,
    PASSWORD_REPEATED,
    PASSWORD_SITE_NAME,
    PASSWORD_TOO_LONG,
    MaximumLengthValidator,
    PatternPasswordValidator,
    is_walk,
)
from zixun.core.errors import message_format

PASSPHRASE_64 = "春风又绿江南岸 the river runs east past nine bridges and one old mill!!"
assert len(PASSPHRASE_64) == 64


def refusals(password, user=None):
    """The messages validate_password gives for ``password``; [] when it is accepted."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [str(message) for message in error.messages]
    return []


def test_argon2_is_the_production_hasher():
    production = importlib.import_module("config.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = Argon2PasswordHasher().encode("correct horse battery", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")
    assert Argon2PasswordHasher().verify("correct horse battery", encoded)


def test_the_validators_are_in_force():
    names = {type(v).__name__ for v in get_default_password_validators()}
    assert {
        "CommonPasswordValidator",
        "MinimumLengthValidator",
        "NumericPasswordValidator",
        "UserAttributeSimilarityValidator",
        "MaximumLengthValidator",
        "PatternPasswordValidator",
    } <= names
    assert len(password_validators_help_texts()) == len(names)


@pytest.mark.parametrize("password", ["password", "12345678", "qwerty123", "iloveyou"])
def test_common_passwords_are_refused(password):
    assert refusals(password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password2024", PASSWORD_DECORATED_COMMON),
        ("Password2024!", PASSWORD_DECORATED_COMMON),
        ("!!sunshine1999", PASSWORD_DECORATED_COMMON),
        ("p@ssw0rd", PASSWORD_DECORATED_COMMON),
        ("qwertyuiop", PASSWORD_KEYBOARD_WALK),
        ("1qaz2wsx3edc", PASSWORD_KEYBOARD_WALK),
        ("zaq12wsxcde3", PASSWORD_KEYBOARD_WALK),
        ("asdfghjkl;", PASSWORD_KEYBOARD_WALK),
        ("abcd1234", PASSWORD_KEYBOARD_WALK),
        ("!@#$%^&*()", PASSWORD_KEYBOARD_WALK),
        ("aaaaaaaaaaaa", PASSWORD_REPEATED),
        ("xyzxyzxyzxyz", PASSWORD_REPEATED),
        ("我爱你我爱你我爱你", PASSWORD_REPEATED),
        ("zixun2025", PASSWORD_SITE_NAME),
        ("Zixun!Zixun!", PASSWORD_REPEATED),
        ("资讯2024资讯", PASSWORD_SITE_NAME),
    ],
)
def test_guessable_patterns_are_refused_with_their_reason(password, message):
    assert str(message) in refusals(password)


def test_the_configured_site_name_is_refused(settings):
    settings.ZIXUN_SITE_NAME = "晨江资讯"
    settings.ZIXUN_SITE_NAME_EN = "Chenjiang News"
    assert str(PASSWORD_SITE_NAME) in refusals("晨江资讯2026!")
    assert str(PASSWORD_SITE_NAME) in refusals("Chenjiang-News-1")


def test_the_users_email_local_part_and_name_are_refused():
    user = User(username="moonriver", email="li.xiaolong@example.com")
    assert str(PASSWORD_ACCOUNT_NAME) in refusals("lixiaolong1988", user)
    assert str(PASSWORD_ACCOUNT_NAME) in refusals("Li.Xiaolong!!", user)
    assert str(PASSWORD_ACCOUNT_NAME) in refusals("moonriver2020", user)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "Tr0ub4dor&3-staple",
        "我爱北京天安门广场的早晨",
        "x7#Kp2!mQz9w",
        "defy1999-lantern",
        "monkey83920174628!",  # a common word, but eleven random digits are strength of their own
        PASSPHRASE_64,
        "w" + "the slow green river bends around the hill " * 23,  # 967 characters
    ],
)
def test_good_passwords_and_long_passphrases_are_accepted(password):
    assert refusals(password, User(username="reader", email="reader@example.com")) == []


def test_a_password_at_the_maximum_is_accepted_and_one_past_it_is_refused():
    words = ("river stone lantern 春风 " * 60)[:PASSWORD_MAX_LENGTH]
    assert len(words) == PASSWORD_MAX_LENGTH
    assert refusals(words) == []
    too_long = message_format(PASSWORD_TOO_LONG, max_length=PASSWORD_MAX_LENGTH)
    assert refusals(words + "x") == [too_long]


def test_the_validators_stand_alone():
    """They work outside the settings list too (a command, the admin's own form)."""
    with pytest.raises(ValidationError) as refused:
        MaximumLengthValidator(max_length=10).validate("x" * 11)
    assert refused.value.code == "password_too_long"
    with pytest.raises(ValidationError) as refused:
        PatternPasswordValidator().validate("qwertyuiop")
    assert refused.value.code == "password_guessable"
    assert is_walk("qwerty")
    assert not is_walk("qwe rty")


@pytest.mark.django_db
def test_a_64_character_passphrase_signs_up_and_signs_in(client):
    # when a reader signs up with a 64-character passphrase
    response = client.post(
        reverse("account_signup"),
        {
            "email": "chang@example.com",
            "username": "chang",
            "password1": PASSPHRASE_64,
            "password2": PASSPHRASE_64,
        },
    )
    # then the account exists with exactly that password, not a cut-down one
    assert response.status_code == 302
    user = User.objects.get(email="chang@example.com")
    assert check_password(PASSPHRASE_64, user.password)
    assert not check_password(PASSPHRASE_64[:-1], user.password)


@pytest.mark.django_db
def test_sign_up_explains_a_guessable_and_a_too_long_password(client):
    for password, message in [
        ("Password2024!", str(PASSWORD_DECORATED_COMMON)),
        ("x" + "long river " * 100, message_format(PASSWORD_TOO_LONG, max_length=1024)),
    ]:
        page = client.post(
            reverse("account_signup"),
            {
                "email": "song@example.com",
                "username": "song",
                "password1": password,
                "password2": password,
            },
        ).content.decode()
        assert message in page
    assert not User.objects.filter(email="song@example.com").exists()


@pytest.mark.django_db
def test_a_password_change_is_held_to_the_same_policy(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "correct horse battery",
            "password1": "qwertyuiop[]",
            "password2": "qwertyuiop[]",
        },
    )
    assert str(PASSWORD_KEYBOARD_WALK) in response.content.decode()
    user.refresh_from_db()
    assert check_password("correct horse battery", user.password)

"""allauth's adapter: failed sign-ins counted per client and account together.

allauth locks an account (its ``login_failed`` limit keyed by the e-mail address)
after five wrong passwords from anyone, so a stranger could keep its owner out.
Here the key is the client's address and the account together: a stranger's
wrong passwords lock out only the stranger, and an owner locked out on their own
address signs in with a code sent by e-mail (``ACCOUNT_LOGIN_BY_CODE_ENABLED``),
which the lock does not cover. The per-address limit (any account) stays.

Mails name the site (``ZIXUN_SITE_NAME``, or ``ZIXUN_SITE_NAME_EN`` for a reader who chose
English) rather than allauth's ``Site`` record, whose name is the host it was first served on.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import truncate_ip
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zixun.core.clientaddr import client_address

TOO_MANY_SIGN_IN_ATTEMPTS = _(
    "密码错误次数太多，请几分钟后再试，或点击下方“发送登录代码给我”，用发到邮箱的代码登录"
)

EMAIL_PASSWORD_MISMATCH = _("邮箱地址或密码不正确。")
USERNAME_TAKEN = _("这个用户名已经有人用了，请换一个。")
# Django's own message for a short password has no Chinese translation in Django 5.2.
PASSWORD_TOO_SHORT = _("密码太短，至少需要 %(min_length)d 个字符。")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": TOO_MANY_SIGN_IN_ATTEMPTS,
        "email_password_mismatch": EMAIL_PASSWORD_MISMATCH,
        "username_taken": USERNAME_TAKEN,
    }

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address the site's own limits use (a trusted proxy's header, zixun.core.clientaddr)."""
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{truncate_ip(self.get_client_ip(request))}|{account}"

    def clean_password(self, password: str, user: AbstractBaseUser | None = None) -> str:
        """allauth's and Django's password checks, each message in the reader's language."""
        try:
            return str(super().clean_password(password, user))
        except ValidationError as error:
            raise ValidationError([_translated(each) for each in error.error_list]) from None

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's mail, with the site's name and address for the templates in account/email/."""
        site = {"site_name": site_name_get(), "site_url": settings.ZIXUN_SITE_URL}
        super().send_mail(template_prefix, email, {**site, **context})

    def format_email_subject(self, subject: str) -> str:
        """The configured prefix, with the site's English name in a mail sent in English."""
        prefix = str(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX or "")
        if get_language() == "en":
            prefix = prefix.replace(settings.ZIXUN_SITE_NAME, settings.ZIXUN_SITE_NAME_EN)
        return prefix + str(subject)


def site_name_get() -> str:
    """The site's name in the active language."""
    if get_language() == "en":
        return str(settings.ZIXUN_SITE_NAME_EN)
    return str(settings.ZIXUN_SITE_NAME)


def _translated(error: ValidationError) -> ValidationError:
    if error.code == "password_too_short":
        return ValidationError(PASSWORD_TOO_SHORT, code=error.code, params=error.params)
    return error

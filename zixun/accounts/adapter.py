"""allauth's adapter: failed sign-ins counted per client and account together.

allauth locks an account (its ``login_failed`` limit keyed by the e-mail address)
after five wrong passwords from anyone, so a stranger could keep its owner out.
Here the key is the client's address and the account together: a stranger's
wrong passwords lock out only the stranger, and an owner locked out on their own
address signs in with a code sent by e-mail (``ACCOUNT_LOGIN_BY_CODE_ENABLED``),
which the lock does not cover. The per-address limit (any account) stays.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import truncate_ip
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zixun.core.clientaddr import client_address

TOO_MANY_SIGN_IN_ATTEMPTS = _(
    "密码错误次数太多，请几分钟后再试，或点击下方“发送登录代码给我”，用发到邮箱的代码登录"
)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": TOO_MANY_SIGN_IN_ATTEMPTS,
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

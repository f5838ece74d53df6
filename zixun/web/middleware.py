from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Send ZIXUN_CSP on every response that does not set its own policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.ZIXUN_CSP and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.ZIXUN_CSP
        return response

"""The one error body of the API: RFC 9457 ``application/problem+json``.

Every refusal under /api/v1/ answers with the same shape::

    {"type": "https://zixun.example/problems/<code>", "title": "<localized>", "status": 404,
     "code": "<stable code>", "detail": "<localized, optional>", "errors": [...optional]}

``code`` is stable across releases and languages (clients branch on it); ``title`` and
``detail`` are gettext strings in the caller's language (``Accept-Language``).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """Raised inside an endpoint to answer with a problem body."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str | Promise,
        detail: str | Promise | None = None,
        *,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.errors = errors


def problem_response(problem: Problem) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"about:blank#{problem.code}",
        "title": str(problem.title),
        "status": problem.status,
        "code": problem.code,
    }
    if problem.detail is not None:
        body["detail"] = str(problem.detail)
    if problem.errors is not None:
        body["errors"] = problem.errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response

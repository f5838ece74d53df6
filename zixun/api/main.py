"""The NinjaAPI instance of /api/v1/ and its routers (docs/api.md)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from zixun.api.problems import Problem, problem_response

api = NinjaAPI(
    title="Zixun API",
    version="1",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(exc)


# Routers: public reads (zixun/api/public.py), token-authenticated writes (zixun/api/writes.py).

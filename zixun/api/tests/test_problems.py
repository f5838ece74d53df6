"""One error body everywhere under /api/v1/: application/problem+json, localized, a stable code.

Body, permission and service refusals are checked on a small API built with the same
``api_create`` (its URLs under /test-api/), so that they do not depend on the write
endpoints of zixun/api/writes.py.
"""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.test import override_settings
from django.urls import include, path, reverse
from ninja import Router, Schema, Status
from ninja.errors import AuthenticationError
from pydantic import ConfigDict

from zixun.api import limits
from zixun.api.main import api_create
from zixun.api.problems import Problem, problem, service_error_register
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.errors import ServiceError

pytestmark = pytest.mark.django_db


class ThingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str
    count: int = 0


class ThingRefusedError(ServiceError):
    pass


class ThingConflictError(ServiceError):
    pass


service_error_register(ThingConflictError, status=409, code="thing_exists")

router = Router()


@router.post("/things", response={201: ThingIn})
def thing_create_api(request: HttpRequest, payload: ThingIn) -> Status[ThingIn]:
    if payload.title == "refuse":
        raise ThingRefusedError("标题不能为空")
    if payload.title == "conflict":
        raise ThingConflictError("已存在")
    if payload.title == "boom":
        raise RuntimeError("/secret/path/settings.py leaked?")
    if payload.title == "forbidden":
        raise PermissionDenied
    if payload.title == "missing":
        raise Http404
    if payload.title == "anonymous":
        raise AuthenticationError
    if payload.title == "teapot":
        raise problem(418, "teapot")
    return Status(201, payload)


test_api = api_create(urls_namespace="test-api", title="test", docs_url=None)
test_api.add_router("", router)
urlpatterns = [path("test-api/", test_api.urls), path("", include("config.urls"))]

THINGS = "/test-api/things"


@pytest.fixture
def api_client(client):
    with override_settings(ROOT_URLCONF=__name__):
        yield client


def post(client, data, content_type="application/json", **headers):
    response = client.post(THINGS, data, content_type=content_type, headers=headers)
    return response, response.json() if response.content else None


def assert_problem(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"about:blank#{code}"
    assert body["title"]
    return body


def test_a_valid_body_is_accepted(api_client):
    response, body = post(api_client, {"title": "好", "count": 2})
    assert response.status_code == 201
    assert body == {"title": "好", "count": 2}


def test_schema_violations_and_unknown_fields_are_422_with_their_paths(api_client):
    response, _ = post(api_client, {"title": "好", "count": "many", "colour": "red"})
    body = assert_problem(response, 422, "validation_failed")
    fields = sorted(error["field"] for error in body["errors"])
    assert fields == ["body.payload.colour", "body.payload.count"]
    assert all(error["message"] and error["type"] for error in body["errors"])
    response, _ = post(api_client, {})
    body = assert_problem(response, 422, "validation_failed")
    assert [error["field"] for error in body["errors"]] == ["body.payload.title"]


def test_each_field_error_is_in_the_callers_language(api_client):
    data = {"title": "好", "count": "many", "colour": "red"}
    zh = {
        e["type"]: e["message"]
        for e in assert_problem(post(api_client, data)[0], 422, "validation_failed")["errors"]
    }
    en = {e["type"]: e["message"] for e in assert_problem(post(api_client, data, **{"Accept-Language": "en"})[0],
                                                          422, "validation_failed")["errors"]}  # fmt: skip
    assert zh == {"int_parsing": "应为整数", "extra_forbidden": "不认识这个字段"}
    assert en == {"int_parsing": "Should be a whole number", "extra_forbidden": "Unknown field"}
    # with the error's context filled in, and the choices without pydantic's English "or"
    body = assert_problem(api_client.get("/api/v1/search", {"q": "援疆" * 60, "order": "best"}),
                          422, "validation_failed")  # fmt: skip
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["query.q"] == "最多 100 个字符"
    assert messages["query.order"] == "应为以下之一：'relevance' / 'newest'"


def test_broken_json_is_400_and_another_media_type_415(api_client):
    response, _ = post(api_client, '{"title": ', content_type="application/json")
    assert_problem(response, 400, "invalid_json")
    response, _ = post(api_client, b"\xff\xfe", content_type="application/json")
    assert_problem(response, 400, "invalid_json")
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response, _ = post(api_client, "title=x", content_type=content_type)
        assert_problem(response, 415, "unsupported_media_type")
    response, _ = post(api_client, {"title": "好"}, content_type="application/merge-patch+json")
    assert response.status_code == 201


def test_a_body_over_the_size_limit_is_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response, _ = post(api_client, {"title": "大" * 2000})
    body = assert_problem(response, 413, "payload_too_large")
    assert "1000" in body["detail"]


def test_a_10_mb_payload_is_413(api_client):
    response, _ = post(api_client, '{"title": "' + "x" * (10 * 1024 * 1024) + '"}')
    assert_problem(response, 413, "payload_too_large")


def test_service_errors_permission_and_not_found_are_problems(api_client):
    body = assert_problem(post(api_client, {"title": "refuse"})[0], 400, "request_refused")
    assert body["detail"] == "标题不能为空"
    assert_problem(post(api_client, {"title": "conflict"})[0], 409, "thing_exists")
    assert_problem(post(api_client, {"title": "forbidden"})[0], 403, "forbidden")
    assert_problem(post(api_client, {"title": "missing"})[0], 404, "not_found")
    assert_problem(post(api_client, {"title": "teapot"})[0], 418, "teapot")


def test_an_authentication_failure_is_401_with_www_authenticate(api_client):
    response, _ = post(api_client, {"title": "anonymous"})
    assert_problem(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == 'Bearer realm="zixun"'


def test_an_unexpected_exception_is_a_500_problem_without_details(api_client, caplog):
    with caplog.at_level(logging.ERROR, logger="zixun.api"):
        response, _ = post(api_client, {"title": "boom"})
    body = assert_problem(response, 500, "internal_error")
    text = response.content.decode()
    for leak in ("secret", "Traceback", "RuntimeError", "settings.py"):
        assert leak not in text
    assert body["detail"]
    assert any(
        "RuntimeError" in (record.exc_text or "") or record.exc_info for record in caplog.records
    )


def test_unknown_paths_and_wrong_methods_under_the_api_are_problems(client):
    for unknown in ("/api/v1/", "/api/v1/nope", "/api/v1/articles/1/nope", "/api/v1/articles/x"):
        assert_problem(client.get(unknown), 404, "not_found")
    assert_problem(client.post("/api/v1/nope"), 404, "not_found")
    response = client.delete(reverse("api:channel_list_api"))
    assert_problem(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert client.get("/no-such-page/").status_code == 404  # the site's own 404 is unchanged
    assert "problem" not in client.get("/no-such-page/")["Content-Type"]


def test_titles_follow_accept_language_then_chinese(client):
    zh = client.get("/api/v1/nope").json()
    en_response = client.get("/api/v1/nope", headers={"Accept-Language": "en-US,en;q=0.9"})
    fr = client.get("/api/v1/nope", headers={"Accept-Language": "fr"}).json()
    assert zh["title"] == "找不到请求的资源"
    assert en_response["Content-Language"] == "en"
    assert "Accept-Language" in en_response["Vary"]
    assert fr == zh
    # the code never changes with the language
    assert en_response.json()["code"] == zh["code"] == "not_found"


def test_a_detail_is_in_english_for_an_english_caller(client):
    ArticleFactory()
    zh = client.get(reverse("api:article_list_api"), {"cursor": "garbage"}).json()
    en = client.get(
        reverse("api:article_list_api"), {"cursor": "garbage"}, headers={"Accept-Language": "en"}
    ).json()
    assert zh["detail"] == "分页参数无效，请从第一页重新浏览"
    assert en["detail"] == "Invalid page cursor: start again from the first page"
    assert zh["code"] == en["code"] == "invalid_cursor"


def test_the_sites_language_cookie_wins_over_accept_language(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/api/v1/nope", headers={"Accept-Language": "zh-CN"})
    assert response["Content-Language"] == "en"


def test_past_the_rate_limit_a_client_gets_429_with_retry_after(client, monkeypatch):
    monkeypatch.setattr(limits, "READS_PER_MINUTE", 3)
    channels = reverse("api:channel_list_api")
    assert [client.get(channels).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(channels)
    body = assert_problem(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 61
    assert response["Retry-After"] in body["detail"]
    # another address has its own allowance
    assert client.get(channels, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_made_up_tokens_do_not_buy_fresh_allowances(client, monkeypatch):
    monkeypatch.setattr(limits, "READS_PER_MINUTE", 2)
    channels = reverse("api:channel_list_api")
    statuses = [
        client.get(channels, headers={"Authorization": f"Bearer made-up-{n}"}).status_code
        for n in range(limits.ADDRESS_FACTOR * 2 + 1)
    ]
    assert statuses[-1] == 429


def test_problem_raised_directly_keeps_its_headers():
    raised = problem(429, "rate_limited", headers={"Retry-After": "5"})
    assert isinstance(raised, Problem)
    assert raised.headers == {"Retry-After": "5"}
    assert str(raised.title) == "请求太频繁"


def test_a_failure_around_the_operation_is_a_500_problem_too(client, monkeypatch, caplog):
    def broken(request):
        raise ConnectionError("redis://secret-host:6379 refused")

    monkeypatch.setattr(limits, "api_rate_limit_request", broken)
    with caplog.at_level(logging.ERROR, logger="zixun.api"):
        response = client.get(reverse("api:channel_list_api"))
    assert_problem(response, 500, "internal_error")
    assert "secret-host" not in response.content.decode()
    assert caplog.records

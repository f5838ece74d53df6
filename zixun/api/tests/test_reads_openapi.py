"""The published schema (docs/api/openapi.json) is the one the code serves."""

import json

import pytest
from django.core.management import CommandError, call_command

from zixun.api.management.commands.api_schema import SCHEMA_FILE, schema_text


def test_the_committed_schema_is_current():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/api/openapi.json is out of date: run `.venv/bin/zixun api-schema`"
    )


def test_the_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("api_schema", "--check", "--output", str(stale))
    call_command("api_schema", "--output", str(stale))
    call_command("api_schema", "--check", "--output", str(stale))
    assert json.loads(stale.read_text(encoding="utf-8"))["info"]["title"] == "Zixun API"


def test_the_served_schema_is_the_file(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    operations = {op["operationId"] for path in served["paths"].values() for op in path.values()}
    assert {
        "public_article_list",
        "public_search_search",
        "public_comments_article_comments",
    } <= operations
    assert all(
        "4XX" in op["responses"] for path in served["paths"].values() for op in path.values()
    )


def _schema_classes(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schema_classes(sub)


def test_no_two_schemas_share_a_name():
    """The schema names its components by class name: a second class of the same name
    would silently replace the first in the published schema."""
    from ninja import Schema

    import zixun.api.main  # noqa: F401 (every router and its schemas loaded)

    by_name = {}
    for cls in _schema_classes(Schema):
        if cls.__module__.startswith("zixun.api.") and ".tests." not in cls.__module__:
            by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert shared == {}

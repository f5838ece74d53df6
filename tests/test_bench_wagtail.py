"""The Wagtail baseline's project settings: SQLite, or PostgreSQL when Zixun runs on it."""

import ast
from pathlib import Path

import pytest

from bench.errors import BenchError
from bench.wagtail import PACKAGE, databases_setting, project_pin, write_project

ROOT = Path(__file__).resolve().parent.parent


def _databases(directory: Path) -> dict:
    tree = ast.parse((directory / PACKAGE / "settings.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DATABASES":
            return ast.literal_eval(node.value)
    raise AssertionError("no DATABASES in the generated settings")


def test_the_project_is_on_sqlite_by_default(tmp_path):
    write_project(tmp_path)
    default = _databases(tmp_path)["default"]
    assert default == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "db.sqlite3"),
    }


def test_the_project_reads_postgresql_with_persistent_connections(tmp_path):
    write_project(tmp_path, database_url="postgres://postgres@127.0.0.1:5432/zixun_bench_wagtail")
    default = _databases(tmp_path)["default"]
    assert default["ENGINE"] == "django.db.backends.postgresql"
    assert (default["NAME"], default["USER"], default["HOST"], default["PORT"]) == (
        "zixun_bench_wagtail", "postgres", "127.0.0.1", "5432",
    )  # fmt: skip
    assert default["CONN_MAX_AGE"] == 60  # as Zixun's production settings


@pytest.mark.parametrize("url", ["mysql://root@127.0.0.1/test", "postgres://127.0.0.1:5432/"])
def test_another_database_url_is_refused(tmp_path, url):
    with pytest.raises(BenchError, match="not a PostgreSQL database URL"):
        databases_setting(tmp_path, url)


def test_the_venv_pins_the_projects_versions():
    assert project_pin(ROOT, "granian")
    assert project_pin(ROOT, "psycopg[binary]")
    with pytest.raises(BenchError, match="pins no"):
        project_pin(ROOT, "no-such-package")

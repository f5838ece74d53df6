"""After a bulk load the planner's statistics are refreshed (zixun/core/dbstats.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.dbstats import statistics_refresh

pytestmark = pytest.mark.django_db


def _planned_rows() -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [Article._meta.db_table]
        )
        return float(cursor.fetchone()[0])


def test_postgresql_learns_that_the_articles_grew():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statistics only (set DATABASE_URL)")
    ArticleFactory.create_batch(37)
    # not analysed since they were added: the planner's count is another (or none, -1)
    assert _planned_rows() != Article.objects.count()
    assert statistics_refresh() is True
    assert _planned_rows() == Article.objects.count()


def test_sqlite_needs_no_statistics():
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default only")
    assert statistics_refresh() is False

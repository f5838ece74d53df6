"""Bulk INSERT of generated rows, prepared by the ORM once (``zixun demo-scale``,
``zixun gen-scale`` and the search bench).

``Model.objects.bulk_create`` runs every field of every row through ``pre_save`` and
``get_db_prep_save``: about 0.1 ms a row, minutes for a million articles. Here the ORM
prepares one template row (so the values are exactly what ``bulk_create`` would
write, defaults and auto_now times included) and only the columns that differ
between rows are prepared per row. Every value is a query parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Field, Model

_AS_IS = frozenset({str, int, bool, float})


class PreparedInsert:
    """The INSERT statement of ``model`` and rows for it: ``template``'s values with the
    named columns replaced. With ``pk`` the statement sets the primary key too (the first
    value of each row)."""

    def __init__(self, model: type[Model], template: Model, *, pk: bool = False) -> None:
        fields: list[Field[Any, Any]] = [
            f for f in model._meta.concrete_fields if not f.primary_key
        ]
        self.fields = {f.name: f for f in fields}
        self.index = {f.name: i for i, f in enumerate(fields)}
        self.template = [
            f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields
        ]
        self.pk = pk
        quote = connection.ops.quote_name
        columns = [quote(f.column) for f in fields]
        if pk:
            assert model._meta.pk is not None
            columns.insert(0, quote(model._meta.pk.column))
        marks = ", ".join(["%s"] * len(columns))
        table = quote(model._meta.db_table)
        # Table and column names come from the model; every value is a parameter.
        self.sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        self._utc_text = connection.vendor == "sqlite" and str(connection.timezone) == "UTC"
        self.copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"

    def row(self, pk: int | None = None, /, **values: Any) -> list[Any]:
        """One row: the template with ``values`` (field names) prepared for the database."""
        row = self.template.copy()
        for name, value in values.items():
            # Strings, numbers and booleans are stored as they are (what the fields'
            # get_db_prep_save returns for them): the preparation is skipped.
            if type(value) not in _AS_IS:
                value = self.fields[name].get_db_prep_save(value, connection)
            row[self.index[name]] = value
        return [pk, *row] if self.pk else row

    def raw_row(self, pk: int | None = None, /, **values: Any) -> list[Any]:
        """Like ``row``, for values already in the database's form (strings, numbers,
        values from ``prepare``): the fast path for the columns of every row."""
        row = self.template.copy()
        for name, value in values.items():
            row[self.index[name]] = value
        return [pk, *row] if self.pk else row

    def prepare(self, name: str, value: Any) -> Any:
        """``value`` as the database takes it for the field ``name``."""
        return self.fields[name].get_db_prep_save(value, connection)

    def when(self, name: str, timestamp: float) -> Any:
        """The time ``timestamp`` (seconds since 1970) for the DateTimeField ``name``.
        Written here directly (SQLite stores UTC times as text, psycopg takes the aware
        time), it costs a third of the field's own preparation: it matters at millions."""
        at = datetime.fromtimestamp(timestamp, tz=UTC)
        if self._utc_text:
            return str(at.replace(tzinfo=None))
        if connection.vendor == "postgresql":
            return at  # what the field's preparation returns for an aware time
        return self.prepare(name, at)

    def upsert(
        self, rows: Sequence[Sequence[Any]], *, unique: Sequence[str], update: Sequence[str]
    ) -> None:
        """Insert ``rows``, or update the columns ``update`` of the rows that already have
        their ``unique`` values: multi-row statements of at most 900 values."""
        if not rows:
            return
        quote = connection.ops.quote_name
        marks = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
        keys = ", ".join(quote(self.fields[name].column) for name in unique)
        changes = ", ".join(
            f"{quote(self.fields[name].column)} = EXCLUDED.{quote(self.fields[name].column)}"
            for name in update
        )
        head = self.sql.split(" VALUES ", 1)[0]
        per = max(1, 900 // len(rows[0]))
        with connection.cursor() as cursor:
            for start in range(0, len(rows), per):
                chunk = rows[start : start + per]
                values = ", ".join([marks] * len(chunk))
                cursor.execute(
                    f"{head} VALUES {values} ON CONFLICT ({keys}) DO UPDATE SET {changes}",
                    [value for row in chunk for value in row],
                )

    def insert(self, rows: Sequence[Sequence[Any]]) -> None:
        """Write ``rows``: one COPY on PostgreSQL (several times faster than INSERTs, which
        psycopg sends one round trip each), one executemany elsewhere."""
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, rows)

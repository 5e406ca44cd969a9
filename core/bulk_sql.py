"""Set-based writes of plain tuples, for the hot paths (figure import, attainment recompute).

`bulk_create` builds a model instance per row and compiles every value through its field; on
the import and the recompute that Python work cost more than the database's (benchmark
profiles, docs/PERFORMANCE.md). These helpers write rows the caller has already validated as
tuples: multi-row INSERTs (PostgreSQL and SQLite), or on PostgreSQL COPY and single
INSERT/UPDATE statements over UNNEST-ed arrays (one statement whatever the row count). Every statement goes
through Django's cursor or is added to its query log, so query counts and tests see them.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterable, Sequence

from django.db import connection

# SQLite allows 32,766 bound parameters per statement; PostgreSQL 65,535.
MAX_PARAMS = 30_000
MAX_ROWS = 1_000


def db_datetime(value):
    """A datetime as the database backend stores it (naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def insert_rows(
    table: str, columns: Sequence[str], rows: Sequence[Sequence], *, returning_id: bool = False
) -> list[int]:
    """INSERT `rows` (tuples in `columns` order) with multi-row VALUES statements.

    Values must already be in a form the driver adapts (ints, Decimals, strings, dates, None,
    and datetimes through `db_datetime`). With `returning_id`, returns the new ids in row
    order (RETURNING, as `bulk_create` does on both backends).
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    # Table and column names come from model metadata, never from input; values are bound.
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {quote('id')}" if returning_id else ""
    per_batch = max(1, min(MAX_ROWS, MAX_PARAMS // len(columns)))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_batch):
            batch = rows[start : start + per_batch]
            params = [value for row in batch for value in row]
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, params)
            if returning_id:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


def _array_types(model, columns: Sequence[str]) -> list[str]:
    """Each column's PostgreSQL type, for casting a bound list to an array of it."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    return [by_column[c].db_type(connection) for c in columns]


def insert_unnest(
    model, columns: Sequence[str], rows: Sequence[Sequence], *, returning: Sequence[str] = ()
) -> list[tuple]:
    """INSERT `rows` of `model` in ONE statement on PostgreSQL, whatever their number:
    `INSERT … SELECT * FROM UNNEST(<one array per column>)`. Returns the `returning` columns
    of every new row; match them by a key, RETURNING's order is not promised. Elsewhere the
    multi-row INSERTs of `insert_rows` (then `returning` must be ("id",), in row order).
    """
    if not rows:
        return []
    table = model._meta.db_table
    quote = connection.ops.quote_name
    if connection.vendor != "postgresql":
        ids = insert_rows(table, columns, rows, returning_id=bool(returning))
        return [(pk,) for pk in ids]
    arrays = [list(column) for column in zip(*rows, strict=True)]
    unnest = ", ".join(f"%s::{kind}[]" for kind in _array_types(model, columns))
    tail = f" RETURNING {', '.join(quote(c) for c in returning)}" if returning else ""
    # Table and column names come from model metadata, never from input; values are bound.
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"SELECT * FROM UNNEST({unnest}){tail}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return [tuple(r) for r in cursor.fetchall()] if returning else []


def update_unnest(model, columns: Sequence[str], rows: Sequence[Sequence], *, same=None) -> None:
    """PostgreSQL: UPDATE `columns` of the rows of `model` in ONE statement whatever their
    number (`UPDATE … FROM UNNEST(…)`). Each row is (id, *values); `same` maps further
    columns to one value for every row."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    same = same or {}
    names = ["id", *columns]
    sets = [f"{quote(c)} = v.{quote(c)}" for c in columns] + [f"{quote(c)} = %s" for c in same]
    arrays = [list(column) for column in zip(*rows, strict=True)]
    unnest = ", ".join(f"%s::{kind}[]" for kind in _array_types(model, names))
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} "  # noqa: S608
        f"FROM UNNEST({unnest}) AS v ({', '.join(quote(c) for c in names)}) "
        f"WHERE {table}.{quote('id')} = v.{quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*same.values(), *arrays])


def copy_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write rows of `model` with COPY on PostgreSQL (INSERTs elsewhere); returns the count.

    Rows are written by the csv module (C code) in COPY's CSV format: an unquoted empty field
    is NULL, except in the model's NOT NULL text columns, where it is the empty string.
    COPY is the fastest way PostgreSQL loads rows; the statement is added to Django's query
    log like any other, so query counts stay honest.
    """
    table = model._meta.db_table
    if connection.vendor != "postgresql":
        materialised = list(rows)
        insert_rows(table, columns, materialised)
        return len(materialised)
    buf = io.StringIO()
    counter = _Counter(rows)
    # "\r\n" ends each row: the csv module quotes a field holding any character of the row
    # end, and PostgreSQL ends a row at an unquoted "\r" as at "\n" (a note typed with a lone
    # carriage return would otherwise split its row).
    csv.writer(buf, lineterminator="\r\n").writerows(counter)
    if not counter.count:
        return 0
    buf.seek(0)
    quote = connection.ops.quote_name
    by_column = {f.column: f for f in model._meta.concrete_fields}
    text_not_null = [
        quote(c)
        for c in columns
        if not by_column[c].null and by_column[c].get_internal_type() in ("CharField", "TextField")
    ]
    options = "FORMAT csv" + (
        f", FORCE_NOT_NULL ({', '.join(text_not_null)})" if text_not_null else ""
    )
    sql = (
        f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN WITH ({options})"
    )
    connection.ensure_connection()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buf)
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {counter.count} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
    return counter.count


class _Counter:
    """Iterates rows and counts them on the way (the csv writer consumes an iterator)."""

    def __init__(self, rows: Iterable[Sequence]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def for_update(qs):
    """Lock the rows of `qs` on PostgreSQL (SQLite serialises writers anyway)."""
    return qs.select_for_update(of=("self",)) if connection.features.has_select_for_update else qs

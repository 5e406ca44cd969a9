"""Set-based writes of plain tuples, for the hot paths (figure import, attainment recompute).

`bulk_create` builds a model instance per row and compiles every value through its field; on
the import and the recompute that Python work cost more than the database's (benchmark
profiles, docs/PERFORMANCE.md). These helpers write rows the caller has already validated as
tuples: multi-row INSERTs (PostgreSQL and SQLite), or COPY on PostgreSQL. Every statement goes
through Django's cursor or is added to its query log, so query counts and tests see them.
"""

from __future__ import annotations

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


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write rows with COPY on PostgreSQL (INSERTs elsewhere). Returns the number written.

    COPY is the fastest way PostgreSQL loads rows; the statement is added to Django's query
    log like any other, so query counts stay honest.
    """
    if connection.vendor != "postgresql":
        materialised = list(rows)
        insert_rows(table, columns, materialised)
        return len(materialised)
    buf = io.StringIO()
    count = 0
    for row in rows:
        buf.write("\t".join([_copy_text(v) for v in row]))
        buf.write("\n")
        count += 1
    if not count:
        return 0
    buf.seek(0)
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    connection.ensure_connection()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buf)
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {count} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
    return count

"""The API's CSV: the JSON's values, one row per item, safe to open in a spreadsheet.

Each cell is what the JSON says: numbers as JSON writes them, `true`/`false`, timestamps in ISO
8601 with `Z`, null as an empty cell, nested lists and objects (a team's members) as JSON text.
Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) is prefixed with `'` (OWASP "CSV injection"); numbers are never touched.
"""

from __future__ import annotations

import csv
import io
import json

from rest_framework.renderers import BaseRenderer
from rest_framework.utils import encoders

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet would evaluate, made inert with a leading apostrophe (OWASP)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


_ENCODER = encoders.JSONEncoder()


def _cell(value) -> str:
    """One value of the serializer's data as the JSON renderer would write it, as CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, list | tuple | dict):
        return json.dumps(
            value, cls=encoders.JSONEncoder, ensure_ascii=False, separators=(",", ":")
        )
    # Timestamps, dates, decimals, ids: the JSON renderer's own conversion, then as above.
    return _cell(_ENCODER.default(value))


def _items(data) -> list:
    if isinstance(data, dict):
        return data["results"] if isinstance(data.get("results"), list) else [data]
    return data if isinstance(data, list) else [data]


class CSVRenderer(BaseRenderer):
    """`?format=csv` or `Accept: text/csv`: one header row, one row per item.

    Paginated responses render their `results`; the next page is in the `Link` header. Errors
    never come here: they are problem documents (JSON) whatever was asked.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        # Each value converted by the JSON renderer's own encoder, so the CSV reads as the JSON.
        items = _items(data)
        buffer = io.StringIO()
        if items and isinstance(items[0], dict):
            header = list(items[0].keys())
            writer = csv.writer(buffer)
            writer.writerow([neutralise_formula(str(h)) for h in header])
            writer.writerows([_cell(row.get(k)) for k in header] for row in items)
        # A BOM lets Excel open Vietnamese text correctly.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")

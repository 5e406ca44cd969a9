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

from rest_framework.renderers import BaseRenderer, JSONRenderer

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet would evaluate, made inert with a leading apostrophe (OWASP)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class _Number(str):
    """A JSON number kept as its literal, so the CSV cell reads exactly as the JSON."""


def _cell(typed, plain) -> str:
    if typed is None:
        return ""
    if isinstance(typed, bool):
        return "true" if typed else "false"
    if isinstance(typed, _Number):
        return str.__str__(typed)
    if isinstance(typed, list | dict):
        return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    return neutralise_formula(typed)


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
        # Through the JSON renderer first: the same encoder, so the same values.
        encoded = JSONRenderer().render(data)
        typed = _items(json.loads(encoded, parse_float=_Number, parse_int=_Number))
        plain = _items(json.loads(encoded))
        buffer = io.StringIO()
        if typed and isinstance(typed[0], dict):
            header = list(typed[0].keys())
            writer = csv.writer(buffer)
            writer.writerow([neutralise_formula(str(h)) for h in header])
            for t_row, p_row in zip(typed, plain, strict=True):
                writer.writerow([_cell(t_row.get(k), p_row.get(k)) for k in header])
        # A BOM lets Excel open Vietnamese text correctly.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")

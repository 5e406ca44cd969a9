from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """`?format=csv` or `Accept: text/csv` on list endpoints: one header row, one row per item.

    Paginated responses render their `results`; the next page is in the `Link` header.
    Errors (a dict with `status`) render as a two-column field/message table.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        rows = data.get("results", data) if isinstance(data, dict) else data
        if isinstance(rows, dict):
            rows = [{"field": k, "message": v} for k, v in rows.items()]
        buffer = io.StringIO()
        if rows:
            header = list(rows[0].keys())
            writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        # A BOM lets Excel open Vietnamese text correctly.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")

from __future__ import annotations

from tests.access_matrix import Case  # noqa: F401

# Cases for the dashboards' URLs (see tests/access_matrix.py).
CASES: list[Case] = []

"""Browser: the entry grid's live preview reads numbers by the same rule as the server, and
shows the value that is then stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation

from core import numbers
from reports.models import DataValue
from tests.divisions.factories import PASSWORD
from tests.e2e.conftest import login, shot, swapped
from tests.reports.factories import amount_indicator

pytestmark = pytest.mark.e2e
VECTORS = Path(__file__).parents[1] / "core" / "number_vectors.json"


@pytest.mark.django_db(transaction=True)
def test_preview_runs_the_shared_vectors_and_shows_what_the_server_stores(
    page, officer_a, report_a, last_month
):
    amount_indicator()
    login(page, "officer_a", PASSWORD)
    page.goto(f"/reports/967/{last_month:%Y-%m}/")

    vectors = json.loads(VECTORS.read_text("utf-8"))["vectors"]
    results = page.evaluate(
        """(vectors) => vectors.map(([text]) => [null, "comma", "dot"].map((c) => {
             const r = window.CdsNumbers.parse(text, c);
             return r === null ? null : (r.error || r.value);
           }))""",
        vectors,
    )
    for (text, comma, dot, unknown), (got_unknown, got_comma, got_dot) in zip(
        vectors, results, strict=True
    ):
        assert (got_comma, got_dot, got_unknown) == (comma, dot, unknown), text

    row = page.locator("#row-967")
    cell = row.locator('input[name="resolution_days__967__value"]')
    for typed in ("0,5", "0.500", "1.500", "12,5"):
        cell.fill(typed)
        reading = cell.locator("xpath=following-sibling::output[1]").inner_text()
        with swapped(page, "#row-967"), page.expect_response(lambda r: r.request.method == "POST"):
            row.locator("button", has_text="Lưu dòng").click()
        page.wait_for_selector("#row-967 .badge", state="visible")
        stored = DataValue.objects.get(indicator__code="resolution_days").value
        assert stored == numbers.parse(typed, numbers.COMMA), typed
        with translation.override("vi"):
            assert reading == f"= {numbers.shown(stored)}", typed
        row = page.locator("#row-967")
        cell = row.locator('input[name="resolution_days__967__value"]')

    ratio = page.locator("#row-967 .ratio-cell")
    ratio.locator("input").nth(0).fill("1.500")
    ratio.locator("input").nth(1).fill("2.000")
    reading = page.locator("#row-967 .ratio-cell + output.num-reading").inner_text()
    assert reading == "= 1500 / 2000"
    assert page.locator("#row-967 output.computed-pct").inner_text() == "75%"
    ratio.locator("input").nth(0).fill("1,234.5")
    bad = page.locator("#row-967 .ratio-cell + output.num-reading")
    assert bad.inner_text().startswith("«1,234.5» không đọc được")
    assert "text-danger" in bad.get_attribute("class")
    shot(page, "reports-entry-number-preview")
    assert not page.console_errors

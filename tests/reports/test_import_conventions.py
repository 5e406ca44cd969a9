"""Figures files saved by LibreOffice in English and Vietnamese locales: the file's number
convention is detected, asked when nothing in the file tells, and the preview shows every value
it would change beside the stored one and last month's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.numbers import COMMA, DOT
from reports.imports import figures_import
from reports.models import DataValue
from reports.services import FigureInput, data_values_upsert
from targets.models import Indicator
from tests.reports.factories import IndicatorFactory, amount_indicator, share_indicator
from tests.reports.test_entry_views import client_for

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parents[1] / "data" / "numbers"
MAY = dt.date(2025, 5, 1)
APRIL = dt.date(2025, 4, 1)
EXPECTED = {
    ("resolution_days", "967"): (Decimal("12.345"), None, None),
    ("people_guided", "32068"): (Decimal("20000"), None, None),
    ("people_guided", "32071"): (Decimal("1234567"), None, None),
    ("sme_share", "967"): (Decimal("0.5"), None, None),
    ("work_records_online", "967"): (Decimal("7.5"), Decimal("1500"), Decimal("20000")),
}


@pytest.fixture
def indicators(report_indicators):
    return {**report_indicators, "amount": amount_indicator(), "share": share_indicator()}


def fixture(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def stored() -> dict:
    return {
        (i, d): (v, n, den)
        for i, d, v, n, den in DataValue.objects.filter(source="manual", period=MAY).values_list(
            "indicator__code", "division__code", "value", "numerator", "denominator"
        )
    }


def run(user, camau, name, *, dry_run=False, convention=None):
    return figures_import(
        user=user,
        upload=fixture(name),
        unit=camau["967"],
        period=MAY,
        dry_run=dry_run,
        convention=convention,
    )


@pytest.mark.parametrize(
    ("name", "convention", "example"),
    [
        ("figures-en.csv", DOT, "1,234,567"),
        ("figures-vi.csv", COMMA, "1.234.567"),
        ("figures-en.xlsx", None, None),
        ("figures-vi.xlsx", None, None),
    ],
)
def test_libreoffice_files_of_either_locale_store_the_same_numbers(
    officer_a, camau, indicators, name, convention, example
):
    outcome = run(officer_a, camau, name)
    assert outcome.ok, outcome.errors
    assert (outcome.convention, outcome.detection.examples.get(convention)) == (convention, example)
    assert stored() == EXPECTED


@pytest.mark.parametrize(
    ("name", "convention", "message"),
    [
        (
            "figures-ambiguous-en.csv",
            DOT,
            "Dòng 3, cột Giá trị: «20,000» có hai cách đọc: 20 nếu dấu phẩy là dấu thập phân "
            "(Việt Nam), hoặc 20000 nếu dấu chấm là dấu thập phân (tiếng Anh).",
        ),
        (
            "figures-ambiguous-vi.csv",
            COMMA,
            "Dòng 3, cột Giá trị: «20.000» có hai cách đọc: 20000 nếu dấu phẩy là dấu thập phân "
            "(Việt Nam), hoặc 20 nếu dấu chấm là dấu thập phân (tiếng Anh).",
        ),
    ],
)
def test_a_file_of_only_ambiguous_numbers_is_refused_naming_each_cell_until_asked(
    officer_a, camau, indicators, name, convention, message
):
    outcome = run(officer_a, camau, name)
    assert outcome.needs_choice and not DataValue.objects.exists()
    cells = [(e.row, e.column) for e in outcome.errors]
    assert cells == [(2, "value"), (3, "value"), (4, "denominator"), (4, "numerator")]
    assert outcome.errors[1].message.startswith(message)

    outcome = run(officer_a, camau, name, convention=convention)
    assert outcome.ok, outcome.errors
    assert stored() == {k: v for k, v in EXPECTED.items() if k in stored()}
    assert stored()[("people_guided", "32068")] == (Decimal("20000"), None, None)
    assert stored()[("resolution_days", "967")] == (Decimal("12.345"), None, None)


def test_the_import_page_asks_for_the_convention_and_the_confirm_uses_the_answer(
    officer_a, camau, indicators
):
    client = client_for(officer_a)
    url = reverse("reports:import", args=["967", "2025-05"])
    response = client.post(url, {"file": fixture("figures-ambiguous-en.csv")})
    page = response.content.decode()
    assert response.status_code == 422 and 'id="import-needs-convention"' in page
    assert "dấu chấm là dấu thập phân (tiếng Anh)" in page and 'name="number_convention"' in page
    assert "có hai cách đọc" in page

    response = client.post(
        url, {"file": fixture("figures-ambiguous-en.csv"), "number_convention": DOT}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-changes"' in page
    assert "bạn đã chọn" in page and not DataValue.objects.exists()
    confirm = reverse("reports:import_confirm", args=["967", "2025-05"])
    assert client.post(confirm, {"token": response.context["token"]}).status_code == 302
    assert stored()[("people_guided", "32068")] == (Decimal("20000"), None, None)
    assert stored()[("resolution_days", "967")] == (Decimal("12.345"), None, None)


def seed(user, rows):
    data_values_upsert(user=user, rows=[FigureInput(*r[:3], value=r[3]) for r in rows])


def test_preview_shows_each_change_beside_the_stored_and_last_month_value_and_flags_jumps(
    officer_a, camau, indicators
):
    seed(
        officer_a, [("people_guided", "32068", APRIL, 2000), ("resolution_days", "967", APRIL, 12)]
    )
    seed(officer_a, [("people_guided", "32068", MAY, 1800)])
    outcome = run(officer_a, camau, "figures-en.csv", dry_run=True)
    assert outcome.ok and outcome.convention == DOT
    changes = {(c.indicator, c.division): c for c in outcome.changes}
    guided = changes[("Số người được hướng dẫn kỹ năng số", "Xã Biển Bạch")]
    assert (guided.typed, guided.new, guided.current, guided.last_month) == (
        "20,000",
        "20000",
        "1800",
        "2000",
    )
    assert guided.jumps == ("giá trị gấp 10 lần tháng trước",)
    days = changes[("Thời gian giải quyết TTHC", camau["967"].name)]
    assert (days.typed, days.new, days.current, days.last_month, days.jumps) == (
        "12.345",
        "12,345",
        "—",
        "12",
        (),
    )
    assert len(outcome.changes) == 5

    # Read the other way, the same file shows the jumps an official would catch.
    wrong = run(officer_a, camau, "figures-en.csv", dry_run=True, convention=COMMA)
    assert not wrong.ok  # "1,234,567" cannot be a Vietnamese number
    assert not DataValue.objects.filter(period=MAY, value=20).exists()


def test_preview_flags_a_drop_to_a_tenth_and_names_ratio_parts(officer_a, camau, indicators):
    data_values_upsert(
        user=officer_a,
        rows=[
            FigureInput("work_records_online", "967", APRIL, numerator=15000, denominator=200000)
        ],
    )
    outcome = run(officer_a, camau, "figures-en.csv", dry_run=True)
    ratio = next(c for c in outcome.changes if c.indicator.startswith("Tỷ lệ hồ sơ"))
    assert ratio.new == "1500 / 20000 (7,5%)" and ratio.last_month == "15000 / 200000 (7,5%)"
    assert ratio.jumps == (
        "tử số chỉ bằng 1/10 tháng trước",
        "mẫu số chỉ bằng 1/10 tháng trước",
    )


def english_csv(camau, n: int) -> SimpleUploadedFile:
    """n figures written the English way, over many indicators × district 967's units."""
    units = ["967", *sorted(d.code for d in camau.values() if d.parent_id == camau["967"].pk)]
    lines = [
        "indicator_code,indicator_name,division_code,division_name,period,value,numerator,denominator,note,version"
    ]
    cells = ((f"imp_{i:03d}", code) for i in range(400) for code in units)
    for (code, unit), k in zip(cells, range(n), strict=False):
        lines.append(f'{code},,{unit},,2025-05,"{1_000_000 + k:,}",,,,')
    lines.append("sme_share,,967,,2025-05,0.5,,,,")  # proves the dot convention
    return SimpleUploadedFile("en.csv", "\n".join(lines).encode())


def test_preview_page_lists_changes_with_a_constant_number_of_queries(officer_a, camau, indicators):
    Indicator.objects.bulk_create(
        [IndicatorFactory.build(code=f"imp_{n:03d}", name_vi=f"Chỉ tiêu {n}") for n in range(40)]
    )
    client = client_for(officer_a)
    url = reverse("reports:import", args=["967", "2025-05"])

    def reads(n: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, {"file": english_csv(camau, n)})
        page = response.content.decode()
        assert response.status_code == 200 and page.count("<code>1,000,") == n
        return sum(not q["sql"].startswith("INSERT") for q in ctx.captured_queries)

    assert reads(20) == reads(200)

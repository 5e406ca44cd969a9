"""The Excel template speaks Vietnamese (sheet, headers, the note and the errors), in either
language of the page, and the import still takes files filled from the old English-headed
template."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from reports.imports import figures_import
from reports.models import DataValue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():
    """Messages are read in Vietnamese (a request in English leaves English active)."""
    with translation.override("vi"):
        yield


VIETNAMESE = [
    "Mã chỉ tiêu",
    "Tên chỉ tiêu",
    "Mã đơn vị",
    "Tên đơn vị",
    "Kỳ báo cáo",
    "Giá trị",
    "Tử số",
    "Mẫu số",
    "Ghi chú",
    "Phiên bản",
]
OLD_ENGLISH = [
    "indicator_code",
    "indicator_name",
    "division_code",
    "division_name",
    "period",
    "value",
    "numerator",
    "denominator",
    "note",
    "version",
]


def workbook(headers, rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(["Ghi chú: số thập phân dùng dấu phẩy"])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("bao-cao.xlsx", out.getvalue())


def figure_row(period, *, value=None, numerator=None, denominator=None, code="people_guided"):
    return [code, "", "32068", "", f"{period:%Y-%m}", value, numerator, denominator, "", 0]


def template_sheet(user, period, language="vi"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    url = reverse("reports:template", args=["967", f"{period:%Y-%m}"])
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.parametrize("language", ["vi", "en"])
def test_template_sheet_and_headers_are_vietnamese_in_both_languages(
    officer_a, report_a, last_month, language
):
    sheet = template_sheet(officer_a, last_month, language)
    assert sheet.title == "Số liệu"
    assert [c.value for c in sheet[2]] == VIETNAMESE
    # The note (in the page's language) names the columns by their Vietnamese headers.
    note = sheet["A1"].value
    assert "«Tử số»" in note and "«Phiên bản»" in note
    if language == "vi":
        assert "numerator" not in note and "version" not in note


@pytest.mark.parametrize("headers", [VIETNAMESE, OLD_ENGLISH], ids=["vietnamese", "old-english"])
def test_both_headers_are_accepted(officer_a, camau, report_a, last_month, headers):
    upload = workbook(headers, [figure_row(last_month, value=7)])
    outcome = figures_import(
        user=officer_a, upload=upload, unit=camau["967"], period=last_month, dry_run=False
    )
    assert outcome.ok, [e.message for e in outcome.errors]
    assert DataValue.objects.get().value == 7


def test_vietnamese_headers_in_a_semicolon_csv_are_accepted(officer_a, camau, report_a, last_month):
    lines = [";".join(VIETNAMESE), f"people_guided;;32068;;{last_month:%Y-%m};12;;;;0"]
    upload = SimpleUploadedFile("bao-cao.csv", "\n".join(lines).encode("utf-8-sig"))
    outcome = figures_import(
        user=officer_a, upload=upload, unit=camau["967"], period=last_month, dry_run=False
    )
    assert outcome.ok, [e.message for e in outcome.errors]
    assert DataValue.objects.get().value == 12


@pytest.mark.parametrize("headers", [VIETNAMESE, OLD_ENGLISH], ids=["vietnamese", "old-english"])
def test_errors_name_the_vietnamese_column(officer_a, camau, report_a, last_month, headers):
    bad = figure_row(last_month, numerator="abc", denominator=4, code="work_records_online")
    outcome = figures_import(
        user=officer_a,
        upload=workbook(headers, [bad]),
        unit=camau["967"],
        period=last_month,
        dry_run=True,
    )
    assert not outcome.ok
    messages = [e.message for e in outcome.errors]
    assert any(m.startswith("Dòng 3, cột Tử số:") for m in messages), messages
    assert not any("numerator" in m for m in messages), messages
    assert "Tử số" in {e.column_label for e in outcome.errors}


def test_missing_column_is_named_in_vietnamese(officer_a, camau, report_a, last_month):
    headers = [h for h in VIETNAMESE if h != "Phiên bản"]
    with pytest.raises(Exception) as exc:
        figures_import(
            user=officer_a,
            upload=workbook(headers, [figure_row(last_month, value=1)[:-1]]),
            unit=camau["967"],
            period=last_month,
            dry_run=True,
        )
    assert "thiếu cột: Phiên bản" in str(exc.value)


def test_import_page_lists_the_vietnamese_column(officer_a, report_a, last_month):
    client = Client()
    client.force_login(officer_a)
    url = reverse("reports:import", args=["967", f"{last_month:%Y-%m}"])
    bad = figure_row(last_month, value="mười")
    response = client.post(url, {"file": workbook(OLD_ENGLISH, [bad])})
    page = response.content.decode()
    errors = page[page.index('id="import-errors"') :]
    assert "<td>Giá trị</td>" in errors and "<td>value</td>" not in errors

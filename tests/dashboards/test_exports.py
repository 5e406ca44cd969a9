"""Every table downloads as xlsx and csv with Vietnamese headers and the page's numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from attainment.models import Attainment

PROVINCE = reverse("dashboards:province")


def rows_of_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def province_row(dash_world, period="2024-01-01"):
    return Attainment.objects.get(
        indicator=dash_world["indicator"],
        division__code="96",
        period=period,
        provisional=False,
        target_key__gt=0,
    )


@pytest.mark.django_db
def test_province_overview_exports_to_xlsx_with_the_same_numbers(client, viewer, dash_world):
    client.force_login(viewer)
    response = client.get(PROVINCE, {"period": "2024-01", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:6] == [
        "Mã chỉ tiêu",
        "Tên chỉ tiêu",
        "Đơn vị tính",
        "Thời hạn",
        "Mục tiêu",
        "Thực hiện",
    ]
    line = next(
        r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "work_records_online"
    )
    expected = province_row(dash_world)
    assert line[4] == 90
    assert line[5] == pytest.approx(float(expected.actual), abs=1e-4)
    assert line[7] == "Cần tăng tốc"


@pytest.mark.django_db
def test_province_overview_exports_to_csv_with_the_same_numbers(client, viewer, dash_world):
    client.force_login(viewer)
    response = client.get(PROVINCE, {"period": "2024-01", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of_csv(response)
    assert rows[0][0] == "Mã chỉ tiêu" and rows[0][5] == "Thực hiện"
    line = next(r for r in rows if r[0] == "work_records_online")
    assert D(line[5]) == province_row(dash_world).actual.quantize(D("0.0001"))
    assert line[3] == "2025-12-31" and line[4] == "90"
    flow = next(r for r in rows if r[0] == "people_guided")
    assert flow[5] == "120"


@pytest.mark.django_db
def test_comparison_and_drill_down_tables_export(client, steering_user, dash_world):
    client.force_login(steering_user)
    rows = rows_of_csv(
        client.get(reverse("dashboards:districts"), {"period": "2024-01", "export": "csv"})
    )
    assert rows[0][:2] == ["Mã đơn vị", "Đơn vị"]
    u_minh = next(r for r in rows if r[0] == "966")
    assert D(u_minh[2]) == D(75) and u_minh[3] == "Đúng tiến độ"

    drill = reverse("dashboards:division", args=["967"])
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(drill, {"period": "2024-01", "export": "xlsx"}).content)
    )
    assert len(book.sheetnames) == 2
    communes = list(book.worksheets[1].iter_rows(values_only=True))
    assert communes[0][:2] == ("Mã đơn vị", "Đơn vị")
    assert next(r for r in communes if r[0] == "32068")[2] == 30
    second = rows_of_csv(client.get(drill, {"period": "2024-01", "export": "csv", "table": "1"}))
    assert next(r for r in second if r[0] == "32069")[2] == "20"


@pytest.mark.django_db
def test_indicator_table_exports(client, steering_user, dash_world):
    client.force_login(steering_user)
    indicator = reverse("dashboards:indicator", args=["work_records_online"])
    rows = rows_of_csv(client.get(indicator, {"division": "96", "export": "csv"}))
    assert rows[0][:4] == ["Kỳ", "Thực hiện", "Tử số", "Mẫu số"]
    jan = next(r for r in rows if r[0] == "2024-01")
    assert (jan[2], jan[3]) == ("85", "210")


def test_months_in_xlsx_are_dates_that_sort_as_months(client, steering_user, dash_world):
    """LibreOffice and Excel sort the "Kỳ" column as months (02/2030 after 11/2026), shown
    mm/yyyy, because the cells are dates, not text."""
    client.force_login(steering_user)
    indicator = reverse("dashboards:indicator", args=["work_records_online"])
    response = client.get(indicator, {"division": "96", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "Kỳ"
    months = [c for c in sheet["A"][1:] if c.value is not None]
    assert months and all(c.is_date and c.number_format == "MM/YYYY" for c in months)
    labels = [r[0] for r in rows_of_csv(client.get(indicator, {"division": "96", "export": "csv"}))]
    assert [f"{c.value:%Y-%m}" for c in months] == labels[1 : len(months) + 1]


def test_xlsx_prints_one_page_wide_with_headers_on_every_page(client, viewer, dash_world):
    client.force_login(viewer)
    response = client.get(PROVINCE, {"period": "2024-01", "export": "xlsx"})
    for sheet in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape"
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1"
        names = [c for c in sheet["B"][1:] if isinstance(c.value, str) and len(c.value) > 45]
        assert all(c.alignment.wrap_text for c in names)


@pytest.mark.django_db
def test_bad_export_requests_get_a_clear_message(client, steering_user, dash_world):
    client.force_login(steering_user)
    response = client.get(PROVINCE, {"export": "pdf"})
    assert response.status_code == 400 and "chọn xlsx hoặc csv" in response.content.decode()
    response = client.get(PROVINCE, {"export": "csv", "table": "7"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_pages_have_a_print_button_and_print_styles(client, steering_user, dash_world):
    from django.contrib.staticfiles import finders

    client.force_login(steering_user)
    html = client.get(PROVINCE).content.decode()
    assert "data-dash-print" in html and "css/dashboards.css" in html
    with open(finders.find("css/dashboards.css"), encoding="utf-8") as fh:
        assert "@media print" in fh.read()


@pytest.mark.django_db
def test_2025_results_table_exports_on_its_own(client, steering_user, dash_world):
    client.force_login(steering_user)
    rows = rows_of_csv(client.get(PROVINCE, {"period": "2026-01", "export": "csv", "table": "1"}))
    assert rows[0][5:7] == ["Giá trị xét kết quả", "Kết quả"]
    # January 2024's figure is not a 2025 figure: no judged value, no data for 2025.
    assert [r[0] for r in rows[1:]] == ["work_records_online"]
    assert rows[1][5:7] == ["", "Chưa có số liệu năm 2025"]
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(PROVINCE, {"period": "2026-01", "export": "xlsx"}).content)
    )
    assert book.sheetnames == ["Mục tiêu toàn tỉnh", "Kết quả năm 2025"]
    # Before the deadline the 2025 target is live: no results sheet.
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(PROVINCE, {"period": "2024-01", "export": "xlsx"}).content)
    )
    assert book.sheetnames == ["Mục tiêu toàn tỉnh"]


def test_exported_text_is_never_a_formula():
    """A name or note starting with =, +, - or @ stays text in .xlsx and CSV (OWASP); numbers
    stay numbers, negative ones included."""
    from dashboards.exports import Table, table_csv, tables_xlsx

    hostile = '=HYPERLINK("http://x","y")'
    table = Table("Bảng", ["Tên", "Số"], [[hostile, D("-5")], ["+84 912", D("2.5")], ["@A1", None]])
    sheet = openpyxl.load_workbook(io.BytesIO(tables_xlsx([table]))).active
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [
        (hostile, "s"),
        ("+84 912", "s"),
        ("@A1", "s"),
    ]
    assert [c.value for c in sheet["B"][1:3]] == [-5, 2.5]
    rows = list(csv.reader(io.StringIO(table_csv(table).lstrip("\ufeff"))))
    assert rows[1:] == [["'" + hostile, "-5"], ["'+84 912", "2.5"], ["'@A1", ""]]

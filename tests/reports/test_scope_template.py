"""The Excel template of one month for every unit of the uploader's scope: the one-unit
template's format and rows, unit after unit, prefilled; sent back through the whole-scope
upload; who may download it; refusals; a number of queries that does not grow with the units."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core import months as periods
from divisions.models import REORG_DATE, Division
from reports.imports import COLUMNS, HEADERS, SHEET_TITLE, figures_import, template_workbook
from reports.models import DataValue
from tests.divisions.factories import make_user
from tests.reports.factories import count_indicator, ratio_indicator
from tests.reports.test_bulk_import import AUG, new_units
from tests.reports.test_import import row, xlsx

pytestmark = pytest.mark.django_db

URL = "reports:scope_template"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT, RATIO, AGENCY = "people_guided", "work_records_online", "agency_count"


@pytest.fixture
def indicators(db):
    """Two indicators the communes report and one the province's agencies report alone."""
    return [
        count_indicator(COUNT),
        ratio_indicator(RATIO),
        count_indicator(
            AGENCY, reports_province=True, reports_district=False, reports_commune=False
        ),
    ]


@pytest.fixture
def steering(reorganised):
    return make_user("steering", "96", username="bcd_tinh")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(client, period: str | None = "2025-08"):
    query = {} if period is None else {"period": period}
    return client.get(reverse(URL), query)


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content))[SHEET_TITLE]


def data_rows(content: bytes) -> list[dict]:
    """The file's rows below the header, by column name."""
    return [
        dict(zip(COLUMNS, values, strict=True))
        for values in sheet_of(content).iter_rows(min_row=3, values_only=True)
    ]


def test_steering_gets_every_reporting_unit_and_indicator_of_the_month_prefilled(
    reorganised, steering, indicators
):
    units = new_units(reorganised)
    assert len(units) == 64
    stored = [
        row(COUNT, units[0].code, AUG, value=5, note="đã rà soát"),
        row(RATIO, units[1].code, AUG, numerator=3, denominator=4),
    ]
    assert figures_import(user=steering, upload=xlsx(stored), dry_run=False).ok

    response = download(client_of(steering))

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-96-2025-08.xlsx"'
    rows = data_rows(response.content)
    expected = {(i, u.code) for u in units for i in (COUNT, RATIO)} | {(AGENCY, "96")}
    assert len(rows) == 129 and {(r["indicator_code"], r["division_code"]) for r in rows} == (
        expected
    )
    assert {r["period"] for r in rows} == {"2025-08"}
    by_key = {(r["indicator_code"], r["division_code"]): r for r in rows}
    first = by_key[(COUNT, units[0].code)]
    assert (first["value"], first["note"], first["version"]) == (5, "đã rà soát", 1)
    second = by_key[(RATIO, units[1].code)]
    assert (second["numerator"], second["denominator"], second["version"]) == (3, 4, 1)
    empty = [
        r
        for key, r in by_key.items()
        if key not in {(COUNT, units[0].code), (RATIO, units[1].code)}
    ]
    assert all(r["value"] is None and r["numerator"] is None and r["version"] == 0 for r in empty)
    # The one-unit template's format: its note and header rows, and a unit's rows the same.
    sheet = sheet_of(response.content)
    one = sheet_of(template_workbook(unit=units[0], period=AUG))
    head = [list(r) for r in sheet.iter_rows(max_row=2, values_only=True)]
    assert head == [list(r) for r in one.iter_rows(max_row=2, values_only=True)]
    assert head[1] == [HEADERS[c] for c in COLUMNS]
    assert [r for r in rows if r["division_code"] == units[0].code] == data_rows(
        template_workbook(unit=units[0], period=AUG)
    )


def test_the_filled_template_goes_back_through_the_whole_scope_upload(
    reorganised, steering, indicators
):
    units = new_units(reorganised)
    assert figures_import(
        user=steering, upload=xlsx([row(COUNT, units[0].code, AUG, value=5)]), dry_run=False
    ).ok
    client = client_of(steering)
    content = download(client).content
    book = load_workbook(io.BytesIO(content))
    sheet = book[SHEET_TITLE]
    columns = {name: n + 1 for n, name in enumerate(COLUMNS)}
    for line in range(3, sheet.max_row + 1):
        if sheet.cell(line, columns["indicator_code"]).value == RATIO:
            sheet.cell(line, columns["numerator"], 3)
            sheet.cell(line, columns["denominator"], 4)
        else:
            sheet.cell(line, columns["value"], 9)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "mau-tinh.xlsx"

    preview = client.post(reverse("reports:scope_import"), {"file": out})

    assert preview.status_code == 200, preview.content.decode()[-3000:]
    assert "128 số liệu mới, 1 số liệu sửa" in preview.content.decode()
    confirm = client.post(
        reverse("reports:scope_import_confirm"), {"token": preview.context["token"]}
    )
    assert confirm.status_code == 302
    assert DataValue.objects.filter(period=AUG).count() == 129
    changed = DataValue.objects.get(indicator__code=COUNT, division=units[0], period=AUG)
    assert changed.value == 9 and changed.version == 2
    agency = DataValue.objects.get(indicator__code=AGENCY, division__code="96", period=AUG)
    assert agency.value == 9
    ratio = DataValue.objects.get(indicator__code=RATIO, division=units[63], period=AUG)
    assert (ratio.numerator, ratio.denominator) == (3, 4)


def test_a_commune_officers_template_holds_their_commune_alone_for_last_month(
    reorganised, indicators
):
    commune = new_units(reorganised)[5]
    officer = make_user("commune_officer", commune.code, on=REORG_DATE, username="xa_moi")
    client = client_of(officer)

    page = client.get(reverse("reports:scope_import"))
    last_month = periods.previous_month(periods.current_month())
    assert 'id="scope-template-form"' in page.content.decode()
    assert f'value="{last_month:%Y-%m}"' in page.content.decode()

    response = download(client, period=None)

    assert response.status_code == 200
    rows = data_rows(response.content)
    assert {(r["indicator_code"], r["division_code"]) for r in rows} == {
        (COUNT, commune.code),
        (RATIO, commune.code),
    }
    assert {r["period"] for r in rows} == {f"{last_month:%Y-%m}"}


def test_queries_do_not_grow_with_the_units(reorganised, steering, indicators):
    units = new_units(reorganised)
    figures = [row(COUNT, u.code, AUG, value=2) for u in units]
    assert figures_import(user=steering, upload=xlsx(figures), dry_run=False).ok
    client = client_of(steering)
    download(client)  # the session and the caches are warm from here on

    with CaptureQueriesContext(connection) as many:
        assert len(data_rows(download(client).content)) == 129
    # 60 of the 64 units ended before August: four remain.
    Division.objects.filter(pk__in=[u.pk for u in units[4:]]).update(valid_to=dt.date(2025, 7, 31))
    with CaptureQueriesContext(connection) as few:
        assert len(data_rows(download(client).content)) == 9

    assert len(few) == len(many) == 10, [q["sql"] for q in many.captured_queries]


def test_viewers_and_accounts_without_role_may_not_download_and_anonymous_signs_in(
    reorganised, indicators
):
    viewer = make_user("viewer", "96", username="xem")
    nobody = make_user(None, None, username="khong_vai_tro")

    assert download(client_of(viewer)).status_code == 403
    assert download(client_of(nobody)).status_code == 403
    anonymous = download(Client())
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2025-13", "Tháng không hợp lệ."),
        ("tháng tám", "Tháng không hợp lệ."),
        ("2022-06", "Tháng nằm ngoài thời gian báo cáo."),
        ("2099-01", "Tháng nằm ngoài thời gian báo cáo."),
        (
            "2025-05",
            "Trong phạm vi của bạn không có đơn vị nào báo cáo chỉ tiêu nào trong tháng 05/2025.",
        ),
    ],
)
def test_a_month_that_cannot_be_used_is_refused_in_vietnamese(
    reorganised, indicators, period, message
):
    commune = new_units(reorganised)[0]
    officer = make_user("commune_officer", commune.code, on=REORG_DATE, username="xa_moi")

    response = download(client_of(officer), period=period)

    assert response.status_code == 400
    assert 'id="template-refused"' in response.content.decode()
    assert message in response.content.decode()


def test_a_scope_larger_than_an_upload_may_be_is_refused(
    reorganised, steering, indicators, settings
):
    settings.IMPORT_MAX_ROWS = 100

    response = download(client_of(steering))

    assert response.status_code == 400
    body = response.content.decode()
    assert "Mẫu của tháng 08/2025 có 129 dòng, quá 100 dòng" in body
    assert 'id="template-refused"' in body

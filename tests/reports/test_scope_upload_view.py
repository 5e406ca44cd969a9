"""The upload page for one file covering many units and months of the uploader's scope:
preview per unit and month, confirm all or nothing, refusals by row and column, who may use it,
and a number of queries that does not grow with the file."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from divisions.models import REORG_DATE
from reports.imports import figures_import
from reports.models import DataValue, DataValueChange, Report, ReportStatus
from tests.divisions.factories import make_user
from tests.reports.factories import count_indicator, ratio_indicator
from tests.reports.fixtures import _report
from tests.reports.test_bulk_import import AUG, months_from, new_units, province_rows
from tests.reports.test_import import row, xlsx

pytestmark = pytest.mark.django_db

PAGE = "reports:scope_import"
CONFIRM = "reports:scope_import_confirm"


@pytest.fixture
def indicators(db):
    return [count_indicator(), ratio_indicator()]


@pytest.fixture
def steering(reorganised):
    return make_user("steering", "96", username="bcd_tinh")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def preview(client, rows):
    return client.post(reverse(PAGE), {"file": xlsx(rows)})


def nothing_stored() -> bool:
    return not DataValue.objects.exists() and not DataValueChange.objects.exists()


def test_province_file_of_many_units_and_months_previews_then_stores_everything(
    reorganised, steering, indicators
):
    units, months = new_units(reorganised)[:3], months_from(AUG, 2)
    client = client_of(steering)
    # Stored before: the file changes the first figure and repeats the second unchanged.
    before = [
        row("people_guided", units[0].code, AUG, value=5),
        row("work_records_online", units[0].code, AUG, numerator=3, denominator=4),
    ]
    assert figures_import(user=steering, upload=xlsx(before), dry_run=False).ok
    assert DataValue.objects.count() == 2

    response = preview(client, province_rows(units, months, indicators))

    body = response.content.decode()
    assert response.status_code == 200 and "Xác nhận nhập" in body
    assert "12 dòng của 3 đơn vị trong 2 tháng" in body
    assert "10 số liệu mới, 1 số liệu sửa, 1 không đổi" in body
    assert 'id="import-unit-months"' in body
    assert all(u.name in body for u in units) and "08/2025" in body and "09/2025" in body
    groups = {(g.code, g.period): g for g in response.context["outcome"].unit_months}
    assert len(groups) == 6 and all(g.rows == 2 for g in groups.values())
    first = groups[(units[0].code, AUG)]
    assert (first.created, first.updated, first.unchanged) == (0, 1, 1)
    # The one changed figure is listed with its month: the file covers two.
    changes = body.split('id="import-changes"')[1].split("</table>")[0]
    assert "<th>Tháng</th>" in changes and "<td>08/2025</td>" in changes
    assert DataValue.objects.count() == 2  # a preview stores nothing

    response = client.post(reverse(CONFIRM), {"token": response.context["token"]})

    assert response.status_code == 302 and response["Location"] == reverse("reports:index")
    assert DataValue.objects.count() == 12
    changed = DataValue.objects.get(indicator__code="people_guided", division=units[0], period=AUG)
    assert changed.value == 7 and changed.version == 2
    assert changed.changes.filter(channel="import").count() == 2
    assert DataValueChange.objects.filter(channel="import").count() == 2 + 11
    assert Report.objects.filter(division__in=units, period__in=months).count() == 6
    # The preview is used up: confirming it again stores nothing more.
    again = client.post(reverse(CONFIRM), {"token": "0" * 32})
    assert again.status_code == 302 and DataValueChange.objects.count() == 13


def test_one_bad_row_refuses_the_whole_file_naming_row_and_column(
    reorganised, steering, indicators
):
    units, months = new_units(reorganised)[:4], months_from(AUG, 2)
    rows = province_rows(units, months, indicators[:1])
    rows[5]["value"] = -3  # file row 8: the note and the header stand above

    response = preview(client_of(steering), rows)

    body = response.content.decode()
    assert response.status_code == 422 and 'id="import-errors"' in body
    assert "Dòng 8, cột Giá trị:" in body and "chưa lưu gì" in body
    assert "Xác nhận nhập" not in body and not response.context["token"]
    assert nothing_stored() and not Report.objects.exists()


def test_a_month_approved_after_the_preview_refuses_the_whole_file_at_confirmation(
    reorganised, steering, indicators
):
    units, months = new_units(reorganised)[:4], months_from(AUG, 2)
    client = client_of(steering)
    token = preview(client, province_rows(units, months, indicators)).context["token"]
    _report(reorganised.new, units[2].code, months[1], ReportStatus.APPROVED)

    response = client.post(reverse(CONFIRM), {"token": token})

    assert response.status_code == 422 and "đã được duyệt và khoá" in response.content.decode()
    assert nothing_stored() and Report.objects.count() == 1


def test_a_commune_officer_sends_several_months_but_not_another_communes_row(
    reorganised, indicators
):
    own, other = new_units(reorganised)[:2]
    officer = make_user("commune_officer", own.code, on=REORG_DATE, username="xa_moi")
    client = client_of(officer)
    months = months_from(AUG, 3)
    rows = province_rows([own], months, indicators[:1])

    response = preview(client, rows)
    assert response.status_code == 200
    assert "3 dòng của 1 đơn vị trong 3 tháng" in response.content.decode()

    rows.insert(1, row("people_guided", other.code, AUG, value=4))
    response = preview(client, rows)

    body = response.content.decode()
    assert response.status_code == 422
    assert "Dòng 4, cột Mã đơn vị:" in body
    assert "không có quyền nhập số liệu cho đơn vị này" in body
    assert not response.context["token"]
    assert client.post(reverse(CONFIRM), {"token": "0" * 32}).status_code == 302
    assert nothing_stored() and not Report.objects.exists()


def test_a_viewer_or_anonymous_user_gets_nothing(reorganised, indicators):
    unit = new_units(reorganised)[0]
    rows = [row("people_guided", unit.code, AUG, value=4)]
    viewer = client_of(make_user("viewer", "96", username="xem"))
    assert viewer.get(reverse(PAGE)).status_code == 403
    assert viewer.post(reverse(PAGE), {"file": xlsx(rows)}).status_code == 403
    assert viewer.post(reverse(CONFIRM), {"token": "0" * 32}).status_code == 403
    anonymous = Client()
    for response in (
        anonymous.get(reverse(PAGE)),
        anonymous.post(reverse(PAGE), {"file": xlsx(rows)}),
        anonymous.post(reverse(CONFIRM), {"token": "0" * 32}),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert nothing_stored()


def test_the_page_is_linked_from_the_reports_index_for_who_may_enter_figures(reorganised, steering):
    body = client_of(steering).get(reverse("reports:index")).content.decode()
    assert reverse(PAGE) in body
    viewer = client_of(make_user("viewer", "96", username="xem"))
    assert reverse(PAGE) not in viewer.get(reverse("reports:index")).content.decode()


def queries(client, url, data) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data)
    return len(ctx.captured_queries), response


PREVIEW_QUERIES = 25
CONFIRM_QUERIES = 17


def test_preview_and_confirm_queries_do_not_grow_with_the_files_rows(
    reorganised, steering, indicators
):
    units = new_units(reorganised)
    small = province_rows(units[:2], months_from(AUG, 1), indicators)  # 4 rows
    large = province_rows(units[10:30], months_from(AUG, 3), indicators)  # 120 rows
    client = client_of(steering)

    small_preview, response = queries(client, reverse(PAGE), {"file": xlsx(small)})
    small_confirm, _ = queries(client, reverse(CONFIRM), {"token": response.context["token"]})
    large_preview, response = queries(client, reverse(PAGE), {"file": xlsx(large)})
    large_confirm, _ = queries(client, reverse(CONFIRM), {"token": response.context["token"]})

    assert DataValue.objects.count() == len(small) + len(large)
    assert (small_preview, small_confirm) == (large_preview, large_confirm)
    assert small_preview <= PREVIEW_QUERIES and small_confirm <= CONFIRM_QUERIES, (
        small_preview,
        small_confirm,
    )

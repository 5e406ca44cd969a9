"""The entry grid: rendering, row saves with htmx, inline errors, versions, access."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from divisions.models import Division, Kind
from reports.models import DataValue, Report, ReportStatus
from reports.services import FigureInput, data_values_upsert
from tests.divisions.factories import make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def urls(report, division_code="32068"):
    args = [report.division.code, f"{report.period:%Y-%m}"]
    return {
        "entry": reverse("reports:entry", args=args),
        "row": reverse("reports:save_row", args=[*args, division_code]),
        "all": reverse("reports:save_all", args=args),
    }


def cell(code, division="32068", **values):
    return {f"{code}__{division}__{k}": v for k, v in values.items()}


def test_grid_shows_district_and_communes_grouped_by_pillar(officer_a, report_a):
    page = client_for(officer_a).get(urls(report_a)["entry"]).content.decode()
    assert "Huyện Thới Bình" in page and "Xã Biển Bạch" in page
    assert "Chính quyền số" in page and "Xã hội số" in page
    assert 'name="work_records_online__967__numerator"' in page
    assert 'name="people_guided__967__value"' not in page  # communes only
    assert "Tổng các xã (tự tính)" in page


def test_last_month_value_and_decimal_comma_are_shown(officer_a, report_a, last_month):
    from core import months as periods

    before = periods.previous_month(last_month)
    data_values_upsert(
        user=officer_a,
        rows=[FigureInput("work_records_online", "32068", before, numerator=1, denominator=8)],
    )
    data_values_upsert(
        user=officer_a,
        rows=[FigureInput("people_guided", "32068", before, value=1234)],
    )
    page = client_for(officer_a).get(urls(report_a)["entry"]).content.decode()
    assert "Tháng trước: 12,5" in page
    assert "Tháng trước: 1.234" in page


def test_htmx_row_save_returns_row_and_totals(officer_a, report_a):
    c = client_for(officer_a)
    data = {
        **cell("work_records_online", numerator="45", denominator="60", version="0"),
        **cell("people_guided", value="1.500", version="0"),
    }
    response = c.post(urls(report_a)["row"], data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "Đã lưu" in body
    assert 'id="row-32068"' in body and 'hx-swap-oob="true"' in body
    assert "75%" in body  # computed percentage
    dv = DataValue.objects.get(indicator__code="people_guided")
    assert dv.value == 1500


def test_totals_are_computed_from_communes(officer_a, report_a, last_month):
    data_values_upsert(
        user=officer_a,
        rows=[
            FigureInput("work_records_online", "32068", last_month, numerator=1, denominator=4),
            FigureInput("work_records_online", "32071", last_month, numerator=3, denominator=4),
            FigureInput("people_guided", "32068", last_month, value=10),
            FigureInput("people_guided", "32071", last_month, value=5),
        ],
    )
    page = client_for(officer_a).get(urls(report_a)["entry"]).content.decode()
    totals = page[page.index('id="grid-totals"') :]
    assert "50%" in totals and ">15<" in totals.replace(" ", "")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (cell("people_guided", value="-1"), "không được âm"),
        (cell("people_guided", value="2,5"), "số nguyên"),
        (cell("work_records_online", numerator="7", denominator="5"), "lớn hơn mẫu số"),
        (cell("work_records_online", value="80"), "tử số"),
        (cell("people_guided", value="mười"), "không phải là số"),
    ],
)
def test_bad_cells_get_inline_errors_and_nothing_is_saved(officer_a, report_a, data, words):
    response = client_for(officer_a).post(urls(report_a)["row"], data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200  # htmx swaps only 2xx responses
    assert "invalid-feedback" in body and words in body
    assert not DataValue.objects.exists()


def test_share_over_100_refused_through_the_form(officer_a, report_a):
    from tests.reports.factories import share_indicator

    share_indicator()
    response = client_for(officer_a).post(
        urls(report_a, "967")["row"], cell("sme_share", "967", value="120"), **HTMX
    )
    assert "0 đến 100" in response.content.decode()


def test_stock_drop_needs_note_through_the_form(officer_a, report_a, last_month):
    from core import months as periods

    data_values_upsert(
        user=officer_a,
        rows=[FigureInput("team_count", "32068", periods.previous_month(last_month), value=6)],
    )
    c = client_for(officer_a)
    body = c.post(urls(report_a)["row"], cell("team_count", value="4"), **HTMX).content.decode()
    assert "thấp hơn tháng trước (6)" in body
    body = c.post(
        urls(report_a)["row"],
        {**cell("team_count", value="4"), "note__32068": "Giải thể 2 tổ"},
        **HTMX,
    ).content.decode()
    assert "Đã lưu" in body
    assert DataValue.objects.get(period=last_month).note == "Giải thể 2 tổ"


def test_stale_version_through_the_form_shows_their_value(officer_a, report_a, last_month):
    colleague = make_user("district_officer", "967", username="dong_nghiep")
    data_values_upsert(
        user=colleague, rows=[FigureInput("people_guided", "32068", last_month, value=9)]
    )
    body = (
        client_for(officer_a)
        .post(urls(report_a)["row"], cell("people_guided", value="3", version="0"), **HTMX)
        .content.decode()
    )
    assert "đã được dong_nghiep sửa lúc" in body and "giá trị của họ là 9" in body
    assert DataValue.objects.get().value == 9


def test_save_all_without_javascript(officer_a, report_a):
    data = {
        **cell("people_guided", value="3", version="0"),
        **cell("people_guided", "32071", value="4", version="0"),
    }
    response = client_for(officer_a).post(urls(report_a)["all"], data)
    assert response.status_code == 302
    assert DataValue.objects.count() == 2


def test_save_all_with_a_bad_cell_lists_errors_and_saves_nothing(officer_a, report_a):
    data = {
        **cell("people_guided", value="3", version="0"),
        **cell("people_guided", "32071", value="-4", version="0"),
    }
    response = client_for(officer_a).post(urls(report_a)["all"], data)
    assert response.status_code == 422
    assert "Chưa lưu gì" in response.content.decode()
    assert not DataValue.objects.exists()


def test_officer_of_other_district_gets_403_and_nothing_is_saved(officer_b, report_a):
    c = client_for(officer_b)
    for url in (urls(report_a)["row"], urls(report_a)["all"]):
        response = c.post(url, cell("people_guided", value="3", version="0"), **HTMX)
        assert response.status_code == 403
    assert not DataValue.objects.exists()


def test_approved_report_is_read_only(officer_a, steering_user, report_a):
    from django.utils import timezone

    Report.objects.filter(pk=report_a.pk).update(
        status=ReportStatus.APPROVED, approved_at=timezone.now()
    )
    page = client_for(officer_a).get(urls(report_a)["entry"]).content.decode()
    assert "đã khoá" in page and "Lưu tất cả" not in page
    body = (
        client_for(steering_user)
        .post(urls(report_a)["row"], cell("people_guided", value="3", version="0"), **HTMX)
        .content.decode()
    )
    assert "đã được duyệt và khoá" in body
    assert not DataValue.objects.exists()


def test_grid_query_count_does_not_grow_with_communes(
    officer_a, report_a, camau, django_assert_max_num_queries
):
    c = client_for(officer_a)
    url = urls(report_a)["entry"]
    c.get(url)  # warm the session
    with django_assert_max_num_queries(20) as before:
        c.get(url)
    district = camau["967"]
    for n in range(15):
        Division.objects.create(
            code=f"99{n:03d}", name=f"Xã Thử {n}", kind=Kind.COMMUNE, parent=district
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = c.get(url).content.decode()
    assert "Xã Thử 14" in page


def test_index_sends_officer_to_their_district(officer_a):
    response = client_for(officer_a).get(reverse("reports:index"))
    assert response.status_code == 302 and "/reports/967/" in response["Location"]


def test_ratio_value_is_percentage_of_parts(officer_a, report_a):
    client_for(officer_a).post(
        urls(report_a, "967")["row"],
        cell("work_records_online", "967", numerator="1", denominator="3"),
        **HTMX,
    )
    assert DataValue.objects.get().value == Decimal("33.3333")


def test_team_figure_is_shown_beside_the_cell(officer_a, report_a, last_month):
    from reports.models import Source

    data_values_upsert(
        user=None,
        source=Source.TEAMS,
        rows=[FigureInput("people_guided", "32068", last_month, value=42)],
    )
    page = client_for(officer_a).get(urls(report_a)["entry"]).content.decode()
    assert "Từ Tổ CNSCĐ: 42" in page
    assert 'name="people_guided__32068__value" value=""' in page  # not copied into the input


def test_form_refuses_units_outside_the_district_and_months_outside_the_window(officer_a, report_a):
    from core import months as periods

    c = client_for(officer_a)
    other = reverse("reports:save_row", args=["967", f"{report_a.period:%Y-%m}", "32047"])
    assert c.post(other, cell("people_guided", "32047", value="3"), **HTMX).status_code == 404
    future = f"{periods.next_month(periods.current_month()):%Y-%m}"
    for month in ("2022-06", future, "2024-13"):
        url = reverse("reports:save_row", args=["967", month, "32068"])
        assert c.post(url, cell("people_guided", value="3"), **HTMX).status_code == 404
    assert not DataValue.objects.exists()


def test_unknown_indicator_fields_in_the_form_are_ignored(officer_a, report_a):
    response = client_for(officer_a).post(
        urls(report_a)["row"], cell("khong_co", value="3"), **HTMX
    )
    assert response.status_code == 200 and not DataValue.objects.exists()

"""The report of one unit is a form of its indicators as rows, grouped by pillar (a district's
report with its communes keeps the table); each indicator keeps its own note; in English the
page names indicators and units in English where the catalogue has them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reports.models import DataValue
from targets.models import Pillar
from tests.reports.factories import IndicatorFactory
from tests.reports.province_fixtures import PROVINCE_INDICATOR

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
COUNT = "agency_trained"


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def count_indicator(db):
    """A second province indicator, in another pillar than the agencies' ratio."""
    return IndicatorFactory(
        code=COUNT,
        name_vi="Số cán bộ được tập huấn kỹ năng số",
        name_en="Officials trained in digital skills",
        pillar=Pillar.SOCIETY,
        unit="người",
        reports_province=True,
        reports_district=False,
        reports_commune=False,
    )


def client_for(user, language: str = "vi") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def urls(report) -> dict[str, str]:
    args = [report.division.code, f"{report.period:%Y-%m}"]
    return {
        "entry": reverse("reports:entry", args=args),
        "row": reverse("reports:save_row", args=[*args, report.division.code]),
    }


def test_one_unit_report_is_a_form_of_indicators_grouped_by_pillar(
    province_officer, report_province, count_indicator
):
    page = client_for(province_officer).get(urls(report_province)["entry"]).content.decode()
    assert 'class="report-grid' not in page and 'id="row-96"' in page
    pillars = re.findall(r'<h2 class="h6 pillar-title"[^>]*>([^<]+)</h2>', page)
    assert pillars == ["Chính quyền số", "Xã hội số"]
    # Each indicator is a row: its name with its unit, last month, this month, teams, note.
    row = page[page.index(f'id="ind-{COUNT}__96"') :]
    row = row[: row.index('<div class="ind-row', 10)] if '<div class="ind-row' in row[10:] else row
    assert "Số cán bộ được tập huấn kỹ năng số" in row and "(người)" in row
    for caption in ("Tháng trước:", "Từ Tổ CNSCĐ:"):
        assert caption in row
    assert f'<label class="ind-label" for="{COUNT}__96__value">' in row
    assert f'name="{COUNT}__96__value"' in row and f'name="{COUNT}__96__note"' in row
    ratio = page[page.index(f'id="ind-{PROVINCE_INDICATOR}__96"') :]
    assert f'for="{PROVINCE_INDICATOR}__96__numerator"' in ratio
    assert 'class="computed-pct"' in ratio
    # One save for the whole form, Enter-friendly (a submit button that htmx sends).
    assert page.count("Lưu số liệu</button>") == 1 and "Lưu tất cả" not in page
    # A report of one unit has no communes to sum: no empty "Tổng các xã (tự tính)" row.
    assert "Tổng các xã" not in page


def test_district_report_with_communes_keeps_the_table(officer_a, report_a):
    page = client_for(officer_a).get(urls(report_a)["entry"]).content.decode()
    assert 'class="table table-sm table-bordered align-top report-grid"' in page
    assert "pillar-title" not in page and "Lưu tất cả" in page


def test_each_indicator_keeps_its_own_note(province_officer, report_province, count_indicator):
    client = client_for(province_officer)
    response = client.post(
        urls(report_province)["row"],
        {
            f"{COUNT}__96__value": "12",
            f"{COUNT}__96__version": "0",
            f"{COUNT}__96__note": "Hai lớp tập huấn",
            f"{PROVINCE_INDICATOR}__96__numerator": "3",
            f"{PROVINCE_INDICATOR}__96__denominator": "4",
            f"{PROVINCE_INDICATOR}__96__version": "0",
            f"{PROVINCE_INDICATOR}__96__note": "Theo hệ thống một cửa",
        },
        **HTMX,
    )
    body = response.content.decode()
    # The htmx save answers with the whole form, marked saved.
    assert body.lstrip().startswith('<div id="row-96" class="unit-form row-saved"')
    assert "Đã lưu" in body
    notes = dict(DataValue.objects.values_list("indicator__code", "note"))
    assert notes == {COUNT: "Hai lớp tập huấn", PROVINCE_INDICATOR: "Theo hệ thống một cửa"}
    page = client.get(urls(report_province)["entry"]).content.decode()
    assert re.search(rf'name="{COUNT}__96__note" value="Hai lớp tập huấn"', page)


def test_a_refused_form_keeps_what_was_typed_and_names_the_error(
    province_officer, report_province, count_indicator
):
    response = client_for(province_officer).post(
        urls(report_province)["row"],
        {
            f"{COUNT}__96__value": "-2",
            f"{COUNT}__96__version": "0",
            f"{COUNT}__96__note": "Số tạm",
        },
        **HTMX,
    )
    body = response.content.decode()
    assert "không được âm" in body and 'aria-invalid="true"' in body
    assert 'value="-2"' in body and 'value="Số tạm"' in body
    assert f'aria-describedby="{COUNT}__96__errors"' in body
    assert not DataValue.objects.exists()


def test_a_note_without_a_figure_is_refused_not_lost(
    province_officer, report_province, count_indicator
):
    """A note typed on a row with no figure (stored or typed) cannot be kept with one: the
    officer is told, and the note stays in the field, while the other row is saved."""
    response = client_for(province_officer).post(
        urls(report_province)["row"],
        {
            f"{COUNT}__96__value": "",
            f"{COUNT}__96__version": "0",
            f"{COUNT}__96__note": "Chờ số liệu của Sở Nội vụ",
            f"{PROVINCE_INDICATOR}__96__numerator": "3",
            f"{PROVINCE_INDICATOR}__96__denominator": "4",
            f"{PROVINCE_INDICATOR}__96__version": "0",
        },
        **HTMX,
    )
    body = response.content.decode()
    assert "ghi chú chưa được lưu vì chưa có số liệu" in body
    assert 'value="Chờ số liệu của Sở Nội vụ"' in body
    assert not DataValue.objects.filter(note="Chờ số liệu của Sở Nội vụ").exists()


def test_a_row_note_in_the_district_table_goes_with_the_typed_figures_only(officer_a, report_a):
    """The table has one note per unit: it explains the numbers typed on that row; the row's
    empty cells are neither refused nor given a figure."""
    from tests.conftest import DISTRICT_A

    for code in ("district_trained", "district_guided"):
        IndicatorFactory(
            code=code, reports_province=False, reports_district=True, reports_commune=False
        )
    page = client_for(officer_a).get(urls(report_a)["entry"]).content.decode()
    assert f'name="district_guided__{DISTRICT_A}__value"' in page
    response = client_for(officer_a).post(
        reverse("reports:save_all", args=[DISTRICT_A, f"{report_a.period:%Y-%m}"]),
        {
            f"district_trained__{DISTRICT_A}__value": "5",
            f"district_guided__{DISTRICT_A}__value": "",
            f"note__{DISTRICT_A}": "Số của tháng",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert list(DataValue.objects.values_list("indicator__code", "value", "note")) == [
        ("district_trained", 5, "Số của tháng")
    ]


def test_english_page_names_indicators_units_and_headers_in_english(
    province_officer, report_province, count_indicator
):
    page = client_for(province_officer, "en").get(urls(report_province)["entry"]).content.decode()
    assert "Officials trained in digital skills" in page
    assert "Số cán bộ được tập huấn kỹ năng số" not in page
    assert "(people)" in page and "(người)" not in page
    for vietnamese in ("Tháng trước", "Từ Tổ CNSCĐ", "Chỉ tiêu (đơn vị tính)", "Lưu số liệu"):
        assert vietnamese not in page, vietnamese
    assert "Digital society" in page or "Xã hội số" not in page


def test_english_district_table_headers_are_english(officer_a, report_a):
    page = client_for(officer_a, "en").get(urls(report_a)["entry"]).content.decode()
    head = page[page.index("<thead") : page.index("</thead>")]
    names = re.findall(r'<th class="ind-head"[^>]*>([^<]+)<', head)
    assert names and all(n.strip().startswith("Test indicator") or "(" not in n for n in names)
    assert "(people)" in head and "(người)" not in head

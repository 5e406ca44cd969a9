"""The entry grid as an officer reads it: the row note kept, percentages marked, a refused
ratio not hiding behind the old one, a stock below the teams' registry warned about, months
written the Vietnamese way, messages that begin with a capital."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from core import months as periods
from reports.models import DataValue, Source
from reports.services import FigureInput, data_values_upsert
from tests.reports.factories import DataValueFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
COMMUNE = "32068"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def entry_url(report) -> str:
    return reverse("reports:entry", args=[report.division.code, f"{report.period:%Y-%m}"])


def row_url(report, division=COMMUNE) -> str:
    return reverse(
        "reports:save_row", args=[report.division.code, f"{report.period:%Y-%m}", division]
    )


def cell(code, division=COMMUNE, **values):
    return {f"{code}__{division}__{k}": v for k, v in values.items()}


def note_value(page: str, division=COMMUNE) -> str:
    tag = re.search(rf'<input name="note__{division}"[^>]*>', page).group(0)
    found = re.search(r'value="([^"]*)"', tag)
    return found.group(1) if found else ""


def test_the_row_note_is_shown_again_after_reload(officer_a, report_a):
    client = client_for(officer_a)
    client.post(
        row_url(report_a),
        {**cell("people_guided", value="12", version="0"), f"note__{COMMUNE}": "Số của ấp 3"},
        **HTMX,
    )
    assert DataValue.objects.get().note == "Số của ấp 3"
    page = client.get(entry_url(report_a)).content.decode()
    assert note_value(page) == "Số của ấp 3"


def test_last_months_percentage_carries_its_sign(officer_a, report_a, last_month):
    before = periods.previous_month(last_month)
    data_values_upsert(
        user=officer_a,
        rows=[FigureInput("work_records_online", COMMUNE, before, numerator=663, denominator=1000)],
    )
    page = client_for(officer_a).get(entry_url(report_a)).content.decode()
    assert "Tháng trước: 66,3%" in page


def test_a_refused_ratio_does_not_keep_showing_the_old_percentage(officer_a, report_a, last_month):
    result = data_values_upsert(
        user=officer_a,
        rows=[
            FigureInput("work_records_online", COMMUNE, last_month, numerator=50, denominator=92)
        ],
    )
    version = str(result.values[0].version)
    response = client_for(officer_a).post(
        row_url(report_a),
        cell("work_records_online", numerator="120", denominator="92", version=version),
        **HTMX,
    )
    row = response.content.decode()
    assert "invalid-feedback" in row
    assert "54,35%" not in row
    assert 'value="120"' in row


def test_a_stock_below_the_teams_registry_is_saved_with_a_warning(
    officer_a, report_a, last_month, report_indicators
):
    DataValueFactory(
        indicator=report_indicators["stock"],
        division=report_a.division.children.get(code=COMMUNE),
        period=last_month,
        value=15,
        source=Source.TEAMS,
    )
    response = client_for(officer_a).post(
        row_url(report_a), cell("team_count", value="2", version="0"), **HTMX
    )
    row = response.content.decode()
    assert DataValue.objects.get(source=Source.MANUAL).value == 2  # a warning, not a refusal
    assert "Đã lưu" in row
    assert "15" in row and "thấp hơn" in row and "Tổ CNSCĐ" in row


def test_save_all_warns_about_a_stock_below_the_registry_too(
    officer_a, report_a, last_month, report_indicators
):
    DataValueFactory(
        indicator=report_indicators["stock"],
        division=report_a.division.children.get(code=COMMUNE),
        period=last_month,
        value=15,
        source=Source.TEAMS,
    )
    url = reverse("reports:save_all", args=[report_a.division.code, f"{report_a.period:%Y-%m}"])
    response = client_for(officer_a).post(
        url, cell("team_count", value="2", version="0"), follow=True
    )
    assert "thấp hơn" in response.content.decode()


def test_the_reports_list_writes_months_the_vietnamese_way(steering_user, report_a, last_month):
    page = client_for(steering_user).get(reverse("reports:index")).content.decode()
    current = periods.current_month()
    assert f">{last_month:%m/%Y}<" in page and f">{current:%m/%Y}<" in page
    assert f">{last_month:%Y-%m}<" not in page and f">{current:%Y-%m}<" not in page

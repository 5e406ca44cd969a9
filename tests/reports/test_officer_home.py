"""The officer's "Việc cần làm" on the home page: returned reports with their reasons, the
open month with its due date, months owed past their due date; for steering staff, late
marks on the waiting reports and the units that have not sent last month's report."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from core import months as periods
from reports.models import Report, ReportStatus, due_date_for
from tests.reports.fixtures import _report

pytestmark = pytest.mark.django_db


def home_of(user) -> str:
    c = Client()
    c.force_login(user)
    return c.get("/").content.decode()


def section(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"(.*?)</(ul|p)>', page, re.S)
    assert found, f"no #{element_id} on the home page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_every_returned_report_is_listed_with_its_reason_beside_the_open_month(
    camau, officer_a, report_indicators, last_month
):
    older = periods.previous_month(periods.previous_month(last_month))
    returned = _report(camau, "967", older, ReportStatus.RETURNED, officer_a)
    returned.return_reason = "Thiếu số hộ được hướng dẫn của Xã Biển Bạch"
    returned.save()
    _report(camau, "967", last_month, ReportStatus.DRAFT, officer_a)
    page = home_of(officer_a)
    listed = section(page, "work-returned")
    assert f"Báo cáo tháng {older:%m/%Y} — Huyện Thới Bình" in listed
    assert "Thiếu số hộ được hướng dẫn của Xã Biển Bạch" in listed
    assert f'href="/reports/967/{older:%Y-%m}/"' in page
    open_month = section(page, "work-open")
    assert f"Báo cáo tháng {last_month:%m/%Y}" in open_month
    assert f"hạn gửi {due_date_for(last_month):%d/%m/%Y}" in open_month


def test_months_owed_past_their_due_date_are_listed_as_late(
    camau, officer_a, report_indicators, last_month
):
    owed = periods.previous_month(last_month)
    days = (timezone.localdate() - due_date_for(owed)).days
    late = section(home_of(officer_a), "work-late")
    assert f"Báo cáo tháng {owed:%m/%Y} — Huyện Thới Bình" in late
    assert f"Quá hạn {days} ngày" in late


def test_a_commune_officer_of_the_new_structure_gets_the_panel_too(reorganised):
    from tests.divisions.factories import make_user

    officer = make_user(
        "commune_officer", "32069", on=periods.current_month(), username="xa_bienbach"
    )
    page = home_of(officer)
    assert 'id="work-open"' in page and "Xã Biển Bạch" in section(page, "work-open")


def test_steering_staff_see_late_marks_and_units_still_owing(
    camau, steering_user, officer_a, report_indicators, last_month, settings
):
    settings.CDS_REPORT_DUE_DAY = 1
    older = periods.previous_month(last_month)
    # Sent today, months after the due date.
    _report(camau, "967", older, ReportStatus.SUBMITTED, officer_a)
    days = (timezone.localdate() - due_date_for(older)).days
    page = home_of(steering_user)
    assert f"Nộp muộn {days} ngày" in section(page, "work-waiting")
    owing = section(page, "work-steering")
    if timezone.localdate() > due_date_for(last_month):
        assert f"chưa gửi báo cáo tháng {last_month:%m/%Y}" in owing
    assert Report.objects.filter(period=last_month).count() == 0


def test_a_report_sent_late_carries_the_mark_on_its_page_and_in_the_list(
    camau, steering_user, officer_a, report_indicators, last_month
):
    older = periods.previous_month(last_month)
    _report(camau, "967", older, ReportStatus.SUBMITTED, officer_a)
    days = (timezone.localdate() - due_date_for(older)).days
    c = Client()
    c.force_login(steering_user)
    page = c.get(f"/reports/967/{older:%Y-%m}/").content.decode()
    assert f"Nộp muộn {days} ngày" in page
    board = c.get("/reports/board/").content.decode()
    assert f"Nộp muộn {days} ngày" in board


def test_steering_staff_review_the_provinces_own_report_on_its_page(
    camau,
    steering_user,
    province_officer,
    report_province_submitted,
    last_month,
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    c = Client()
    c.force_login(steering_user)
    url = f"/reports/96/{last_month:%Y-%m}/"
    page = c.get(url).content.decode()
    assert f'action="{url}approve/"' in page and f'action="{url}return/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"{url}return/", {"reason": "Thiếu số liệu của Sở Nội vụ"})
    assert Report.objects.get(pk=report_province_submitted.pk).status == ReportStatus.RETURNED
    assert [m.to for m in mail.outbox] == [[province_officer.email]]
    returned = section(home_of(province_officer), "work-returned")
    assert "Tỉnh Cà Mau" in returned and "Thiếu số liệu của Sở Nội vụ" in returned

"""Review views: submit, return, approve, reopen, history, board, bulk approval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import RecomputeRequest, Report, ReportStatus
from reports.services import FigureInput, data_values_upsert

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def url(name, report):
    return reverse(f"reports:{name}", args=[report.division.code, f"{report.period:%Y-%m}"])


def test_return_without_reason_is_refused_with_a_message(steering_user, report_a_submitted):
    response = client_for(steering_user).post(
        url("return", report_a_submitted), {"reason": ""}, follow=True
    )
    assert "Hãy ghi lý do" in response.content.decode()
    report_a_submitted.refresh_from_db()
    assert report_a_submitted.status == ReportStatus.SUBMITTED


def test_officer_sees_return_reason_on_the_grid(steering_user, officer_a, report_a_submitted):
    client_for(steering_user).post(
        url("return", report_a_submitted), {"reason": "Thiếu số liệu xã Trí Phải"}
    )
    page = client_for(officer_a).get(url("entry", report_a_submitted)).content.decode()
    assert "Báo cáo bị trả lại:" in page and "Thiếu số liệu xã Trí Phải" in page
    assert "Gửi báo cáo" in page


def test_approve_locks_and_queues_recompute(steering_user, report_a_submitted):
    response = client_for(steering_user).post(url("approve", report_a_submitted), follow=True)
    assert "Đã duyệt và khoá" in response.content.decode()
    report_a_submitted.refresh_from_db()
    assert report_a_submitted.is_locked and RecomputeRequest.objects.count() == 1


def test_approving_a_draft_is_refused_with_a_message(steering_user, report_a):
    response = client_for(steering_user).post(url("approve", report_a), follow=True)
    assert "Không thể duyệt báo cáo" in response.content.decode()


def test_viewer_and_officers_cannot_approve(viewer, officer_a, report_a_submitted):
    for user in (viewer, officer_a):
        assert client_for(user).post(url("approve", report_a_submitted)).status_code == 403
    report_a_submitted.refresh_from_db()
    assert report_a_submitted.status == ReportStatus.SUBMITTED


def test_reopen_by_steering_with_reason(steering_user, report_a_approved):
    client_for(steering_user).post(url("reopen", report_a_approved), {"reason": "Sai mẫu số"})
    report_a_approved.refresh_from_db()
    assert report_a_approved.status == ReportStatus.RETURNED
    assert report_a_approved.return_reason == "Sai mẫu số"


def test_get_is_not_allowed_on_transitions(steering_user, report_a_submitted):
    assert client_for(steering_user).get(url("approve", report_a_submitted)).status_code == 405


def test_report_history_lists_transitions_and_changes(officer_a, report_a, last_month):
    data_values_upsert(
        user=officer_a,
        rows=[FigureInput("people_guided", "32068", last_month, value=5, note="Lần đầu")],
    )
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", "32068", last_month, value=8)]
    )
    page = client_for(officer_a).get(url("history", report_a)).content.decode()
    assert "Bản nháp" in page and "Lần đầu" in page
    assert page.count("Số người được hướng dẫn kỹ năng số") == 2


def test_figure_history_shows_old_and_new(officer_a, figure_a, last_month):
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", "32068", last_month, value=20)]
    )
    page = (
        client_for(officer_a)
        .get(reverse("reports:figure_history", args=[figure_a.pk]))
        .content.decode()
    )
    assert (
        "officer_a" in page and ">12<" in page.replace(" ", "") and ">20<" in page.replace(" ", "")
    )


def test_board_marks_late_and_bulk_approves(steering_user, camau, report_a_submitted, settings):
    settings.CDS_REPORT_DUE_DAY = 20
    old = dt.date(2024, 1, 1)
    Report.objects.create(division=camau["966"], period=old, status=ReportStatus.DRAFT)
    c = client_for(steering_user)
    response = c.get(reverse("reports:board"), {"months": "3"})
    page = response.content.decode()
    assert response.status_code == 200 and "Huyện Thới Bình" in page and "Đã gửi" in page
    assert f'value="{report_a_submitted.pk}"' in page
    response = c.post(
        reverse("reports:bulk_approve"), {"report": [str(report_a_submitted.pk)]}, follow=True
    )
    assert "Đã duyệt 1 báo cáo" in response.content.decode()
    report_a_submitted.refresh_from_db()
    assert report_a_submitted.status == ReportStatus.APPROVED


def test_board_shows_the_newest_month_first(steering_user, camau):
    """On a phone the table scrolls inside its box: the month that needs action comes first,
    in the heading and in every row (each cell links to its own month's report)."""
    import re

    page = client_for(steering_user).get(reverse("reports:board"), {"months": "3"}).content
    page = page.decode()
    heading = re.findall(r'<th class="text-center">(\d\d/\d{4})</th>', page)
    newest = timezone.localdate().replace(day=1)
    expected = []
    for _ in range(3):
        expected.append(f"{newest:%m/%Y}")
        newest = (newest - dt.timedelta(days=1)).replace(day=1)
    assert heading == expected
    row = page[page.index("Huyện Thới Bình") :]
    links = re.findall(r'href="/reports/967/(\d{4}-\d\d)/"', row)[:3]
    assert [f"{m[5:]}/{m[:4]}" for m in links] == expected


def test_board_late_flag(camau):
    from reports.selectors import completeness_board

    Report.objects.create(
        division=camau["967"],
        period=dt.date(2024, 1, 1),
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.make_aware(dt.datetime(2024, 2, 25, 9)),
    )
    rows, _ = completeness_board(months=[dt.date(2024, 1, 1)], today=dt.date(2024, 3, 1))
    cells = {unit.code: cells[0] for unit, cells in rows}
    assert cells["967"].late and cells["967"].status == "submitted"  # sent after the 20th
    assert cells["966"].late and cells["966"].status == "not_started"
    assert cells["966"].due == dt.date(2024, 2, 20)


def test_steering_index_lists_units(steering_user, report_a):
    page = client_for(steering_user).get(reverse("reports:index")).content.decode()
    assert "Huyện U Minh" in page and "Bảng theo dõi" in page


def test_bulk_approve_works_for_report_ids_above_999(steering_user, camau, last_month):
    # With the thousands separator on, id 12345 once rendered as "12.345" and matched nothing.
    Report.objects.create(
        id=12345,
        division=camau["966"],
        period=last_month,
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    page = client_for(steering_user).get(reverse("reports:board"), {"months": "3"})
    assert 'value="12345"' in page.content.decode()
    response = client_for(steering_user).post(
        reverse("reports:bulk_approve"), {"report": ["12345"]}, follow=True
    )
    assert "Đã duyệt 1 báo cáo" in response.content.decode()
    assert Report.objects.get(pk=12345).status == ReportStatus.APPROVED

"""Separation of duties: whoever submitted a report cannot approve it, on every path, unless
CDS_ALLOW_SELF_APPROVAL is on. Returning or reopening one's own report stays allowed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from reports.models import RecomputeRequest, Report, ReportStatus, ReportTransition
from reports.services import (
    SelfApprovalError,
    report_approve,
    report_reopen,
    report_return,
    report_submit,
    reports_bulk_approve,
)
from tests.divisions.factories import make_user

pytestmark = pytest.mark.django_db
REFUSAL = "nên không thể tự duyệt; cần một cán bộ khác của Ban Chỉ đạo duyệt."


@pytest.fixture
def other_steering(camau):
    return make_user("steering", "96", username="bcd_pho")


@pytest.fixture
def own_report(steering_user, report_a):
    """District A's report, submitted by steering staff themselves (they may enter figures)."""
    return report_submit(user=steering_user, report=report_a)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def url(name, report):
    return reverse(f"reports:{name}", args=[report.division.code, f"{report.period:%Y-%m}"])


def test_submitter_cannot_approve_and_nothing_changes(steering_user, own_report):
    with pytest.raises(SelfApprovalError) as refused:
        report_approve(user=steering_user, report=own_report)
    assert REFUSAL in refused.value.messages[0]
    assert "Huyện Thới Bình" in refused.value.messages[0]
    own_report.refresh_from_db()
    assert own_report.status == ReportStatus.SUBMITTED and own_report.approved_by is None
    assert not RecomputeRequest.objects.exists()
    assert not ReportTransition.objects.filter(to_status=ReportStatus.APPROVED).exists()


def test_another_steering_user_approves(other_steering, own_report):
    approved = report_approve(user=other_steering, report=own_report)
    assert approved.status == ReportStatus.APPROVED and approved.approved_by == other_steering


def test_setting_allows_self_approval(steering_user, own_report, settings):
    settings.CDS_ALLOW_SELF_APPROVAL = True
    assert report_approve(user=steering_user, report=own_report).status == ReportStatus.APPROVED


def test_superuser_who_submitted_cannot_approve_either(report_a):
    root = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    report_submit(user=root, report=report_a)
    with pytest.raises(SelfApprovalError):
        report_approve(user=root, report=report_a)


def test_the_latest_submission_counts(steering_user, other_steering, own_report):
    report_return(user=other_steering, report=own_report, reason="Thiếu số liệu")
    report_submit(user=other_steering, report=own_report)
    assert report_approve(user=steering_user, report=own_report).status == ReportStatus.APPROVED


def test_submitter_may_return_and_reopen_their_own_report(
    steering_user, other_steering, own_report
):
    returned = report_return(user=steering_user, report=own_report, reason="Tôi nhập nhầm")
    assert returned.status == ReportStatus.RETURNED
    report_submit(user=steering_user, report=own_report)
    report_approve(user=other_steering, report=own_report)
    reopened = report_reopen(user=steering_user, report=own_report, reason="Sửa số liệu xã")
    assert reopened.status == ReportStatus.RETURNED


def test_view_refuses_with_a_message_and_hides_the_button(steering_user, own_report):
    c = client_for(steering_user)
    page = c.get(url("entry", own_report)).content.decode()
    assert 'id="own-submission"' in page and REFUSAL in page
    assert f'action="{url("approve", own_report)}"' not in page
    response = c.post(url("approve", own_report), follow=True)
    assert REFUSAL in response.content.decode()
    own_report.refresh_from_db()
    assert own_report.status == ReportStatus.SUBMITTED


def test_view_offers_approval_to_another_steering_user(other_steering, own_report):
    c = client_for(other_steering)
    page = c.get(url("entry", own_report)).content.decode()
    assert f'action="{url("approve", own_report)}"' in page and REFUSAL not in page
    c.post(url("approve", own_report))
    own_report.refresh_from_db()
    assert own_report.status == ReportStatus.APPROVED


def test_view_with_the_setting_on_offers_and_does_self_approval(
    steering_user, own_report, settings
):
    settings.CDS_ALLOW_SELF_APPROVAL = True
    c = client_for(steering_user)
    assert (
        f'action="{url("approve", own_report)}"' in c.get(url("entry", own_report)).content.decode()
    )
    c.post(url("approve", own_report))
    own_report.refresh_from_db()
    assert own_report.status == ReportStatus.APPROVED


@pytest.fixture
def officers_report(camau, officer_b, last_month, report_indicators):
    report = Report.objects.create(division=camau["966"], period=last_month)
    return report_submit(user=officer_b, report=report)


def test_bulk_approval_skips_own_reports_and_approves_the_rest(
    steering_user, own_report, officers_report
):
    done = reports_bulk_approve(user=steering_user, report_ids=[own_report.pk, officers_report.pk])
    assert [r.pk for r in done.approved] == [officers_report.pk]
    assert [r.pk for r in done.skipped_own] == [own_report.pk]
    assert "Huyện Thới Bình" in done.skipped_message()
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses == {own_report.pk: "submitted", officers_report.pk: "approved"}
    assert RecomputeRequest.objects.count() == 1


def test_bulk_approval_of_only_own_reports_approves_nothing(steering_user, own_report):
    done = reports_bulk_approve(user=steering_user, report_ids=[own_report.pk])
    assert done.approved == [] and len(done.skipped_own) == 1
    own_report.refresh_from_db()
    assert own_report.status == ReportStatus.SUBMITTED and not RecomputeRequest.objects.exists()


def test_bulk_approval_with_the_setting_on_approves_own_reports(
    steering_user, own_report, officers_report, settings
):
    settings.CDS_ALLOW_SELF_APPROVAL = True
    done = reports_bulk_approve(user=steering_user, report_ids=[own_report.pk, officers_report.pk])
    assert len(done.approved) == 2 and done.skipped_own == []


def test_board_lists_own_reports_without_a_tick_box_and_says_why(
    steering_user, own_report, officers_report
):
    c = client_for(steering_user)
    page = c.get(reverse("reports:board"), {"months": "3"}).content.decode()
    assert f'value="{officers_report.pk}"' in page
    assert f'value="{own_report.pk}"' not in page
    assert "Bạn đã gửi: cán bộ khác duyệt" in page
    # A hand-made POST with the own report's id is skipped with a warning, the rest approved.
    response = c.post(
        reverse("reports:bulk_approve"),
        {"report": [str(own_report.pk), str(officers_report.pk)]},
        follow=True,
    )
    body = response.content.decode()
    assert "Đã duyệt 1 báo cáo" in body and "Chưa duyệt 1 báo cáo do chính bạn gửi" in body
    own_report.refresh_from_db()
    assert own_report.status == ReportStatus.SUBMITTED


def test_admin_action_skips_the_admins_own_report(report_a, officers_report):
    root = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    report_submit(user=root, report=report_a)
    response = client_for(root).post(
        reverse("admin:reports_report_changelist"),
        {"action": "approve_selected", "_selected_action": [report_a.pk, officers_report.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "Đã duyệt 1 báo cáo" in body and "Chưa duyệt 1 báo cáo do chính bạn gửi" in body
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses == {report_a.pk: "submitted", officers_report.pk: "approved"}

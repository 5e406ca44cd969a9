"""E-mails on a report's steps: returned (with the reason), approved (one by one or in bulk),
in Vietnamese, to the unit's officers, only once the step has committed."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reports.models import Report, ReportStatus

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def args(report) -> list[str]:
    return [report.division.code, f"{report.period:%Y-%m}"]


def test_a_returned_report_is_mailed_to_the_units_officer_with_its_reason(
    steering_user, officer_a, report_a_submitted, django_capture_on_commit_callbacks
):
    reason = "Xã Biển Bạch thiếu số hộ được hướng dẫn & số tổ"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(steering_user).post(
            reverse("reports:return", args=args(report_a_submitted)), {"reason": reason}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [officer_a.email]
    month = f"{report_a_submitted.period:%m/%Y}"
    assert message.subject == f"[CĐS Cà Mau] Báo cáo tháng {month} của Huyện Thới Bình bị trả lại"
    assert reason in message.body  # plain text: "&" is not escaped
    assert f"/reports/967/{report_a_submitted.period:%Y-%m}/" in message.body


def test_an_approved_report_is_mailed_in_vietnamese_whatever_the_approvers_language(
    steering_user, officer_a, report_a_submitted, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        client_for(steering_user).post(
            reverse("reports:approve", args=args(report_a_submitted)),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert Report.objects.get().status == ReportStatus.APPROVED
    assert [m.to for m in mail.outbox] == [[officer_a.email]]
    assert "đã được duyệt" in mail.outbox[0].subject
    assert "Kính gửi" in mail.outbox[0].body


def test_bulk_approval_mails_each_unit(
    steering_user, officer_a, report_a_submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(steering_user).post(
            reverse("reports:bulk_approve"), {"report": [report_a_submitted.pk]}
        )
    assert Report.objects.get().status == ReportStatus.APPROVED
    assert len(mail.outbox) == 1 and "đã được duyệt" in mail.outbox[0].subject


def test_a_refused_step_sends_nothing(
    steering_user, officer_a, report_a_submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(steering_user).post(
            reverse("reports:return", args=args(report_a_submitted)), {"reason": " "}
        )
    assert mail.outbox == []

"""Report workflow services: allowed transitions, reasons, locking, outbox, history."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from reports.models import RecomputeRequest, ReportStatus
from reports.services import (
    FigureErrors,
    FigureInput,
    TransitionError,
    data_values_upsert,
    report_approve,
    report_get_or_create_draft,
    report_reopen,
    report_return,
    report_submit,
    reports_bulk_approve,
)

pytestmark = pytest.mark.django_db


def statuses(report):
    return [(t.from_status, t.to_status) for t in report.transitions.order_by("at", "pk")]


def test_full_journey_is_recorded(officer_a, steering_user, report_a, last_month):
    report = report_submit(user=officer_a, report=report_a)
    report = report_return(user=steering_user, report=report, reason="Thiếu số liệu xã")
    assert report.return_reason == "Thiếu số liệu xã" and report.returned_by == steering_user
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", "32068", last_month, value=3)]
    )
    report = report_submit(user=officer_a, report=report)
    report = report_approve(user=steering_user, report=report)
    assert report.status == ReportStatus.APPROVED and report.approved_by == steering_user
    assert statuses(report) == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]
    with pytest.raises(FigureErrors):
        data_values_upsert(
            user=steering_user, rows=[FigureInput("people_guided", "32068", last_month, value=4)]
        )


def test_return_needs_a_reason(steering_user, report_a_submitted):
    with pytest.raises(TransitionError, match="lý do"):
        report_return(user=steering_user, report=report_a_submitted, reason="  ")
    report_a_submitted.refresh_from_db()
    assert report_a_submitted.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", ReportStatus.DRAFT),
        ("return", ReportStatus.APPROVED),
        ("submit", ReportStatus.SUBMITTED),
        ("reopen", ReportStatus.SUBMITTED),
    ],
)
def test_transitions_outside_the_table_are_refused(
    officer_a, steering_user, report_a, action, status
):
    from django.utils import timezone

    report_a.status = status
    report_a.approved_at = timezone.now()
    report_a.save()
    calls = {
        "approve": lambda: report_approve(user=steering_user, report=report_a),
        "return": lambda: report_return(user=steering_user, report=report_a, reason="x"),
        "submit": lambda: report_submit(user=officer_a, report=report_a),
        "reopen": lambda: report_reopen(user=steering_user, report=report_a, reason="x"),
    }
    with pytest.raises(TransitionError, match="Không thể"):
        calls[action]()


def test_officers_cannot_approve_or_reopen(officer_a, report_a_submitted, report_indicators):
    with pytest.raises(PermissionDenied):
        report_approve(user=officer_a, report=report_a_submitted)
    with pytest.raises(PermissionDenied):
        report_reopen(user=officer_a, report=report_a_submitted, reason="x")


def test_officer_of_other_district_cannot_submit(officer_b, report_a):
    with pytest.raises(PermissionDenied):
        report_submit(user=officer_b, report=report_a)


def test_approval_writes_outbox_and_drains_it(
    steering_user, report_a_submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(user=steering_user, report=report_a_submitted)
    row = RecomputeRequest.objects.get()
    assert row.division_path == "96/967/" and row.period_from == report_a_submitted.period
    assert row.processed_at is not None  # eager Celery drained it on commit


def test_broker_failure_does_not_break_approval(
    steering_user, report_a_submitted, django_capture_on_commit_callbacks
):
    with (
        mock.patch(
            "attainment.tasks.drain_recompute_outbox.delay",
            side_effect=ConnectionError("redis down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report_approve(user=steering_user, report=report_a_submitted)
    report_a_submitted.refresh_from_db()
    assert report_a_submitted.status == ReportStatus.APPROVED
    assert RecomputeRequest.objects.get().processed_at is None  # kept for the next drain


def test_reopen_needs_reason_and_returns_report(steering_user, report_a_approved):
    with pytest.raises(TransitionError):
        report_reopen(user=steering_user, report=report_a_approved, reason="")
    report = report_reopen(user=steering_user, report=report_a_approved, reason="Sai số liệu xã")
    assert report.status == ReportStatus.RETURNED and report.approved_at is None


def test_bulk_approve_is_all_or_nothing(steering_user, camau, report_a_submitted, last_month):
    from reports.models import Report

    other = Report.objects.create(division=camau["966"], period=last_month)
    with pytest.raises(TransitionError):
        reports_bulk_approve(user=steering_user, report_ids=[report_a_submitted.pk, other.pk])
    report_a_submitted.refresh_from_db()
    assert report_a_submitted.status == ReportStatus.SUBMITTED
    other.status = ReportStatus.SUBMITTED
    other.save()
    done = reports_bulk_approve(user=steering_user, report_ids=[report_a_submitted.pk, other.pk])
    assert {r.status for r in done.approved} == {"approved"}
    assert RecomputeRequest.objects.count() == 2


def test_get_or_create_draft_is_idempotent(officer_a, camau, last_month):
    first = report_get_or_create_draft(user=officer_a, division=camau["967"], period=last_month)
    second = report_get_or_create_draft(user=officer_a, division=camau["967"], period=last_month)
    assert first == second and first.transitions.count() == 1


def test_admin_is_read_only_and_approves_through_the_service(report_a_submitted):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    admin_user = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    c = Client()
    c.force_login(admin_user)
    change_url = reverse("admin:reports_datavalue_changelist")
    assert c.get(change_url).status_code == 200
    assert c.get(reverse("admin:reports_datavalue_add")).status_code == 403
    c.post(
        reverse("admin:reports_report_changelist"),
        {"action": "approve_selected", "_selected_action": [report_a_submitted.pk]},
    )
    report_a_submitted.refresh_from_db()
    assert report_a_submitted.status == ReportStatus.APPROVED
    assert report_a_submitted.transitions.last().by == admin_user

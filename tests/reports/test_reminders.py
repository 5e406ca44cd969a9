"""Reminder emails and the periodic task registration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from reports.models import Report, ReportStatus
from reports.reminders import reminders_send
from reports.tasks import send_report_reminders

pytestmark = pytest.mark.django_db


def test_officers_of_districts_without_report_are_reminded_before_and_on_due_day(
    officer_a, officer_b, camau, settings
):
    settings.CDS_REPORT_DUE_DAY = 20
    Report.objects.create(
        division=camau["966"],
        period=dt.date(2024, 4, 1),
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    assert reminders_send(today=dt.date(2024, 5, 17)) == 1
    message = mail.outbox[0]
    assert message.to == [officer_a.email]
    assert "04/2024" in message.subject and "Huyện Thới Bình" in message.subject
    assert "20/05/2024" in message.body and "/reports/967/2024-04/" in message.body
    assert reminders_send(today=dt.date(2024, 5, 20)) == 1
    assert "Hôm nay là hạn" in mail.outbox[1].subject


def test_provincial_agency_and_2026_commune_officers_are_reminded_too(reorganised, settings):
    """Since 07/2025 the communes report directly, and the province reports its own figures:
    their officers are reminded like the districts' were."""
    from tests.divisions.factories import make_user

    settings.CDS_REPORT_DUE_DAY = 20
    agency = make_user("province_officer", "96", username="so_a", email="so@example.vn")
    commune = make_user(
        "commune_officer",
        "32069",
        on=dt.date(2026, 1, 1),
        username="bienbach",
        email="bb@example.vn",
    )
    make_user("commune_officer", "32068", username="old_commune", email="old@example.vn")
    assert reminders_send(today=dt.date(2026, 10, 17)) == 2
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {agency.email, commune.email}
    assert "/reports/96/2026-09/" in sent[agency.email].body
    assert "/reports/32069/2026-09/" in sent[commune.email].body


def test_no_reminders_on_other_days(officer_a, camau):
    assert reminders_send(today=dt.date(2024, 5, 10)) == 0
    assert mail.outbox == []


def test_reminder_task_runs(officer_a, camau):
    assert send_report_reminders.delay().get() >= 0


def test_setup_periodic_tasks_is_idempotent():
    call_command("setup_periodic_tasks")
    first = PeriodicTask.objects.count()
    call_command("setup_periodic_tasks")
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"reports.send_report_reminders", "reports.drain_recompute_outbox"} <= tasks
    assert PeriodicTask.objects.count() == first

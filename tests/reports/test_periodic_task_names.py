"""Scheduled task names say what the tasks do in the structure in force (operators read them in
the admin): the reminders reach every reporting unit, not "các huyện"; a task registered under
a former name is renamed, never duplicated."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.django_db

FORMER = "Báo cáo tháng: nhắc các huyện chưa gửi báo cáo (07:00 hằng ngày)"


def test_no_task_name_says_huyen_and_a_former_name_is_renamed():
    schedule = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    PeriodicTask.objects.create(
        name=FORMER, task="reports.send_report_reminders", interval=schedule
    )
    call_command("setup_periodic_tasks")
    names = list(PeriodicTask.objects.values_list("name", flat=True))
    assert not [n for n in names if "huyện" in n.lower()], names
    assert PeriodicTask.objects.filter(task="reports.send_report_reminders").count() == 1
    call_command("setup_periodic_tasks")
    assert PeriodicTask.objects.count() == len(names)

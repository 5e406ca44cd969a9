"""Register the reports app's periodic jobs in django-celery-beat (idempotent)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

# name → (task, schedule kind, schedule arguments); names are what operators see in the admin.
JOBS = {
    "Báo cáo tháng: nhắc các đơn vị báo cáo chưa gửi báo cáo (07:00 hằng ngày)": (
        "reports.send_report_reminders",
        "crontab",
        {"minute": "0", "hour": "7", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    ),
    "Báo cáo tháng: xử lý hàng đợi tính lại mức đạt chỉ tiêu (mỗi 5 phút)": (
        "reports.drain_recompute_outbox",
        "interval",
        {"every": 5, "period": IntervalSchedule.MINUTES},
    ),
    "Kết quả thực hiện: tính lại toàn bộ (01:30 hằng đêm)": (
        "reports.recompute_all_attainment",
        "crontab",
        {
            "minute": "30",
            "hour": "1",
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
        },
    ),
    "Kết quả thực hiện: chạy lại lần tính lại toàn bộ bị gián đoạn (mỗi phút)": (
        "attainment.requeue_lost_full_recomputes",
        "interval",
        {"every": 1, "period": IntervalSchedule.MINUTES},
    ),
}


# Names used before: a task registered under one of them is renamed, never duplicated (the
# reminders reach every reporting unit, not districts, since 07/2025).
FORMER_NAMES = {
    "Báo cáo tháng: nhắc các huyện chưa gửi báo cáo (07:00 hằng ngày)": (
        "Báo cáo tháng: nhắc các đơn vị báo cáo chưa gửi báo cáo (07:00 hằng ngày)"
    ),
}


class Command(BaseCommand):
    help = "Create or update the periodic tasks of the reports app (safe to run repeatedly)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        for old, new in FORMER_NAMES.items():
            if not PeriodicTask.objects.filter(name=new).exists():
                renamed = PeriodicTask.objects.filter(name=old).update(name=new)
                if renamed:
                    self.stdout.write(f"renamed: {old} → {new}")
            PeriodicTask.objects.filter(name=old).delete()
        for name, (task, kind, spec) in JOBS.items():
            defaults = {"task": task, "enabled": True, "crontab": None, "interval": None}
            if kind == "crontab":
                schedule, _ = CrontabSchedule.objects.get_or_create(
                    timezone=settings.TIME_ZONE, **spec
                )
                defaults["crontab"] = schedule
            else:
                schedule, _ = IntervalSchedule.objects.get_or_create(**spec)
                defaults["interval"] = schedule
            _task, created = PeriodicTask.objects.update_or_create(name=name, defaults=defaults)
            self.stdout.write(f"{'created' if created else 'updated'}: {name} → {task}")

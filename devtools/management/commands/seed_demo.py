"""Demo figures and reports for `make run`. Refused unless DEBUG; idempotent."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.demo import demo_seed
from reports.services import queue_recompute_drain


class Command(BaseCommand):
    help = (
        "Create demo monthly figures (07/2022 to last month) and reports for every district and "
        "commune, labelled 'Dữ liệu minh hoạ'. Runs only with DJANGO_DEBUG=1; safe to repeat."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo writes demo data and runs only with DJANGO_DEBUG=1.")
        started = time.monotonic()
        result = demo_seed()
        if result.figures or result.reports:
            # Dashboards recompute from the outbox row the seed wrote.
            queue_recompute_drain()
        self.stdout.write(
            f"demo data: {result.figures} figures, {result.reports} reports created "
            f"({result.skipped_indicators} indicators left to the teams registry) "
            f"in {time.monotonic() - started:.1f}s"
        )

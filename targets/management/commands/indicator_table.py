"""Print docs/INDICATORS.md: each indicator's unit, window, authoritative level and reporters."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from targets.selectors import reporting_table_markdown


class Command(BaseCommand):
    help = "Print the indicator table of docs/INDICATORS.md from the loaded catalogue."

    def handle(self, *args, **options):
        self.stdout.write(reporting_table_markdown(), ending="")

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from divisions.services import CA_MAU_2024, divisions_upsert, rows_from_shipped_file


class Command(BaseCommand):
    help = "Load Cà Mau's administrative divisions shipped in divisions/data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=CA_MAU_2024)

    def handle(self, *args, file: Path, **options):
        try:
            result = divisions_upsert(rows=rows_from_shipped_file(file))
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            f"divisions: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from divisions.services import divisions_upsert, reorganisation_load, rows_from_shipped_file


class Command(BaseCommand):
    help = (
        "Load Cà Mau's administrative divisions shipped in divisions/data (idempotent): the "
        "structure before 01/07/2025 (Cà Mau and Bạc Liêu, as history), the 64 units from "
        "01/07/2025 and the old → new successions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=None, help="load only this pre-2025 province file"
        )

    def handle(self, *args, file: Path | None, **options):
        try:
            if file is not None:
                result, links = divisions_upsert(rows=rows_from_shipped_file(file)), 0
            else:
                loaded = reorganisation_load()
                result, links = loaded.divisions, loaded.successions
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            f"divisions: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; successions: {links} created"
        )

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from targets.services import CATALOGUE_DIR, CatalogueErrors, catalogue_load


class Command(BaseCommand):
    help = (
        "Load the indicator catalogue, targets and programme goals shipped in "
        "targets/catalogue/ (idempotent: updates by code, never duplicates, never deletes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=CATALOGUE_DIR, dest="directory")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report, save nothing."
        )

    def handle(self, *args, directory: Path, dry_run: bool, **options):
        try:
            result = catalogue_load(directory=directory, dry_run=dry_run)
        except CatalogueErrors as exc:
            raise CommandError(
                "catalogue refused, nothing saved:\n" + "\n".join(str(e) for e in exc.entries)
            ) from exc
        prefix = "dry run, nothing saved: " if dry_run else ""
        self.stdout.write(prefix + result.summary())

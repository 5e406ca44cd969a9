"""`python manage.py generate_scale_data --scale N|national`: synthetic data at N× the province,
or in the shape of the whole country after the 2025 reorganisation.

For the benchmark only (see devtools/bench/README.md): refuses a database holding reports or figures it
did not make, and refuses to run with DEBUG off unless told this is not production.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import months as periods
from devtools.bench.scale_data import DEFAULT_SEED, NATIONAL, Refused, generate


def _month(text: str):
    period = periods.parse_period(text)
    if period is None:
        raise CommandError(f"month {text!r}: use YYYY-MM, e.g. 2022-07")
    return period


def _scale(text: str) -> int | str:
    if text == NATIONAL:
        return NATIONAL
    try:
        return int(text)
    except ValueError as exc:
        raise CommandError(f"--scale {text!r}: a whole number, or {NATIONAL}") from exc


class Command(BaseCommand):
    help = (
        "Generate synthetic divisions, approved reports and figures at N× Cà Mau province "
        "(deterministic; for benchmarks on a separate database only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=_scale,
            default=1,
            help=f"N: copies of the province tree; {NATIONAL}: 34 provinces, 3,321 communes",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--months-from", type=_month, default=None, help="YYYY-MM (07/2022; national: 07/2025)"
        )
        parser.add_argument("--months-to", type=_month, default=None, help="YYYY-MM (last month)")
        parser.add_argument(
            "--replace-synthetic",
            action="store_true",
            help="Delete earlier synthetic data first (only when every row is synthetic).",
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Allow running with DEBUG off (the benchmark runs that way).",
        )

    def handle(self, *args, scale, seed, months_from, months_to, replace_synthetic, **options):
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "DEBUG is off: this may be a production database. Run against a separate "
                "database (e.g. cds_bench) and pass --i-know-this-is-not-production."
            )
        started = time.perf_counter()
        try:
            result = generate(
                scale=scale,
                seed=seed,
                months_from=months_from,
                months_to=months_to,
                replace=replace_synthetic,
            )
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
        self.stdout.write(f"total {time.perf_counter() - started:.1f}s")

"""`python manage.py run_benchmark --scales 1,10[,national] [--smoke]`: see devtools/bench/README.md."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools.bench import run as bench


def _scales(text: str) -> list[bench.Scale]:
    words = {s.strip() for s in text.split(",") if s.strip()}
    try:
        scales = sorted(
            {s if s == bench.NATIONAL else int(s) for s in words}, key=bench.scale_order
        )
    except ValueError as exc:
        raise CommandError(
            f"--scales: comma-separated whole numbers or {bench.NATIONAL}, e.g. 1,10,national"
        ) from exc
    if not scales or (scales[0] != bench.NATIONAL and scales[0] < 1):
        raise CommandError("--scales: at least one scale of 1 or more")
    return scales


class Command(BaseCommand):
    help = (
        "Benchmark import, API, attainment recompute, dashboards and memory at N× the province "
        "against the stack's own limits; writes devtools/bench/results.json. PostgreSQL only, on a "
        "separate database whose name contains 'bench' (its reports and figures are replaced)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scales", default=None, help="e.g. 1,10 or 1,national (smoke default: 1,2)"
        )
        parser.add_argument("--smoke", action="store_true", help="Reduced sizes (CI)")
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help="devtools/bench/results.json (--smoke: devtools/bench/out/results-smoke.json, git-ignored)",
        )
        parser.add_argument("--seed", type=int, default=bench.DEFAULT_SEED)
        parser.add_argument("--import-rows", type=int, default=None)
        parser.add_argument(
            "--markdown",
            action="store_true",
            help="Print the figures of --out (devtools/bench/results.json) as a Markdown table and stop.",
        )
        parser.add_argument(
            "--profile",
            default=None,
            help="cProfile one step on the current data: import, recompute, incremental, "
            "page:province|districts|indicator",
        )
        # Internal: one step in a child process (own peak memory).
        parser.add_argument("--child", default=None, help="internal")
        parser.add_argument("--child-params", default="{}", help="internal")
        parser.add_argument("--child-out", type=Path, default=None, help="internal")

    def handle(self, *args, **options):
        if options["child"]:
            bench.child_main(
                options["child"], json.loads(options["child_params"]), options["child_out"]
            )
            return
        if options["out"] is None:
            options["out"] = bench.SMOKE_RESULTS if options["smoke"] else bench.RESULTS
        if options["markdown"]:
            self.stdout.write(bench.markdown(json.loads(options["out"].read_text())))
            return
        if options["profile"]:
            try:
                self.stdout.write(
                    bench.profile(options["profile"], rows=options["import_rows"] or 2000)
                )
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            return
        sizes = bench.Sizes.smoke() if options["smoke"] else bench.Sizes()
        if options["import_rows"]:
            sizes.import_rows = options["import_rows"]
        scales = _scales(options["scales"] or ("1,2" if options["smoke"] else "1,10"))
        try:
            bench.run(
                scales=scales,
                sizes=sizes,
                seed=options["seed"],
                out=options["out"],
                log=lambda text: self.stdout.write(text),
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc

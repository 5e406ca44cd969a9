"""`python manage.py run_benchmark [--scales 1,10,national] [--smoke]` and `run_benchmark --load
[--load-users 20 --load-seconds 60]`: see devtools/bench/README.md."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools.bench import load
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
            "--scales",
            default=None,
            help="e.g. 1,10 or 1,national (default: 1,10,national; smoke default: 1,2)",
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
        parser.add_argument(
            "--load",
            action="store_true",
            help="Load step: gunicorn with the production settings, 1 user, then --load-users "
            "users, then the same while full recomputes run; merged into --out under 'load'.",
        )
        parser.add_argument("--load-users", type=int, default=20)
        parser.add_argument("--load-seconds", type=float, default=60.0, help="per phase")
        parser.add_argument(
            "--load-think",
            type=float,
            default=1.0,
            help="mean pause of a user between requests, s (0.5-1.5 x this; 0: none)",
        )
        # Internal: one step in a child process (own peak memory).
        parser.add_argument("--child", default=None, help="internal")
        parser.add_argument("--child-params", default="{}", help="internal")
        parser.add_argument("--child-out", type=Path, default=None, help="internal")

    def handle(self, *args, **options):
        if options["child"] == "load-recompute":
            out = load.recompute_loop(json.loads(options["child_params"]))
            options["child_out"].write_text(json.dumps(out))
            return
        if options["child"]:
            bench.child_main(
                options["child"], json.loads(options["child_params"]), options["child_out"]
            )
            return
        if options["out"] is None:
            options["out"] = bench.SMOKE_RESULTS if options["smoke"] else bench.RESULTS
        if options["markdown"]:
            results = json.loads(options["out"].read_text())
            self.stdout.write(bench.markdown(results))
            if "load" in results:
                self.stdout.write("\n" + load.markdown(results["load"]))
            return
        if options["load"]:
            self._load(options)
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
        scales = _scales(options["scales"] or ("1,2" if options["smoke"] else "1,10,national"))
        earlier = _read(options["out"])
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
        # The runner writes the scales' results afresh: the last load step's stay beside them.
        if "load" in earlier:
            _write(options["out"], {**_read(options["out"]), "load": earlier["load"]})

    def _load(self, options) -> None:
        """The load step on the bench database (N=1 generated first when it holds no data),
        merged under "load" into --out, the other keys kept."""
        from django.core.management import call_command

        from reports.models import DataValue

        if options["load_users"] < 1 or options["load_seconds"] <= 0:
            raise CommandError("--load-users ≥ 1 and --load-seconds > 0")
        try:
            bench.check_database()
            call_command("migrate", interactive=False, verbosity=0)
            if not DataValue.objects.exists():
                self.stdout.write("== no scale data: generating N=1")
                call_command(
                    "generate_scale_data",
                    scale=1,
                    seed=options["seed"],
                    replace_synthetic=True,
                    not_production=True,
                    stdout=self.stdout,
                )
            measured = load.measure(
                users=options["load_users"],
                seconds=options["load_seconds"],
                think=options["load_think"],
                seed=options["seed"],
                log=lambda text: self.stdout.write(text),
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        entry = load.results_entry(measured)
        _write(options["out"], {**_read(options["out"]), "load": entry})
        self.stdout.write(load.markdown(entry))
        self.stdout.write(f"load results written to {options['out']} under 'load'")


def _read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _write(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")

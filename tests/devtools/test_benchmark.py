"""The benchmark must not rot: a reduced run on PostgreSQL writes every figure with its goal
and a measurement; the generator makes well-formed data and refuses real databases."""

from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F
from django.test.utils import override_settings

from core import months as periods
from devtools.bench import run as bench
from devtools.bench.scale_data import SYNTHETIC_USERNAME
from divisions.models import Division, Level
from reports.models import DataValue, Report, ReportStatus
from targets.models import Measurement

EXPECTED_FIGURES = {
    "import: real path ÷ COPY (time)",
    "import: queries per row",
    "import: statements of one unit's monthly file",
    "API values/ JSON: rps ÷ bare rps",
    "API values/ CSV: rps ÷ bare rps",
    "full recompute ÷ GROUP BY ROLLUP (time)",
    "incremental recompute (one district-month) ÷ full",
    "recompute growth: s/figure ratio",
    "recompute growth: CPU s/figure ratio",
    "dashboard province: CPU per request ratio",
    "dashboard districts: CPU per request ratio",
    "dashboard indicator: CPU per request ratio",
    "dashboard province: median latency ratio",
    "dashboard province: p95 latency ratio",
    "dashboard province: query count difference",
    "dashboard districts: median latency ratio",
    "dashboard districts: p95 latency ratio",
    "dashboard districts: query count difference",
    "dashboard indicator: median latency ratio",
    "dashboard indicator: p95 latency ratio",
    "dashboard indicator: query count difference",
    "memory: peak RSS of import",
    "memory: peak RSS of recompute",
}


def _generate(**kwargs):
    call_command(
        "generate_scale_data",
        not_production=True,
        stdout=io.StringIO(),
        **kwargs,
    )


def test_generator_refuses_to_run_with_debug_off_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("generate_scale_data", scale=1)


def test_benchmark_refuses_sqlite_with_instructions(monkeypatch):
    monkeypatch.setattr(bench, "connection", SimpleNamespace(vendor="sqlite", settings_dict={}))
    with pytest.raises(RuntimeError, match=r"(?s)needs PostgreSQL.*cds_bench"):
        bench.check_database()


def test_benchmark_refuses_a_database_not_named_for_benchmarks(monkeypatch):
    fake = SimpleNamespace(vendor="postgresql", settings_dict={"NAME": "camau_cds"})
    monkeypatch.setattr(bench, "connection", fake)
    with pytest.raises(RuntimeError, match="not a benchmark database"):
        bench.check_database()


@pytest.mark.services
@pytest.mark.django_db
def test_generator_refuses_a_database_with_real_reports(camau):
    Report.objects.create(division=camau["967"], period=dt.date(2024, 1, 1))
    with pytest.raises(CommandError, match="did not make.*1 reports"):
        _generate(scale=1)
    assert not DataValue.objects.exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_generator_writes_plausible_deterministic_data_and_replaces_only_synthetic():
    last = periods.previous_month(periods.current_month())
    first = periods.previous_month(last)
    _generate(scale=2, months_from=first, months_to=last)
    snapshot = sorted(
        DataValue.objects.values_list(
            "indicator__code", "division__code", "period", "value", "numerator", "denominator"
        )
    )
    with pytest.raises(CommandError, match="--replace-synthetic"):
        _generate(scale=2, months_from=first, months_to=last)
    _generate(scale=2, months_from=first, months_to=last, replace_synthetic=True)
    again = sorted(
        DataValue.objects.values_list(
            "indicator__code", "division__code", "period", "value", "numerator", "denominator"
        )
    )
    assert again == snapshot  # same seed, same figures

    # Two copies of the tree: 1 province, 18 district-level units, 200 communes, hamlets.
    assert Division.objects.filter(level=Level.DISTRICT).count() == 18
    assert Division.objects.filter(level=Level.COMMUNE).count() == 200
    assert 1200 <= Division.objects.filter(level=Level.HAMLET).count() <= 2400
    synthetic = Division.objects.filter(code__startswith="S")
    assert not synthetic.filter(code__regex=r"^[0-9]+$").exists()
    assert synthetic.count() == Division.objects.count() - 110  # only the real 110 are GSO

    ratios = DataValue.objects.filter(indicator__measurement=Measurement.RATIO)
    assert ratios.exists()
    assert not ratios.filter(numerator__gt=F("denominator")).exists()
    counts = DataValue.objects.filter(indicator__whole_numbers=True)
    assert all(v == v.to_integral_value() for v in counts.values_list("value", flat=True))
    assert not Report.objects.exclude(status=ReportStatus.APPROVED).exists()
    assert not Report.objects.exclude(created_by__username=SYNTHETIC_USERNAME).exists()
    # Every reporting unit (province + district-level) has its report for both months.
    assert Report.objects.count() == (1 + 18) * 2

    # Back to scale 1: the second copy disappears.
    _generate(scale=1, months_from=first, months_to=last, replace_synthetic=True)
    assert Division.objects.filter(level=Level.DISTRICT).count() == 9


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_smoke_run_writes_every_figure_with_its_goal_and_a_measurement(tmp_path):
    out = tmp_path / "results.json"
    call_command("run_benchmark", "--smoke", "--out", str(out), stdout=io.StringIO())

    results = json.loads(out.read_text())
    names = {f["name"] for f in results["figures"]}
    assert names == EXPECTED_FIGURES
    for figure in results["figures"]:
        assert figure["goal"], figure
        assert isinstance(figure["measured"], float), figure
        assert isinstance(figure["pass"], bool), figure
    assert results["scales"] == [1, 2]
    assert results["measurements"]["1"]["import"]["rows"] == 2000
    # Every dashboard figure holds its three rounds, and shows the worst of them.
    for figure in (f for f in results["figures"] if f["name"].startswith("dashboard ")):
        assert len(figure["detail"]["rounds"]) == 3, figure
    for page in results["measurements"]["2"]["dashboards"].values():
        assert len(page["rounds"]) == 3
    assert results["measurements"]["1"]["incremental"]["incremental_queries"] > 0
    assert (
        results["measurements"]["1"]["api"]["rows"]["api"]
        == (results["measurements"]["1"]["api"]["rows"]["bare"])
    )
    machine = results["machine"]
    assert machine["nproc"] >= 1
    assert machine["postgresql"].startswith("PostgreSQL")
    # The run leaves no report reopened or approved by the benchmark behind.
    assert not Report.objects.exclude(status=ReportStatus.APPROVED).exists()
    assert not Report.objects.exclude(created_by__username=SYNTHETIC_USERNAME).exists()


def test_benchmark_scales_include_the_national_shape_after_every_multiple():
    from devtools.management.commands.run_benchmark import _scales

    assert _scales("national,10,1") == [1, 10, "national"]
    with pytest.raises(CommandError, match="national"):
        _scales("1,country")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_generator_builds_the_country_after_the_reorganisation():
    last = periods.previous_month(periods.current_month())
    _generate(scale="national", months_from=last, months_to=last)

    provinces = Division.objects.filter(level=Level.PROVINCE)
    communes = Division.objects.filter(level=Level.COMMUNE, code__startswith="S0-")
    assert provinces.count() == 34
    assert communes.count() == 3321
    # Communes directly under their province (no districts), 97 or 98 each.
    assert not communes.exclude(parent__level=Level.PROVINCE).exists()
    per_province = set(provinces.annotate(n=Count("children")).values_list("n", flat=True))
    assert per_province <= {97, 98, 97 + 9, 98 + 9}  # Cà Mau also keeps its 9 old districts
    # Figures only for the new units: every commune reports, no district does.
    figures = DataValue.objects.filter(period=last)
    assert not figures.filter(division__level=Level.DISTRICT).exists()
    reporting = figures.filter(division__level=Level.COMMUNE).values("division").distinct()
    assert reporting.count() == 3321
    assert Report.objects.count() == 34

    # Back to a multiple of the province: the national units are gone.
    _generate(scale=1, months_from=last, months_to=last, replace_synthetic=True)
    assert Division.objects.filter(level=Level.PROVINCE).count() == 1
    assert not Division.objects.filter(code__startswith="S0-").exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_smoke_run_measures_a_scale_in_the_national_shape(tmp_path):
    out = tmp_path / "results.json"
    call_command(
        "run_benchmark", "--smoke", "--scales", "national", "--out", str(out), stdout=io.StringIO()
    )

    results = json.loads(out.read_text())
    assert results["scales"] == ["national"]
    national = results["measurements"]["national"]
    assert national["divisions"] > 3321 + 34
    assert national["recompute"]["recompute_rows"] > 0
    recompute = next(f for f in results["figures"] if f["name"].startswith("full recompute"))
    assert recompute["scale"] == "national"
    assert isinstance(recompute["measured"], float)


def _round(ms: float, queries: int = 11) -> dict:
    return {
        "median_ms": ms,
        "p95_ms": ms * 1.2,
        "min_ms": ms * 0.9,
        "median_cpu_ms": ms / 2,
        "cpu_ms_per_request": ms,
        "queries": queries,
        "requests": 50,
    }


def _measures(figures: int, rounds: list[dict]) -> dict:
    """What measure_scale returns, with the dashboard pages' rounds given."""
    pages = {page: {"rounds": rounds} for page in bench.dashboard_pages()}
    return {
        "figures": figures,
        "import": {
            "import_seconds": 3.0,
            "copy_seconds": 0.2,
            "rows": 20_000,
            "files": 1,
            "import_queries": 13,
            "units": 109,
            "months": 24,
            "unit_file_statements": 12,
            "unit_file_rows": 132,
            "import_peak_rss_mb": 200.0,
            "rss_before_mb": 60.0,
        },
        "api": {
            "rows": {"api": 5000, "bare": 5000},
            **{k: {"api_rps": 8.0, "bare_rps": 10.0, "requests": 20} for k in ("json", "csv")},
        },
        "recompute": {
            "recompute_seconds": figures / 40_000,
            "recompute_cpu_seconds": figures / 40_000,
            "recompute_rows": figures,
            "recompute_queries": 30,
            "recompute_peak_rss_mb": 100.0,
            "rss_before_mb": 60.0,
        },
        "rollup": {"rollup_seconds": figures / 160_000},
        "incremental": {"incremental_seconds": 0.01, "district": "967", "month": "2026-10"},
        "dashboards": pages,
        "dashboards_after_analyze": {page: {"rounds": rounds[:1]} for page in pages},
    }


def test_dashboard_goals_hold_only_when_every_round_does_and_growth_reaches_each_scale():
    steady = [_round(50), _round(50), _round(50)]
    # At national scale the second round is slow and the third runs one more query.
    national = [_round(50), _round(75), _round(50, queries=12)]
    figs = bench.figures_from(
        {
            1: _measures(44_000, steady),
            10: _measures(435_000, steady),
            "national": _measures(432_000, national),
        }
    )
    by_key = {(f.name, f.scale): f for f in figs}

    # Growth and memory, N=1 → N=10 and N=1 → national.
    for label in ("10/1", "national/1"):
        assert ("recompute growth: s/figure ratio", label) in by_key
        assert ("dashboard districts: p95 latency ratio", label) in by_key
    for scale in ("10", "national"):
        assert by_key[("memory: peak RSS of recompute", scale)].passed
    assert by_key[("dashboard province: median latency ratio", "10/1")].passed

    median = by_key[("dashboard province: median latency ratio", "national/1")]
    assert not median.passed
    assert median.measured == pytest.approx(1.5)  # the worst round's ratio
    assert [r["ratio"] for r in median.detail["rounds"]] == pytest.approx([1.0, 1.5, 1.0])
    assert median.goal == "≤ 1.2, all 3 rounds"
    queries = by_key[("dashboard province: query count difference", "national/1")]
    assert not queries.passed
    assert queries.measured == 1.0
    assert [r["difference"] for r in queries.detail["rounds"]] == [0, 0, 1]


def test_national_scale_generates_the_months_since_the_reorganisation():
    last = periods.previous_month(periods.current_month())
    assert bench.months_range(bench.Sizes(), "national") == (dt.date(2025, 7, 1), last)
    assert bench.months_range(bench.Sizes(), 10) == (None, None)  # 07/2022 on
    smoke = bench.months_range(bench.Sizes.smoke(), "national")
    assert smoke == (periods.previous_month(last), last)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_incremental_drains_are_timed_without_the_debug_cursor(monkeypatch):
    from attainment import outbox

    last = periods.previous_month(periods.current_month())
    _generate(scale=1, months_from=last, months_to=last)
    real_drain = outbox.outbox_drain
    logged = []

    def drain_noting_the_query_log(**kwargs):
        logged.append(connection.queries_logged)
        return real_drain(**kwargs)

    monkeypatch.setattr(outbox, "outbox_drain", drain_noting_the_query_log)
    with override_settings(DEBUG=False):
        result = bench.step_incremental(repeats=2)

    # The untimed warm-up counts the statements; the timed drains run as a worker's do.
    assert logged == [True, False, False]
    assert result["incremental_queries"] > 0
    assert len(result["incremental_seconds_all"]) == 2

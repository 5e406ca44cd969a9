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
from django.db.models import Count, F

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

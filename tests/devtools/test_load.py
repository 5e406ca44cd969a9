"""The benchmark's load step against a real gunicorn with the production settings: signed-in
users get every page kind without an error, alone, together and while full recomputes run;
their grid saves store figures that are gone afterwards; results.json keeps its other keys."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from core import months as periods
from devtools.bench import load
from devtools.bench.scale_data import SYNTHETIC_USERNAME
from divisions.models import UserScope
from reports.models import DataValue, Report

pytestmark = pytest.mark.services

PHASES = {"single": 1, "concurrent": 4, "recompute": 4}


@pytest.mark.django_db(transaction=True)
def test_short_load_run_serves_every_page_kind_without_errors_and_merges_its_figures(tmp_path):
    last = periods.previous_month(periods.current_month())
    call_command(
        "generate_scale_data",
        scale=1,
        months_from=last,
        months_to=last,
        not_production=True,
        stdout=io.StringIO(),
    )
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"figures": [{"name": "earlier"}], "measurements": {"1": {}}}))

    call_command(
        "run_benchmark",
        "--load",
        "--load-users",
        "4",
        "--load-seconds",
        "5",
        "--load-think",
        "0",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )

    results = json.loads(out.read_text())
    # The scales' results stay beside the load step's.
    assert results["figures"] == [{"name": "earlier"}]
    assert results["measurements"] == {"1": {}}
    m = results["load"]["measurements"]
    for phase, users in PHASES.items():
        assert m["phases"][phase]["users"] == users
        for kind in load.KINDS:
            stats = m["phases"][phase]["kinds"][kind]
            assert stats["requests"] > 0, (phase, kind)
            assert stats["errors"] == 0, (phase, kind, stats["error_samples"])
            assert 0 < stats["median_ms"] <= stats["p95_ms"], (phase, kind)
    assert m["phases"]["recompute"]["recompute"]["recomputes"] >= 1
    # The officers' saves stored figures in their own reports, deleted afterwards: the data is
    # again the generator's alone (it refuses anything else).
    assert m["saved_figures"] > 0
    assert m["cleanup"]["reports"] >= 1
    assert not Report.objects.exclude(created_by__username=SYNTHETIC_USERNAME).exists()
    assert not DataValue.objects.exclude(updated_by__username=SYNTHETIC_USERNAME).exists()
    # Nor do the virtual users keep a role or a scope: a later scale replaces the units.
    assert not UserScope.objects.filter(user__username__startswith=load.USER_PREFIX).exists()
    assert not Group.objects.filter(user__username__startswith=load.USER_PREFIX).exists()

    figures = results["load"]["figures"]
    expected = {
        f"load {kind}: p95, {label} ÷ 1 user"
        for kind in load.KINDS
        for label in ("4 users", "4 users + full recompute")
    } | {f"load errors: {label}" for label in ("1 user", "4 users", "4 users + full recompute")}
    assert {f["name"] for f in figures} == expected
    for figure in figures:
        assert figure["goal"], figure
        assert isinstance(figure["measured"], float), figure
        assert isinstance(figure["pass"], bool), figure
    assert all(f["pass"] for f in figures if f["name"].startswith("load errors"))
    table = load.markdown(results["load"])
    for kind in load.KINDS:
        assert table.count(f"| {kind} |") == 3

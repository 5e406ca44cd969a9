"""Clearing a hand-typed cell deletes the figure, so the teams' figure of the cell counts again:
on the grid, in the attainment rows (dashboards), in the API; history keeps the deletion."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from attainment.engine import attainment_recompute
from attainment.models import Attainment
from core import months as periods
from divisions.models import DivisionSuccession
from reports.imports import COLUMNS, figures_import
from reports.models import DataValue, DataValueChange, Report, Source
from reports.services import (
    FigureInput,
    data_values_upsert,
    report_approve,
    report_submit,
)
from teams.figures import team_figures_sync
from teams.models import Activity, ActivityKind
from tests.divisions.factories import make_user
from tests.reports.factories import count_indicator, stock_indicator
from tests.reports.test_import import xlsx
from tests.teams.fixtures import make_member, make_team

# A month of 2026: commune-level units under the province report for themselves.
MONTH = periods.previous_month(periods.current_month())
PEOPLE_BY_TEAMS = 15


@pytest.fixture
def commune_2026(reorganised):
    """The 2026 commune that took over Xã Biển Bạch, with one Tổ CNSCĐ (kept on the old
    commune, counting for its successor) that guided 15 people in MONTH."""
    assert MONTH.year >= 2026
    old = reorganised.old["32068"]
    successor = (
        DivisionSuccession.objects.filter(predecessor=old).order_by("-share").first().successor
    )
    team = make_team(old, decision_date=dt.date(2024, 1, 5))
    make_member(team)
    Activity.objects.create(
        team=team,
        date=MONTH.replace(day=10),
        kind=ActivityKind.PUBLIC_SERVICES,
        people=PEOPLE_BY_TEAMS,
        households=4,
    )
    return successor


@pytest.fixture
def indicators(db):
    return {"team_count": stock_indicator("team_count"), "people": count_indicator("people_guided")}


@pytest.fixture
def officer(commune_2026):
    return make_user("commune_officer", commune_2026.code, on=MONTH, username="can_bo_xa")


@pytest.fixture
def steering(reorganised):
    return make_user("steering", "96", username="bcd_duyet")


def synced(indicators, unit) -> dict[str, D]:
    team_figures_sync()
    return {
        code: DataValue.objects.get(
            indicator__code=code, division=unit, period=MONTH, source=Source.TEAMS
        ).value
        for code in ("team_count", "people_guided")
    }


def enter(officer, unit, *, team_count, people, version=None):
    return data_values_upsert(
        user=officer,
        rows=[
            FigureInput("team_count", unit.code, MONTH, value=team_count, expected_version=version),
            FigureInput("people_guided", unit.code, MONTH, value=people, expected_version=version),
        ],
        unit=unit,
        period=MONTH,
    )


def attainment(code, division, period=MONTH) -> Attainment:
    return Attainment.objects.get(
        indicator__code=code, division=division, period=period, provisional=False, target_key=0
    )


def test_cleared_cell_lets_the_team_figure_count_after_approval(
    indicators, commune_2026, officer, steering
):
    unit = commune_2026
    teams = synced(indicators, unit)
    assert teams == {"team_count": D(1), "people_guided": D(PEOPLE_BY_TEAMS)}
    enter(officer, unit, team_count=3, people=40)
    enter(officer, unit, team_count=None, people=None, version=1)
    report = Report.objects.get(division=unit, period=MONTH)
    report_submit(user=officer, report=report)
    report_approve(user=steering, report=report)
    attainment_recompute()

    team_row = attainment("team_count", unit)
    assert (team_row.actual, team_row.sources) == (D(1), "teams")
    people_row = attainment("people_guided", unit)
    assert (people_row.actual, people_row.sources) == (D(PEOPLE_BY_TEAMS), "teams")
    province = unit.parent
    assert attainment("people_guided", province).actual == D(PEOPLE_BY_TEAMS)
    assert not DataValue.objects.filter(source=Source.MANUAL).exists()


def test_clearing_reports_what_it_deleted(indicators, commune_2026, officer):
    enter(officer, commune_2026, team_count=3, people=40)
    result = enter(officer, commune_2026, team_count=None, people=None, version=1)
    assert (result.deleted, result.updated, result.values) == (2, 0, [None, None])
    again = enter(officer, commune_2026, team_count=None, people=None, version=0)
    assert (again.deleted, again.unchanged) == (0, 2)


def test_clearing_is_recorded_in_the_history_and_outlives_the_figure(
    indicators, commune_2026, officer
):
    unit = commune_2026
    enter(officer, unit, team_count=3, people=40)
    figure_id = DataValue.objects.get(indicator__code="team_count", source=Source.MANUAL).pk
    enter(officer, unit, team_count=None, people=40, version=1)

    created, cleared = DataValueChange.objects.filter(indicator__code="team_count").order_by("pk")
    assert (created.old_value, created.new_value, created.version) == (None, D(3), 1)
    assert (cleared.old_value, cleared.new_value, cleared.new_numerator) == (D(3), None, None)
    assert cleared.changed_by == officer and cleared.version == 2 and cleared.channel == "form"
    assert (cleared.division, cleared.period, cleared.source) == (unit, MONTH, Source.MANUAL)
    assert created.data_value_id is None and not DataValue.objects.filter(pk=figure_id).exists()

    page = Client()
    page.force_login(officer)
    history = page.get(reverse("reports:history", args=[unit.code, f"{MONTH:%Y-%m}"]))
    assert history.content.decode().count("Số Tổ CNSCĐ") == 2

    # Typed again: the new figure's history page shows the earlier figure and its clearing.
    enter(officer, unit, team_count=2, people=40, version=0)
    again = DataValue.objects.get(indicator__code="team_count", source=Source.MANUAL)
    assert again.version == 1
    rows = page.get(reverse("reports:figure_history", args=[again.pk])).content.decode()
    assert rows.count('<td><span lang="vi">can_bo_xa</span></td>') == 3


def test_grid_clears_the_cell_and_shows_the_team_figure_beside_it(
    indicators, commune_2026, officer
):
    unit = commune_2026
    synced(indicators, unit)
    enter(officer, unit, team_count=3, people=40)
    c = Client()
    c.force_login(officer)
    args = [unit.code, f"{MONTH:%Y-%m}"]
    post = {
        f"team_count__{unit.code}__value": "",
        f"team_count__{unit.code}__version": "1",
        f"people_guided__{unit.code}__value": "40",
        f"people_guided__{unit.code}__version": "1",
        f"note__{unit.code}": "",
    }
    response = c.post(reverse("reports:save_all", args=args), post, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đã xoá 1 số liệu nhập tay để trống" in page
    assert f'name="team_count__{unit.code}__value" value=""' in page
    assert "Từ Tổ CNSCĐ: 1" in re.sub(r"<[^>]+>", "", page)  # the words as shown
    assert f'name="team_count__{unit.code}__version" value="0"' in page
    assert not DataValue.objects.filter(indicator__code="team_count", source="manual").exists()


def test_grid_clear_with_a_stale_version_is_refused(indicators, commune_2026, officer):
    unit = commune_2026
    enter(officer, unit, team_count=3, people=40)
    enter(officer, unit, team_count=4, people=40, version=1)
    c = Client()
    c.force_login(officer)
    response = c.post(
        reverse("reports:save_all", args=[unit.code, f"{MONTH:%Y-%m}"]),
        {f"team_count__{unit.code}__value": "", f"team_count__{unit.code}__version": "1"},
    )
    assert response.status_code == 422
    assert "giá trị của họ là 4" in response.content.decode()
    assert DataValue.objects.get(indicator__code="team_count", source="manual").value == D(4)


def test_api_patch_with_nulls_deletes_and_the_values_list_shows_the_team_figure(
    indicators, commune_2026, officer, steering
):
    unit = commune_2026
    synced(indicators, unit)
    enter(officer, unit, team_count=3, people=40)
    api = APIClient()
    api.force_authenticate(officer)
    period = f"{MONTH:%Y-%m}"
    cleared = {"indicator": "team_count", "division": unit.code, "period": period}
    response = api.patch(
        "/api/v1/values/",
        [{**cleared, "value": None, "numerator": None, "denominator": None, "version": 1}],
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["deleted"] == 1 and body["results"][0]["version"] is None

    report = Report.objects.get(division=unit, period=MONTH)
    report_submit(user=officer, report=report)
    report_approve(user=steering, report=report)
    reader = APIClient()
    reader.force_authenticate(steering)
    listed = reader.get(
        "/api/v1/values/",
        {"indicator": "team_count", "division": unit.code, "period_from": period},
    ).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(r["source"], D(str(r["value"]))) for r in rows if r["period"] == period] == [
        ("teams", D(1))
    ]


def test_api_row_naming_no_number_is_refused_not_taken_as_a_deletion(
    indicators, commune_2026, officer
):
    unit = commune_2026
    enter(officer, unit, team_count=3, people=40)
    api = APIClient()
    api.force_authenticate(officer)
    response = api.patch(
        "/api/v1/values/",
        [
            {
                "indicator": "team_count",
                "division": unit.code,
                "period": f"{MONTH:%Y-%m}",
                "version": 1,
            }
        ],
        format="json",
    )
    assert response.status_code == 422
    assert "gửi null cho cả ba để xoá" in str(response.json())
    assert DataValue.objects.get(indicator__code="team_count", source="manual").value == D(3)


def test_import_row_with_empty_numbers_leaves_the_figure_as_it_is(
    indicators, commune_2026, officer
):
    unit = commune_2026
    enter(officer, unit, team_count=3, people=40)
    period = f"{MONTH:%Y-%m}"
    upload = xlsx(
        [
            {"indicator_code": "team_count", "division_code": unit.code, "period": period},
            {
                "indicator_code": "people_guided",
                "division_code": unit.code,
                "period": period,
                "value": 41,
            },
        ],
        headers=COLUMNS,
    )
    outcome = figures_import(user=officer, upload=upload, unit=unit, period=MONTH, dry_run=False)
    assert not outcome.errors
    assert (outcome.result.updated, outcome.result.deleted) == (1, 0)
    manual = dict(DataValue.objects.filter(source="manual").values_list("indicator__code", "value"))
    assert manual == {"team_count": D(3), "people_guided": D(41)}


def test_a_manual_figure_with_no_number_cannot_be_stored(indicators, commune_2026, officer):
    from django.db import IntegrityError, transaction

    enter(officer, commune_2026, team_count=3, people=40)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataValue.objects.filter(indicator__code="team_count").update(value=None)


@pytest.mark.django_db(transaction=True)
def test_upgrade_deletes_blank_manual_figures_with_a_history_row_and_queues_a_recompute(camau):
    """Databases written before clearing deleted figures hold blank manual figures."""
    indicator_id = stock_indicator("team_count").pk
    executor = MigrationExecutor(connection)
    before = [("reports", "0006_figure_history_names_its_cell")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Report_ = apps.get_model("reports", "Report")
    Figure = apps.get_model("reports", "DataValue")
    Change = apps.get_model("reports", "DataValueChange")
    report = Report_.objects.create(
        division_id=camau["967"].pk,
        period=dt.date(2024, 5, 1),
        status="approved",
        approved_at=dt.datetime(2024, 6, 3, tzinfo=dt.UTC),
    )
    common = {"indicator_id": indicator_id, "period": report.period, "report": report}
    blank = Figure.objects.create(
        division_id=camau["32068"].pk, version=2, updated_at=report.approved_at, **common
    )
    kept = Figure.objects.create(
        division_id=camau["32069"].pk, value=D(2), updated_at=report.approved_at, **common
    )
    Change.objects.create(
        data_value=blank, changed_at=report.approved_at, new_value=D(3), version=1, channel="form"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(DataValue.objects.values_list("pk", flat=True)) == [kept.pk]
    typed, deleted = DataValueChange.objects.order_by("pk")
    assert typed.data_value_id is None and typed.division_id == camau["32068"].pk
    assert typed.report_id == report.pk and typed.source == "manual"
    assert (deleted.version, deleted.channel, deleted.division_id) == (
        3,
        "system",
        typed.division_id,
    )
    from reports.models import RecomputeRequest

    queued = RecomputeRequest.objects.get()
    assert (queued.division_path, queued.period_from) == (camau["967"].path, report.period)
    migration = importlib.import_module("reports.migrations.0007_delete_blank_manual_figures")
    assert deleted.note == migration.NOTE


def test_clearing_many_cells_costs_the_same_queries_as_clearing_one(
    officer_a, report_a, last_month, camau
):
    from django.test.utils import CaptureQueriesContext

    from divisions.models import Level

    communes = [
        d.code for d in camau.values() if d.level == Level.COMMUNE and d.parent.code == "967"
    ]
    assert len(communes) > 5

    def rows(codes, value, version=None):
        return [
            FigureInput("people_guided", code, last_month, value=value, expected_version=version)
            for code in codes
        ]

    counts = []
    for codes in (communes[:1], communes[1:]):
        data_values_upsert(user=officer_a, rows=rows(codes, 5))
        with CaptureQueriesContext(connection) as ctx:
            result = data_values_upsert(user=officer_a, rows=rows(codes, None, 1))
        assert result.deleted == len(codes)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert DataValueChange.objects.filter(new_value=None, data_value=None).count() == len(communes)

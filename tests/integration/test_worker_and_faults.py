"""Real Celery worker on Redis and PostgreSQL: approvals are recomputed by the worker, a
broker outage loses nothing, a killed worker's task is redelivered."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal as D

import pytest
from django.urls import reverse

from attainment.engine import attainment_recompute
from attainment.models import Attainment
from reports.models import RecomputeRequest, Report, ReportStatus
from reports.services import (
    FigureInput,
    data_values_upsert,
    report_get_or_create_draft,
    report_submit,
)
from tests.integration.conftest import wait_for
from tests.reports.factories import count_indicator

MAY = dt.date(2024, 5, 1)


def submitted_report(camau, officer, indicator, value: int) -> Report:
    """An officer enters one commune figure for 05/2024 and submits (through the services)."""
    report = report_get_or_create_draft(user=officer, division=camau["967"], period=MAY)
    data_values_upsert(
        user=officer,
        rows=[FigureInput(indicator.code, "32068", MAY, value=D(value))],
        unit=camau["967"],
        period=MAY,
    )
    return report_submit(user=officer, report=report)


def approve_url() -> str:
    return reverse("reports:approve", kwargs={"district_code": "967", "period": "2024-05"})


def district_rows(indicator):
    return Attainment.objects.filter(indicator=indicator, division__code="967", period=MAY)


@pytest.mark.django_db(transaction=True)
def test_approval_over_http_is_recomputed_by_the_worker_and_shown_on_the_dashboard(
    camau, officer_a, steering_user, client, redis_server, use_broker, make_worker
):
    indicator = count_indicator("people_guided")
    submitted_report(camau, officer_a, indicator, 7)
    use_broker(redis_server.url)
    make_worker(redis_server.url)

    client.force_login(steering_user)
    response = client.post(approve_url())
    assert response.status_code in (200, 302)
    assert Report.objects.get(division__code="967", period=MAY).status == ReportStatus.APPROVED

    row = wait_for(lambda: district_rows(indicator).first())
    assert row.actual == D(7)
    assert not RecomputeRequest.objects.filter(processed_at__isnull=True).exists()
    page = client.get(
        reverse("dashboards:indicator", kwargs={"code": indicator.code}), {"division": "967"}
    )
    html = page.content.decode()
    row_html = html.split('data-period="2024-05"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="text-end">7' in row_html


@pytest.mark.django_db(transaction=True)
def test_broker_down_approval_still_fast_and_recompute_runs_once_when_back(
    camau, officer_a, steering_user, client, redis_server, use_broker, make_worker
):
    indicator = count_indicator("people_guided")
    use_broker(redis_server.url)
    redis_server.stop()

    started = time.monotonic()
    submitted_report(camau, officer_a, indicator, 9)  # entry and submit with Redis down
    client.force_login(steering_user)
    response = client.post(approve_url())
    elapsed = time.monotonic() - started
    assert response.status_code in (200, 302)
    assert elapsed < 2.0, f"entry, submit and approve took {elapsed:.2f}s with Redis down"
    assert Report.objects.get(division__code="967", period=MAY).status == ReportStatus.APPROVED
    assert RecomputeRequest.objects.filter(processed_at__isnull=True).count() == 1
    assert not district_rows(indicator).exists()

    redis_server.start()
    make_worker(redis_server.url)
    from attainment.tasks import drain_recompute_outbox

    drain_recompute_outbox.delay()  # what the periodic drain does every five minutes
    row = wait_for(lambda: district_rows(indicator).first())
    assert row.actual == D(9)
    wait_for(lambda: not RecomputeRequest.objects.filter(processed_at__isnull=True).exists())
    # Exactly once in effect: a second drain finds nothing, the rows equal a direct recompute.
    drain_recompute_outbox.delay()
    time.sleep(1)
    rows = sorted(Attainment.objects.values_list("division_id", "period", "actual", "status"))
    attainment_recompute()
    assert (
        sorted(Attainment.objects.values_list("division_id", "period", "actual", "status")) == rows
    )


@pytest.mark.django_db(transaction=True)
def test_killed_worker_task_is_redelivered_and_gives_the_undisturbed_result(
    camau, officer_a, steering_user, redis_server, use_broker, make_worker, tmp_path
):
    from attainment.tasks import recompute_all_attainment
    from reports.services import report_approve

    indicator = count_indicator("people_guided")
    submitted_report(camau, officer_a, indicator, 11)
    report_approve(user=steering_user, report=Report.objects.get(period=MAY))
    attainment_recompute()
    expected = sorted(Attainment.objects.values_list("division_id", "period", "actual", "status"))
    Attainment.objects.all().delete()

    use_broker(redis_server.url)
    first = make_worker(redis_server.url)
    recompute_all_attainment.delay()
    received = b"reports.recompute_all_attainment["  # the worker's "Task … received" line
    wait_for(lambda: received in first.log.read_bytes(), timeout=20, interval=0.01)
    first.kill()  # SIGKILL after the worker took the task, before it acknowledged it (acks_late)

    # A new worker restores unacknowledged tasks older than the visibility timeout (5 s here).
    time.sleep(6)
    second = make_worker(redis_server.url)
    wait_for(
        lambda: (
            sorted(Attainment.objects.values_list("division_id", "period", "actual", "status"))
            == expected
        ),
        timeout=60,
        interval=0.5,
    )
    assert received in second.log.read_bytes()  # redelivered, and run by the second worker

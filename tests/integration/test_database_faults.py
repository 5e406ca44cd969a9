"""Database faults on real PostgreSQL: a connection killed during a request, two approvals at
the same moment, an import process killed halfway. Nothing half-done is ever saved."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from reports.models import (
    DataValue,
    DataValueChange,
    RecomputeRequest,
    Report,
    ReportStatus,
    ReportTransition,
)
from reports.services import FigureInput, data_values_upsert, report_get_or_create_draft
from targets.models import Indicator
from tests.integration.conftest import ROOT, database_url, wait_for
from tests.reports.factories import IndicatorFactory, count_indicator
from tests.reports.test_import import big_rows, xlsx

MAY = dt.date(2024, 5, 1)
SLUG = "2024-05"
COMMUNES = ("32068", "32069")  # Biển Bạch and Tân Bằng, both in Thới Bình (967)


def in_other_thread(fn):
    """Run `fn` on its own database connection (Django connections are per thread)."""
    out: list = []

    def run():
        try:
            out.append(fn())
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    return out[0] if out else None


def terminate_backend(pid: int) -> None:
    """pg_terminate_backend from another connection, then wait until the backend is gone."""

    def kill():
        with connection.cursor() as c:
            c.execute("SELECT pg_terminate_backend(%s)", [pid])

    def gone():
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            return c.fetchone()[0] == 0

    in_other_thread(kill)
    wait_for(lambda: in_other_thread(gone), timeout=10, interval=0.05)


def backend_pid() -> int:
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        return c.fetchone()[0]


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Report, DataValue, DataValueChange, ReportTransition, RecomputeRequest)
    }


def _grid_post(value: int) -> dict[str, str]:
    data = {}
    for code in COMMUNES:
        data[f"people_guided__{code}__value"] = str(value)
        data[f"people_guided__{code}__version"] = ""
        data[f"note__{code}"] = ""
    return data


@pytest.mark.django_db(transaction=True)
def test_connection_killed_during_a_save_fails_cleanly_and_the_next_request_succeeds(
    camau, officer_a, monkeypatch
):
    count_indicator("people_guided")
    client = Client(raise_request_exception=False)
    client.force_login(officer_a)
    url = reverse("reports:save_all", kwargs={"district_code": "967", "period": SLUG})
    before = counts()

    # The figures (and the new draft report) are written; before the change rows go in,
    # the request's own database connection is killed from outside.
    import reports.services.figures

    original = reports.services.figures.copy_rows  # writes the change rows
    killed: list[int] = []

    def kill_then_continue(*args, **kwargs):
        pid = backend_pid()
        terminate_backend(pid)
        killed.append(pid)
        return original(*args, **kwargs)

    monkeypatch.setattr(reports.services.figures, "copy_rows", kill_then_continue)
    response = client.post(url, _grid_post(40))
    assert killed, "the write path never reached the change rows"
    assert response.status_code == 500
    monkeypatch.undo()

    # What the dead transaction wrote is gone: no figure, no report, no history.
    connection.close_if_unusable_or_obsolete()  # what the server does at request end
    assert counts() == before

    response = client.post(url, _grid_post(41))
    assert response.status_code == 302
    assert sorted(DataValue.objects.values_list("division__code", "value")) == [
        ("32068", D(41)),
        ("32069", D(41)),
    ]
    assert DataValueChange.objects.count() == 2
    assert backend_pid() != killed[0]


def wsgi_get(path: str) -> int:
    """One request through Django's real WSGI handler in this thread, with the request
    signals a server sends (the test client switches off the connection housekeeping)."""
    from wsgiref.util import setup_testing_defaults

    from django.core.handlers.wsgi import WSGIHandler

    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "localhost"}
    setup_testing_defaults(environ)
    status: list[str] = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(response)
    response.close()  # request_finished: what the server does after each response
    return int(status[0].split()[0])


@pytest.mark.django_db(transaction=True)
def test_persistent_connection_killed_between_requests_is_replaced(camau, settings):
    """A persistent connection that died while idle (a database restart, a killed backend)
    is noticed by the health check and replaced: the next request succeeds."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        assert wsgi_get("/targets/") == 200
        pid = backend_pid()
        assert wsgi_get("/targets/") == 200
        assert backend_pid() == pid  # the same connection served both requests
        terminate_backend(pid)
        assert wsgi_get("/targets/") == 200
        assert backend_pid() != pid
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = settings.DATABASES["default"].get(
            "CONN_MAX_AGE", 0
        )


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_the_same_moment_one_wins_the_other_is_refused(
    camau, officer_a, steering_user, monkeypatch
):
    from reports import services

    indicator = count_indicator("people_guided")
    report = report_get_or_create_draft(user=officer_a, division=camau["967"], period=MAY)
    data_values_upsert(
        user=officer_a,
        rows=[FigureInput(indicator.code, "32068", MAY, value=D(9))],
        unit=camau["967"],
        period=MAY,
    )
    services.report_submit(user=officer_a, report=report)
    outbox_before = RecomputeRequest.objects.count()

    # Both requests have read the submitted report before either approves.
    start = threading.Barrier(2, timeout=20)
    original = services.report_approve

    def approve_together(**kwargs):
        start.wait()
        return original(**kwargs)

    monkeypatch.setattr(services, "report_approve", approve_together)
    url = reverse("reports:approve", kwargs={"district_code": "967", "period": SLUG})
    outcomes: list[tuple[int, list[str]]] = []
    lock = threading.Lock()

    def approve():
        client = Client()
        client.force_login(steering_user)
        try:
            response = client.post(url)
            texts = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
            with lock:
                outcomes.append((response.status_code, texts))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert [code for code, _ in outcomes] == [302, 302]
    messages = sorted(m for _, texts in outcomes for m in texts)
    assert messages[0] == ("error", messages[0][1]) and "Không thể duyệt" in messages[0][1]
    assert "đang ở trạng thái “Đã duyệt”" in messages[0][1]
    assert messages[1] == ("success", "Đã duyệt và khoá báo cáo.")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.transitions.filter(to_status=ReportStatus.APPROVED).count() == 1
    assert RecomputeRequest.objects.count() == outbox_before + 1


CHILD_IMPORT = r"""
import datetime as dt, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from divisions.models import Division
from reports.imports import figures_import
import reports.services.figures

def stop_halfway(*args, **kwargs):
    # Every figure row is written (uncommitted); the change rows would come next.
    print("HALFWAY", flush=True)
    time.sleep(300)

reports.services.figures.copy_rows = stop_halfway  # writes the change rows
path, period = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
figures_import(
    user=get_user_model().objects.get(username="officer_a"),
    upload=SimpleUploadedFile("lon.xlsx", open(path, "rb").read()),
    unit=Division.objects.get(code="967"),
    period=period,
    dry_run=False,
)
print("FINISHED", flush=True)
"""


@pytest.mark.django_db(transaction=True)
def test_import_killed_halfway_saves_nothing(camau, officer_a, tmp_path):
    from reports.imports import figures_import

    Indicator.objects.bulk_create(
        [
            IndicatorFactory.build(code=f"imp_{n:03d}", name_vi=f"Chỉ tiêu nhập {n}")
            for n in range(400)
        ]
    )
    report_get_or_create_draft(user=officer_a, division=camau["967"], period=MAY)
    upload = xlsx(big_rows(camau, MAY, 3000))
    path = tmp_path / "lon.xlsx"
    path.write_bytes(upload.read())
    before = counts()

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DATABASE_URL": database_url(),
        "DJANGO_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "camau_cds.settings",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_IMPORT, str(path), MAY.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "HALFWAY", child.stderr.read()

        def open_write_transaction():
            with connection.cursor() as c:
                c.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state = 'idle in transaction'"
                )
                return c.fetchone()[0]

        # The child holds an open transaction with the figures written but not committed.
        assert in_other_thread(open_write_transaction) >= 1
        assert DataValue.objects.count() == before["DataValue"]
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL

    wait_for(lambda: in_other_thread(open_write_transaction) == 0, timeout=10)
    assert counts() == before
    # No lock or half-written row is left behind: the same file now imports in full.
    with path.open("rb") as fh:
        from django.core.files.uploadedfile import SimpleUploadedFile

        outcome = figures_import(
            user=officer_a,
            upload=SimpleUploadedFile("lon.xlsx", fh.read()),
            unit=camau["967"],
            period=MAY,
            dry_run=False,
        )
    assert outcome.ok and outcome.result.created == 3000
    assert DataValue.objects.count() == 3000 and DataValueChange.objects.count() == 3000

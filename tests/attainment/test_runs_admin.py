"""The operator's admin screen of full recomputes: each run's status in Vietnamese (waiting,
finished, abandoned by the watchdog), "run again" for unfinished runs, and no access without
the model's permission."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attainment.models import Attainment, FullRecompute
from attainment.runs import lost_full_recomputes_requeue
from tests.access_matrix import ROLES
from tests.attainment.test_attainment_incremental import MONTHS, figure
from tests.reports.factories import count_indicator

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:attainment_fullrecompute_changelist"
WAITING, FINISHED, ABANDONED = "đang chờ", "đã xong", "bỏ dở — cần người xử lý"
# Session, user, its two kinds of permissions, the counts of all and of the filtered runs, the
# page's runs, and the user's groups and scope (the portal's header).
LIST_QUERIES = 9


def make_run(*, minutes_ago: int = 0, attempts: int = 1, finished: bool = False, **kw):
    queued_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    done = {"finished_at": queued_at + dt.timedelta(seconds=30), "rows": 321} if finished else {}
    return FullRecompute.objects.create(queued_at=queued_at, attempts=attempts, **done, **kw)


@pytest.fixture
def runs():
    """One run of each state, and the two unfinished runs that are not yet abandoned."""
    lease_over = settings.CDS_RECOMPUTE_LEASE_SECONDS // 60 + 5
    most = settings.CDS_RECOMPUTE_MAX_ATTEMPTS
    return {
        "finished": make_run(minutes_ago=600, finished=True, task_id="nightly-1"),
        "waiting": make_run(),
        "abandoned": make_run(minutes_ago=lease_over, attempts=most),
        # The watchdog will queue it again: not the operator's yet.
        "lost_with_tries_left": make_run(minutes_ago=lease_over, attempts=most - 1),
        # Its last attempt may still be running.
        "last_try_in_lease": make_run(attempts=most),
    }


def staff(django_user_model, name: str, *codenames: str):
    user = django_user_model.objects.create_user(name, f"{name}@example.invalid", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="attainment",
            codename__in=[f"{c}_fullrecompute" for c in codenames],
        )
    )
    return user


@pytest.fixture
def operator(django_user_model):
    return staff(django_user_model, "operator", "view", "change")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def status_of_rows(page: str) -> dict[int, str]:
    """Run id → the status cell of its row in the list."""
    found = {}
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        run = re.search(r"/fullrecompute/(\d+)/change/", row)
        status = re.search(r'<td class="field-status_label">(.*?)</td>', row, flags=re.S)
        if run and status:
            found[int(run.group(1))] = status.group(1).strip()
    return found


def test_the_list_shows_each_runs_status_in_vietnamese(runs, operator):
    page = client_for(operator).get(reverse(CHANGELIST)).content.decode()
    assert status_of_rows(page) == {
        runs["finished"].pk: FINISHED,
        runs["waiting"].pk: WAITING,
        runs["abandoned"].pk: ABANDONED,
        runs["lost_with_tries_left"].pk: WAITING,
        runs["last_try_in_lease"].pk: WAITING,
    }
    assert "nightly-1" in page and ">321<" in page


def test_the_list_is_filtered_by_status(runs, operator):
    client = client_for(operator)
    abandoned = client.get(reverse(CHANGELIST), {"status": "abandoned"}).content.decode()
    assert status_of_rows(abandoned) == {runs["abandoned"].pk: ABANDONED}
    finished = client.get(reverse(CHANGELIST), {"status": "finished"}).content.decode()
    assert status_of_rows(finished) == {runs["finished"].pk: FINISHED}


def test_abandoned_is_what_the_watchdog_leaves_for_an_operator(
    runs, operator, django_capture_on_commit_callbacks
):
    queued = []
    with django_capture_on_commit_callbacks(execute=True):
        assert lost_full_recomputes_requeue(queued.append) == [runs["lost_with_tries_left"].pk]
    assert queued == [runs["lost_with_tries_left"].pk]
    page = client_for(operator).get(reverse(CHANGELIST), {"status": "abandoned"})
    assert status_of_rows(page.content.decode()) == {runs["abandoned"].pk: ABANDONED}


def test_the_lists_query_count_does_not_grow_with_its_rows(
    runs, operator, django_assert_max_num_queries
):
    client = client_for(operator)
    client.get(reverse(CHANGELIST))  # the session's first read is not what is measured
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(CHANGELIST))
    for n in range(30):
        make_run(minutes_ago=n, finished=n % 2 == 0)
    with django_assert_max_num_queries(LIST_QUERIES):
        page = client.get(reverse(CHANGELIST)).content.decode()
    assert len(status_of_rows(page)) == 35
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(CHANGELIST))
    assert len(many) == len(few)


@pytest.fixture
def recomputable(camau):
    """One approved figure: what a full recompute turns into attainment rows."""
    figure(count_indicator(), "967", "32068", MONTHS[0], 10, camau)


def run_again(client, *runs):
    return client.post(
        reverse(CHANGELIST),
        {"action": "run_again", "_selected_action": [r.pk for r in runs]},
        follow=True,
    ).content.decode()


def test_run_again_recomputes_an_abandoned_run_and_records_who(
    recomputable, runs, operator, django_capture_on_commit_callbacks
):
    abandoned = runs["abandoned"]
    with django_capture_on_commit_callbacks(execute=True):
        page = run_again(client_for(operator), abandoned)
    assert "Đã đưa 1 lần tính lại vào hàng đợi." in page
    abandoned.refresh_from_db()
    assert abandoned.finished_at is not None
    assert abandoned.rows == Attainment.objects.count() > 0
    # Queued once by the operator: the watchdog has its attempts again.
    assert abandoned.attempts == 1
    assert abandoned.queued_at > timezone.now() - dt.timedelta(minutes=1)
    entry = LogEntry.objects.get(object_id=str(abandoned.pk))
    assert (entry.user, entry.action_flag) == (operator, CHANGE)
    page = client_for(operator).get(reverse(CHANGELIST)).content.decode()
    assert status_of_rows(page)[abandoned.pk] == FINISHED


def test_run_again_refuses_finished_runs(runs, operator, django_capture_on_commit_callbacks):
    finished, waiting = runs["finished"], runs["waiting"]
    before = FullRecompute.objects.values().get(pk=finished.pk)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        page = run_again(client_for(operator), finished, waiting)
    assert f"Không chạy lại 1 lần tính đã xong (số {finished.pk})." in page
    assert "Đã đưa 1 lần tính lại vào hàng đợi." in page
    assert len(queued) == 1
    assert FullRecompute.objects.values().get(pk=finished.pk) == before
    assert not LogEntry.objects.filter(object_id=str(finished.pk)).exists()
    waiting.refresh_from_db()
    assert waiting.finished_at is not None


def test_run_again_only_refused_is_not_queued(runs, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        page = run_again(client_for(operator), runs["finished"])
    assert "Không chạy lại 1 lần tính đã xong" in page and "Đã đưa" not in page
    assert queued == []


def hold(run_id: int, held: threading.Event, release: threading.Event) -> None:
    """What a worker running the recompute does: keep the run's row locked (its own connection)."""
    try:
        with transaction.atomic():
            FullRecompute.objects.select_for_update().get(pk=run_id)
            held.set()
            release.wait(30)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_run_again_leaves_a_run_a_worker_holds_to_finish(operator):
    run = make_run(minutes_ago=60, attempts=settings.CDS_RECOMPUTE_MAX_ATTEMPTS)
    held, release = threading.Event(), threading.Event()
    worker = threading.Thread(target=hold, args=(run.pk, held, release))
    worker.start()
    try:
        assert held.wait(10)
        page = run_again(client_for(operator), run)
    finally:
        release.set()
        worker.join()
    assert f"Không đưa lại 1 lần tính đang chạy (số {run.pk}): chờ nó chạy xong." in page
    run.refresh_from_db()
    assert (run.attempts, run.finished_at) == (settings.CDS_RECOMPUTE_MAX_ATTEMPTS, None)


def test_a_view_only_operator_sees_the_list_but_cannot_run_again(
    runs, django_user_model, django_capture_on_commit_callbacks
):
    viewer = client_for(staff(django_user_model, "watcher", "view"))
    page = viewer.get(reverse(CHANGELIST)).content.decode()
    assert ABANDONED in page and 'value="run_again"' not in page
    with django_capture_on_commit_callbacks() as queued:
        run_again(viewer, runs["abandoned"])
    assert queued == []
    runs["abandoned"].refresh_from_db()
    assert runs["abandoned"].attempts == settings.CDS_RECOMPUTE_MAX_ATTEMPTS


def test_nothing_is_added_edited_or_deleted_here(runs, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.invalid", "x")
    client, run = client_for(root), runs["abandoned"]
    assert client.get(reverse("admin:attainment_fullrecompute_add")).status_code == 403
    assert (
        client.get(reverse("admin:attainment_fullrecompute_delete", args=[run.pk])).status_code
        == 403
    )
    page = client.get(reverse("admin:attainment_fullrecompute_change", args=[run.pk]))
    assert page.status_code == 200 and 'name="attempts"' not in page.content.decode()
    assert ABANDONED in page.content.decode()
    client.post(
        reverse("admin:attainment_fullrecompute_change", args=[run.pk]),
        {"attempts": 0, "queued_at_0": "01/01/2020", "queued_at_1": "00:00:00"},
    )
    run.refresh_from_db()
    assert run.attempts == settings.CDS_RECOMPUTE_MAX_ATTEMPTS


def admin_urls(run) -> list[str]:
    return [
        reverse(CHANGELIST),
        reverse("admin:attainment_fullrecompute_change", args=[run.pk]),
        reverse("admin:attainment_fullrecompute_history", args=[run.pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_no_portal_role_reaches_the_screen(
    role, role_users, runs, django_capture_on_commit_callbacks
):
    """The portal's roles are not staff: every page sends them to the admin's login."""
    client = Client()
    if role != "anonymous":
        client.force_login(role_users[role])
    for url in admin_urls(runs["abandoned"]):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse(CHANGELIST), {"action": "run_again", "_selected_action": [runs["abandoned"].pk]}
        )
    assert response.status_code == 302 and queued == []


def test_staff_without_the_permission_is_denied(
    runs, django_user_model, django_capture_on_commit_callbacks
):
    client = client_for(staff(django_user_model, "clerk"))
    for url in admin_urls(runs["abandoned"]):
        assert client.get(url).status_code == 403, url
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse(CHANGELIST), {"action": "run_again", "_selected_action": [runs["abandoned"].pk]}
        )
    assert response.status_code == 403 and queued == []
    assert "Kết quả thực hiện" not in client.get(reverse("admin:index")).content.decode()

"""Full recomputes that are redone until they finish: requested by the nightly job, run under
a row lock, and queued again by a watchdog when their worker died or their task gave up.

A broker redelivers a killed worker's unacknowledged task only after its visibility timeout
(an hour); the watchdog makes that minutes, without lowering the timeout (which would run
long tasks twice while they are still running). Runs the watchdog gave up on are left for an
operator, who queues them again from the admin (`full_recompute_requeue`); the status the
admin shows and filters on is `full_recompute_status`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attainment.engine import attainment_recompute
from attainment.models import FullRecompute


class RunStatus(models.TextChoices):
    WAITING = "waiting", _("đang chờ")
    FINISHED = "finished", _("đã xong")
    ABANDONED = "abandoned", _("bỏ dở — cần người xử lý")


def _lease_start(now: dt.datetime) -> dt.datetime:
    """Runs queued before this and still unfinished are not running (their lease is over)."""
    return now - dt.timedelta(seconds=settings.CDS_RECOMPUTE_LEASE_SECONDS)


def full_recompute_status(runs):
    """`runs` annotated with `status` (a `RunStatus`), computed in the query so a list can be
    filtered and ordered by it: abandoned is what the watchdog no longer queues again (the
    most allowed attempts, unfinished, its lease over)."""
    abandoned = Q(
        finished_at__isnull=True,
        attempts__gte=settings.CDS_RECOMPUTE_MAX_ATTEMPTS,
        queued_at__lt=_lease_start(timezone.now()),
    )
    return runs.annotate(
        status=Case(
            When(finished_at__isnull=False, then=Value(RunStatus.FINISHED.value)),
            When(abandoned, then=Value(RunStatus.ABANDONED.value)),
            default=Value(RunStatus.WAITING.value),
            output_field=models.CharField(),
        )
    )


def _open_runs():
    """Unfinished runs, skipping those a running recompute holds."""
    runs = FullRecompute.objects.filter(finished_at__isnull=True)
    if connection.features.has_select_for_update_skip_locked:
        runs = runs.select_for_update(skip_locked=True)
    return runs


def full_recompute_request(task_id: str | None = None) -> FullRecompute:
    """Record that a full recompute is wanted (before it runs); the same row for every
    delivery and retry of one task."""
    if task_id is None:
        return FullRecompute.objects.create(queued_at=timezone.now())
    run, _created = FullRecompute.objects.get_or_create(
        task_id=task_id, defaults={"queued_at": timezone.now()}
    )
    return run


def full_recompute_run(run_id: int) -> int | None:
    """Run the requested full recompute `run_id` unless it is done or running elsewhere.

    The run's row stays locked for the whole recompute and is marked finished in the same
    transaction: rows and mark commit together, or neither does. Returns the rows written,
    or None when there was nothing to do (a duplicate delivery)."""
    with transaction.atomic():
        run = _open_runs().filter(pk=run_id).first()
        if run is None:
            return None
        rows = attainment_recompute().rows
        FullRecompute.objects.filter(pk=run.pk).update(finished_at=timezone.now(), rows=rows)
    return rows


def lost_full_recomputes_requeue(queue) -> list[int]:
    """Queue again (through `queue(run_id)`, after commit) every unfinished run that nobody
    is running and that was queued more than the lease ago; returns their ids.

    Runs queued the most allowed times (`CDS_RECOMPUTE_MAX_ATTEMPTS`) are left for an
    operator (`FullRecompute` rows without `finished_at`); every other lost run is tried
    again within the lease plus the watchdog's period."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            _open_runs()
            .filter(
                queued_at__lt=_lease_start(now), attempts__lt=settings.CDS_RECOMPUTE_MAX_ATTEMPTS
            )
            .values_list("pk", flat=True)
        )
        _queue_again(ids, queue, attempts=F("attempts") + 1)
    return ids


@dataclass(frozen=True)
class Requeued:
    """What an operator's `full_recompute_requeue` did with each chosen run."""

    queued: list[int]
    finished: list[int]  # refused: done already
    running: list[int]  # left alone: a worker holds it now


def full_recompute_requeue(ids, queue) -> Requeued:
    """An operator's "run again": queue every chosen unfinished run that nobody is running
    (through `queue(run_id)`, after commit) as if it had just been requested, so the watchdog
    again tries it up to `CDS_RECOMPUTE_MAX_ATTEMPTS` times. Finished runs are refused, and
    a run a worker holds is left to finish."""
    with transaction.atomic():
        chosen = dict(FullRecompute.objects.filter(pk__in=ids).values_list("pk", "finished_at"))
        queued = sorted(_open_runs().filter(pk__in=chosen).values_list("pk", flat=True))
        # Attempts count the times the run was queued: once now, as a new request starts.
        _queue_again(queued, queue, attempts=1)
    finished = sorted(pk for pk, at in chosen.items() if at is not None)
    running = sorted(set(chosen) - set(queued) - set(finished))
    return Requeued(queued=queued, finished=finished, running=running)


def _queue_again(ids: list[int], queue, *, attempts) -> None:
    """Mark the runs `ids` queued now with `attempts`, and queue each after commit (a worker
    must not start one before its new lease is stored)."""
    FullRecompute.objects.filter(pk__in=ids).update(queued_at=timezone.now(), attempts=attempts)
    for run_id in ids:
        transaction.on_commit(lambda run_id=run_id: queue(run_id))

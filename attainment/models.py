"""Computed attainment rows (indicator × division × period × target).

Written only by `attainment.engine` (the Celery job); dashboards and the API read only these
rows, so their cost does not depend on how many figures lie behind them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from attainment.method import STATUS_LABELS, Status
from divisions.access import ScopedQuerySet
from divisions.models import Division


class AttainmentQuerySet(ScopedQuerySet):
    """Rows of units the user may see (`for_user`, deny by default)."""


class Attainment(models.Model):
    # Derived rows, rebuilt by every recompute from figures that already reference these
    # tables: database foreign-key checks (deferred to COMMIT, one per row and key) cost more
    # than a third of a full recompute's database time (docs/PERFORMANCE.md), so the keys are
    # not enforced by the database; Django still cascades deletions. The unique constraint
    # starts with the indicator, so the indicator needs no index of its own; targets are
    # never looked up from here except to cascade a deletion.
    indicator = models.ForeignKey(
        "targets.Indicator",
        on_delete=models.CASCADE,
        related_name="attainments",
        db_constraint=False,
        db_index=False,
    )
    # Null for monitoring indicators (no target): the row still carries the rolled-up value.
    target = models.ForeignKey(
        "targets.Target",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    target_key = models.PositiveBigIntegerField(editable=False, help_text="target id or 0")
    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="attainments", db_constraint=False
    )
    period = models.DateField(_("kỳ"))
    provisional = models.BooleanField(
        _("tạm tính"), default=False, help_text=_("Tính cả số liệu đã gửi nhưng chưa duyệt.")
    )
    actual = models.DecimalField(_("thực hiện"), max_digits=24, decimal_places=6, null=True)
    numerator = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    denominator = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    data_period = models.DateField(_("kỳ có số liệu"), null=True)
    target_value = models.DecimalField(_("mục tiêu"), max_digits=24, decimal_places=6, null=True)
    share_reached = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=[(s.value, STATUS_LABELS[s]) for s in Status],
        blank=True,
    )
    projected_value = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    # After the deadline: the value the final verdict (met / not met) was judged on, i.e. the
    # latest value at or before the deadline; `actual` keeps showing the current value.
    judged_value = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    reached_in = models.DateField(null=True)
    rate_ratio = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    # The baseline the status was assessed from (the target's, else the series' first value):
    # shown with the row, and the state an incremental recompute continues from.
    baseline_value = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    baseline_period = models.DateField(null=True)
    sources = models.CharField(_("nguồn"), max_length=20, blank=True)
    reconstructed = models.BooleanField(default=False)
    computed_at = models.DateTimeField(_("tính lúc"))

    objects = AttainmentQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved here from `reports` (no data moved).
        db_table = "reports_attainment"
        verbose_name = _("kết quả thực hiện")
        verbose_name_plural = _("kết quả thực hiện")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "division", "period", "provisional", "target_key"],
                name="attainment_unique_row",
            )
        ]
        indexes = [
            models.Index(fields=["period", "provisional", "division"], name="attainment_dash_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.division_id} {self.period:%m/%Y} {self.status}"


class FullRecompute(models.Model):
    """One requested full recompute, kept until it has run to the end.

    The task that runs it holds this row locked (FOR UPDATE) for the whole recompute, in the
    recompute's own transaction: a worker killed mid-run loses the lock with its database
    connection, so an unfinished row that nobody holds and that was queued more than the lease
    ago is lost work, and the watchdog queues it again (`attainment.runs`).
    """

    # The Celery task that asked for it: its retries and redeliveries find this same row.
    task_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    requested_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    queued_at = models.DateTimeField(_("đưa vào hàng đợi lúc"))
    attempts = models.PositiveSmallIntegerField(_("số lần đưa vào hàng đợi"), default=1)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("số dòng"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần tính lại toàn bộ")
        verbose_name_plural = _("lần tính lại toàn bộ")
        indexes = [
            models.Index(
                fields=["queued_at"],
                name="full_recompute_open_idx",
                condition=models.Q(finished_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M} ({self.attempts})"

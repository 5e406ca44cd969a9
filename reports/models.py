"""Monthly progress reports: reports, figures (data values), their history and the outbox.

Every write goes through `reports.services`; the database constraints below hold whatever
entry point is used (form, import, admin, API, teams).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from divisions.access import ScopedQuerySet
from divisions.models import Division


def _user_stamp(verbose_name) -> models.ForeignKey:
    """Who did a step of a report (kept when the account is deleted, as an empty name)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")


class Source(models.TextChoices):
    MANUAL = "manual", _("Nhập báo cáo")
    TEAMS = "teams", _("Từ hoạt động Tổ CNSCĐ")


class Channel(models.TextChoices):
    """How a figure change arrived (recorded in its history)."""

    FORM = "form", _("Biểu nhập liệu")
    IMPORT = "import", _("Nhập từ Excel")
    API = "api", _("API")
    TEAMS = "teams", _("Hoạt động Tổ CNSCĐ")
    ADMIN = "admin", _("Trang quản trị")
    DEMO = "demo", _("Dữ liệu minh hoạ")
    SYSTEM = "system", _("Hệ thống (nâng cấp dữ liệu)")


class ReportQuerySet(ScopedQuerySet):
    """Reports of units the user may see (`for_user`, deny by default)."""


class Report(models.Model):
    """One reporting unit's (a district, later a commune) report for one month."""

    division = models.ForeignKey(
        Division,
        verbose_name=_("đơn vị báo cáo"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    period = models.DateField(_("kỳ báo cáo"), help_text=_("Ngày đầu tháng."))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = _user_stamp(_("người tạo"))
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = _user_stamp(_("người gửi"))
    returned_at = models.DateTimeField(_("trả lại lúc"), null=True, blank=True)
    returned_by = _user_stamp(_("người trả lại"))
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    approved_by = _user_stamp(_("người duyệt"))

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo tháng")
        verbose_name_plural = _("báo cáo tháng")
        ordering = ["-period", "division__path"]
        constraints = [
            models.UniqueConstraint(fields=["division", "period"], name="report_unique_month"),
            models.CheckConstraint(condition=Q(period__day=1), name="report_period_first_day"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="report_approved_has_time",
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="report_period_status_idx")]

    def __str__(self) -> str:
        return f"{self.division} {self.period:%m/%Y}"

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.APPROVED

    @property
    def is_editable(self) -> bool:
        """Figures can change only while the unit works on the report."""
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

    @property
    def due_date(self) -> dt.date:
        return due_date_for(self.period)


def due_date_for(period: dt.date) -> dt.date:
    """The report for `period` is due on CDS_REPORT_DUE_DAY of the following month."""
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    day = min(settings.CDS_REPORT_DUE_DAY, 28)
    return dt.date(year, month, day)


class DataValue(models.Model):
    """A figure: indicator × division × month (× source), with a version for lost updates."""

    # No index of its own: the unique constraint (indicator, division, period, source) leads
    # with it. Fewer indexes make figure writes cheaper (docs/PERFORMANCE.md).
    indicator = models.ForeignKey(
        "targets.Indicator",
        verbose_name=_("chỉ tiêu"),
        on_delete=models.PROTECT,
        related_name="data_values",
        db_index=False,
    )
    division = models.ForeignKey(
        Division, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="data_values"
    )
    period = models.DateField(_("kỳ"), help_text=_("Ngày đầu tháng."))
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=4, null=True)
    numerator = models.DecimalField(_("tử số"), max_digits=20, decimal_places=4, null=True)
    denominator = models.DecimalField(_("mẫu số"), max_digits=20, decimal_places=4, null=True)
    note = models.TextField(_("ghi chú"), blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    source = models.CharField(
        _("nguồn"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    report = models.ForeignKey(
        Report,
        verbose_name=_("báo cáo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_values",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"))
    # Not indexed: no page looks figures up by who changed them last (the history does), and
    # with no indexed column changing, an edit is a HOT update on PostgreSQL: the row's new
    # version goes in the same page and no index is touched (see the fill factor, migration
    # 0005). Deleting a user scans the table once, which is rare.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người sửa"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        ordering = ["period", "indicator_id", "division__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "division", "period", "source"],
                name="datavalue_unique_cell",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="datavalue_period_first_day"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="datavalue_value_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                name="datavalue_numerator_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="datavalue_denominator_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__isnull=True)
                | Q(numerator__lte=F("denominator")),
                name="datavalue_numerator_le_denominator",
            ),
            models.CheckConstraint(
                condition=Q(source="teams") | Q(report__isnull=False),
                name="datavalue_manual_has_report",
            ),
            # An emptied hand-typed cell is deleted, not kept blank: a blank manual figure
            # would hide the teams' figure of the same cell.
            models.CheckConstraint(
                condition=Q(source="teams")
                | Q(value__isnull=False)
                | Q(numerator__isnull=False)
                | Q(denominator__isnull=False),
                name="datavalue_manual_has_number",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "indicator"], name="datavalue_period_ind_idx"),
            # The teams' figures, few beside the hand-typed ones: the recompute reads them
            # apart (a typed figure of the same cell replaces them) without scanning the rest.
            models.Index(
                fields=["period", "indicator"],
                condition=Q(source="teams"),
                name="datavalue_teams_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.division_id} {self.period:%m/%Y}: {self.value}"


class DataValueChange(models.Model):
    """One change of a figure: who, when, old → new, why. Written with the change.

    Each row names its figure's cell (indicator, unit, month, source, report) itself: clearing
    a cell deletes the figure, and the figure's history, the clearing included, outlives it.
    """

    data_value = models.ForeignKey(
        DataValue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("số liệu"),
    )
    # No index of their own: a cell's history is looked up through its report (or its figure).
    indicator = models.ForeignKey(
        "targets.Indicator",
        verbose_name=_("chỉ tiêu"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    period = models.DateField(_("kỳ"))
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    report = models.ForeignKey(
        Report,
        verbose_name=_("báo cáo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="figure_changes",
    )
    changed_by = _user_stamp(_("người sửa"))
    changed_at = models.DateTimeField(_("lúc"))
    old_value = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    old_numerator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    old_denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    new_value = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    new_numerator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    new_denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    version = models.PositiveIntegerField(_("phiên bản mới"))
    note = models.TextField(_("ghi chú"), blank=True)
    channel = models.CharField(_("cách nhập"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("lịch sử số liệu")
        verbose_name_plural = _("lịch sử số liệu")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.data_value_id} v{self.version}"


class ReportTransition(models.Model):
    """One status change of a report (creation has an empty `from_status`)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("từ"), max_length=10, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(_("sang"), max_length=10, choices=ReportStatus.choices)
    by = _user_stamp(_("người thực hiện"))
    at = models.DateTimeField(_("lúc"))
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        verbose_name = _("chuyển trạng thái báo cáo")
        verbose_name_plural = _("chuyển trạng thái báo cáo")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status or '-'} → {self.to_status}"


class RecomputeRequest(models.Model):
    """Outbox row: attainment to recompute, written in the approval's transaction.

    A Celery task drains it; a broker outage delays dashboards but never loses the work.
    `indicator_ids` null means every indicator.
    """

    indicator_ids = models.JSONField(_("chỉ tiêu"), null=True, blank=True)
    division_path = models.CharField(_("phạm vi đơn vị"), max_length=255)
    period_from = models.DateField(_("từ kỳ"))
    period_to = models.DateField(_("đến kỳ"))
    reason = models.CharField(_("lý do"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    processed_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu tính lại")
        verbose_name_plural = _("yêu cầu tính lại")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="recompute_pending_idx",
                condition=Q(processed_at__isnull=True),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")), name="recompute_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.division_path} {self.period_from:%m/%Y}–{self.period_to:%m/%Y}"

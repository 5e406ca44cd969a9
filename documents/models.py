"""What the periodic report remembers: each unit's header data, each report's staff-written
sections, and the files generated from them.

`ReportHeader` is kept per unit (document number pattern, place, signer, TM./KT./TL.,
recipients) so that the next report starts from the last one's; `PeriodicReport` holds what
staff write for one unit and period (number, date, tasks ahead, proposals). Both keep every
change in their history. `ReportFile` is derived: one generation's .docx and PDF with its
progress, rebuilt on request, so it has no history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from divisions.access import ScopedQuerySet
from documents.periods import KIND_CHOICES, ReportPeriod

NUMBER_PLACEHOLDER = "{so}"


class Authority(models.TextChoices):
    """How the signer signs (Decree 30/2020/NĐ-CP, Article 13)."""

    OWN = "", _("Ký trực tiếp")
    ON_BEHALF = "TM.", _("TM. (thay mặt tập thể)")
    DEPUTY = "KT.", _("KT. (ký thay người đứng đầu)")
    BY_ORDER = "TL.", _("TL. (thừa lệnh)")


class ReportHeaderQuerySet(ScopedQuerySet):
    pass


class ReportHeader(models.Model):
    division = models.OneToOneField(
        "divisions.Division", on_delete=models.CASCADE, related_name="report_header"
    )
    parent_body = models.CharField(_("cơ quan chủ quản"), max_length=120)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=120)
    number_pattern = models.CharField(
        _("mẫu số văn bản"),
        max_length=60,
        help_text=_("{so} là chỗ của số văn bản, ví dụ {so}/BC-BCĐ."),
    )
    place = models.CharField(_("địa danh"), max_length=60)
    authority = models.CharField(
        _("thẩm quyền ký"), max_length=3, choices=Authority.choices, blank=True
    )
    authority_body = models.CharField(
        _("tập thể hoặc người đứng đầu"),
        max_length=120,
        blank=True,
        help_text=_("Sau TM./KT./TL., ví dụ BAN CHỈ ĐẠO hoặc TRƯỞNG BAN."),
    )
    signer_position = models.CharField(_("chức vụ người ký"), max_length=120)
    signer_name = models.CharField(_("họ và tên người ký"), max_length=120)
    recipients = models.TextField(
        _("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận; “Lưu: VT.” tự thêm.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ReportHeaderQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông tin đầu văn bản báo cáo")
        verbose_name_plural = _("thông tin đầu văn bản báo cáo")

    def __str__(self) -> str:
        return f"{self.division} — {self.issuing_body}"

    def number_text(self, number: str) -> str:
        """ "12/BC-BCĐ", or the pattern with a blank left for the clerk ("   /BC-BCĐ")."""
        return self.number_pattern.replace(NUMBER_PLACEHOLDER, number or "\u00a0" * 6)

    def recipient_lines(self) -> list[str]:
        return [line.strip(" -–•") for line in self.recipients.splitlines() if line.strip(" -–•")]


class PeriodicReportQuerySet(ScopedQuerySet):
    pass


class PeriodicReport(models.Model):
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.CASCADE, related_name="periodic_reports"
    )
    kind = models.CharField(_("loại kỳ"), max_length=8, choices=KIND_CHOICES)
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveSmallIntegerField(_("số thứ tự kỳ"), default=1)
    document_number = models.CharField(_("số văn bản"), max_length=20, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    tasks_ahead = models.TextField(_("nhiệm vụ, giải pháp kỳ tới"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PeriodicReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        constraints = [
            models.UniqueConstraint(
                fields=["division", "kind", "year", "number"], name="periodic_report_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.division} {self.period.text}"

    @property
    def period(self) -> ReportPeriod:
        return ReportPeriod(self.kind, self.year, self.number)


class FileStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Lỗi")


class ReportFile(models.Model):
    report = models.ForeignKey(PeriodicReport, on_delete=models.CASCADE, related_name="files")
    status = models.CharField(max_length=8, choices=FileStatus.choices, default=FileStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=120, blank=True)
    docx = models.BinaryField(null=True, editable=False)
    pdf = models.BinaryField(null=True, editable=False)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("tệp báo cáo định kỳ")
        verbose_name_plural = _("tệp báo cáo định kỳ")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} #{self.pk} {self.status}"

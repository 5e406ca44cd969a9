"""Admin: read-only views of reports and figures. Writes go through reports.services only,
so the admin cannot skip validation, locking or history (approval is offered as an action)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from reports.models import DataValue, DataValueChange, RecomputeRequest, Report, ReportTransition
from reports.services import reports_bulk_approve


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    model = ReportTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "by", "at", "reason")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("division", "period", "status", "submitted_at", "approved_at")
    list_filter = ("status", "period")
    search_fields = ("division__name", "division__code")
    list_select_related = ("division",)
    inlines = [TransitionInline]
    actions = ["approve_selected"]

    @admin.action(description=_("Duyệt các báo cáo đã gửi được chọn"))
    def approve_selected(self, request, queryset):
        try:
            done = reports_bulk_approve(
                user=request.user, report_ids=queryset.values_list("pk", flat=True)
            )
        except (ValidationError, PermissionDenied) as exc:
            for m in getattr(exc, "messages", [str(exc)]):
                self.message_user(request, m, messages.ERROR)
        else:
            if done.approved:
                self.message_user(request, _("Đã duyệt %(n)s báo cáo.") % {"n": len(done.approved)})
            if done.skipped_own:
                self.message_user(request, done.skipped_message(), messages.WARNING)


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = (
        "indicator",
        "division",
        "period",
        "value",
        "numerator",
        "denominator",
        "source",
        "version",
    )
    list_filter = ("source", "period", "indicator")
    search_fields = ("division__name", "division__code", "indicator__code")
    list_select_related = ("indicator", "division")


@admin.register(DataValueChange)
class DataValueChangeAdmin(ReadOnlyAdmin):
    list_display = ("data_value", "changed_by", "changed_at", "old_value", "new_value", "channel")
    list_filter = ("channel",)
    list_select_related = ("data_value", "changed_by")


@admin.register(RecomputeRequest)
class RecomputeRequestAdmin(ReadOnlyAdmin):
    list_display = ("division_path", "period_from", "period_to", "created_at", "processed_at")

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from core.upload_admin import BoundedImportMixin
from divisions.models import ApiToken, AuditEvent, Division, DivisionSuccession, UserScope
from divisions.tokens import api_token_issue


def _row_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()[:10]
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


class ParentByCodeWidget(ForeignKeyWidget):
    """The parent is the unit with that code in force when the row's unit starts (today when
    the row has no start): codes are unique per validity period since 2025."""

    def get_queryset(self, value, row, *args, **kwargs):
        start = _row_date((row or {}).get("valid_from"))
        return Division.objects.valid_on(start or timezone.localdate())


class DivisionResource(resources.ModelResource):
    """Import of hamlets/khóm (or corrections) by code and start of validity; the parent is
    given by its code."""

    parent = fields.Field(
        attribute="parent", column_name="parent_code", widget=ParentByCodeWidget(Division, "code")
    )

    class Meta:
        model = Division
        import_id_fields = ("code",)
        fields = ("code", "name", "kind", "parent", "valid_from", "valid_to")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False
        use_transactions = True

    def get_instance(self, instance_loader, row):
        """The unit with the row's code and start of validity (codes are reused in 2025)."""
        code = str(row.get("code") or "").strip()
        same_code = Division.objects.filter(code=code)
        start = _row_date(row.get("valid_from"))
        if start is not None:
            return same_code.filter(valid_from=start).first()
        return same_code.filter(valid_from__isnull=True).first()


@admin.register(Division)
class DivisionAdmin(BoundedImportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [DivisionResource]
    list_display = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)
    readonly_fields = ("level", "path")


@admin.register(DivisionSuccession)
class DivisionSuccessionAdmin(SimpleHistoryAdmin):
    list_display = ("predecessor", "successor", "effective_on", "share", "share_basis", "source")
    list_filter = ("share_basis",)
    list_select_related = ("predecessor", "successor")
    search_fields = ("predecessor__code", "predecessor__name", "successor__code", "successor__name")
    raw_id_fields = ("predecessor", "successor")


@admin.register(UserScope)
class UserScopeAdmin(SimpleHistoryAdmin):
    list_display = ("user", "division")
    search_fields = ("user__username", "division__code", "division__name")
    raw_id_fields = ("user", "division")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Issue tokens here; the secret is shown once in a message and never stored in clear."""

    list_display = (
        "name",
        "user",
        "prefix",
        "read_only",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("read_only",)
    search_fields = ("name", "user__username", "prefix")
    raw_id_fields = ("user",)
    readonly_fields = ("prefix", "created_at", "last_used_at")
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = api_token_issue(
            user=obj.user, name=obj.name, read_only=obj.read_only, expires_at=obj.expires_at
        )
        obj.pk = token.pk
        messages.warning(
            request,
            _("Mã truy cập (chỉ hiển thị một lần, hãy lưu lại ngay): %(key)s") % {"key": key},
        )

    @admin.action(description=_("Thu hồi các mã đã chọn"))
    def revoke(self, request, queryset):
        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("Đã thu hồi %(n)s mã.") % {"n": n})


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "username", "ip_address", "method", "path")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address", "path")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

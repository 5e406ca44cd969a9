from __future__ import annotations

from django.contrib import admin
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from divisions.models import Division, DivisionSuccession, UserScope


class DivisionResource(resources.ModelResource):
    """Import of hamlets/khóm (or corrections) by code; the parent is given by its code."""

    parent = fields.Field(
        attribute="parent", column_name="parent_code", widget=ForeignKeyWidget(Division, "code")
    )

    class Meta:
        model = Division
        import_id_fields = ("code",)
        fields = ("code", "name", "kind", "parent", "valid_from", "valid_to")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False
        use_transactions = True


@admin.register(Division)
class DivisionAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [DivisionResource]
    list_display = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)
    readonly_fields = ("level", "path")


@admin.register(DivisionSuccession)
class DivisionSuccessionAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "successor", "effective_on", "share")
    search_fields = ("predecessor__code", "predecessor__name", "successor__code", "successor__name")
    raw_id_fields = ("predecessor", "successor")


@admin.register(UserScope)
class UserScopeAdmin(SimpleHistoryAdmin):
    list_display = ("user", "division")
    search_fields = ("user__username", "division__code", "division__name")
    raw_id_fields = ("user", "division")

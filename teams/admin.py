"""Read-only admin for the Tổ CNSCĐ registry: browse rows and their history.

Changes go through the pages (teams/services.py) so that validation, access checks and the
team-figure sync cannot be skipped; the admin only shows what is there and how it changed.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from teams.models import Activity, Member, PilotCommune, Team


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "name",
        "division",
        "commune",
        "former_commune",
        "decision_number",
        "decision_date",
        "is_pilot",
        "status",
    )
    list_filter = ("status", "is_pilot")
    search_fields = ("name", "commune__name", "division__name", "decision_number")
    list_select_related = ("division", "commune", "former_commune")


@admin.register(Member)
class MemberAdmin(ReadOnlyHistoryAdmin):
    list_display = ("full_name", "team", "role", "body", "joined_on", "left_on", "user")
    list_filter = ("role", "body")
    search_fields = ("full_name", "team__name")
    list_select_related = ("team", "user")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyHistoryAdmin):
    list_display = ("team", "date", "kind", "households", "people", "dvctt_accounts")
    list_filter = ("kind",)
    search_fields = ("team__name",)
    date_hierarchy = "date"
    list_select_related = ("team",)


@admin.register(PilotCommune)
class PilotCommuneAdmin(ReadOnlyHistoryAdmin):
    list_display = ("district", "commune", "chosen_on", "decision_reference")
    list_select_related = ("district", "commune")

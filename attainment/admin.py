"""Admin: the operator's screen of full recomputes (`FullRecompute`) — which are waiting, which
finished and which the watchdog gave up on — read-only but for "run again", which goes
through `attainment.runs` as the watchdog does.

The rows are the record that a recompute was asked for and how it ended, so nobody edits or
deletes them here: a deleted unfinished row is work the watchdog can no longer find.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_permission_codename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attainment.models import FullRecompute
from attainment.runs import RunStatus, full_recompute_requeue, full_recompute_status
from attainment.tasks import run_full_recompute


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("trạng thái")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return RunStatus.choices

    def queryset(self, request, queryset):
        if self.value() in RunStatus.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(FullRecompute)
class FullRecomputeAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "queued_at",
        "attempts",
        "finished_at",
        "rows",
        "task_id",
        "status_label",
    )
    list_filter = (StatusFilter,)
    fields = readonly_fields = (
        "status_label",
        "task_id",
        "requested_at",
        "queued_at",
        "attempts",
        "finished_at",
        "rows",
    )
    ordering = ("-id",)
    actions = ["run_again"]

    def get_queryset(self, request):
        return full_recompute_status(super().get_queryset(request))

    @admin.display(description=gettext_lazy("trạng thái"), ordering="status")
    def status_label(self, run: FullRecompute) -> str:
        return RunStatus(run.status).label

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_run_again_permission(self, request) -> bool:
        """Queuing a run again needs the model's change permission, though no field of a run
        can be changed here."""
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    @admin.action(description=gettext_lazy("Chạy lại"), permissions=["run_again"])
    def run_again(self, request, queryset):
        done = full_recompute_requeue(
            queryset.values_list("pk", flat=True), run_full_recompute.delay
        )
        if done.queued:
            # Who queued which run again, on each run's history page (the model keeps none).
            LogEntry.objects.log_actions(
                request.user.pk,
                FullRecompute.objects.filter(pk__in=done.queued),
                CHANGE,
                _("Chạy lại: đưa lại vào hàng đợi, số lần đưa vào hàng đợi đặt lại về 1."),
            )
            self.message_user(
                request,
                _("Đã đưa %(n)s lần tính lại vào hàng đợi.") % {"n": len(done.queued)},
                messages.SUCCESS,
            )
        if done.finished:
            self.message_user(request, _refused(done.finished), messages.ERROR)
        if done.running:
            self.message_user(request, _running(done.running), messages.WARNING)


def _refused(ids: list[int]) -> str:
    return _("Không chạy lại %(n)s lần tính đã xong (số %(ids)s).") % {
        "n": len(ids),
        "ids": ", ".join(map(str, ids)),
    }


def _running(ids: list[int]) -> str:
    return _("Không đưa lại %(n)s lần tính đang chạy (số %(ids)s): chờ nó chạy xong.") % {
        "n": len(ids),
        "ids": ", ".join(map(str, ids)),
    }

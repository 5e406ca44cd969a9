"""Project-level pages: home and error handlers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from divisions import access
from divisions.audit import audit_denied
from reports.views import entry
from teams.models import Team


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", home_context(request.user))


def home_context(user) -> dict:
    """What the signed-in user can do now: the landing page leads to real work for each role
    (a fixed number of queries, whatever the data)."""
    if not user.is_authenticated:
        return {}
    acc = access.get_access(user)
    if acc.role is None:
        return {}
    ctx: dict = {"has_districts": False}
    if acc.is_history:
        ctx["history_reports"] = entry.history_reports(user, acc, limit=6)
        return ctx
    if entry.reports_itself(acc):
        ctx["report_work"] = entry.officer_work(acc)
        ctx.update(entry.officer_tasks(acc))
    if access.can_approve(user):
        ctx["waiting_count"], ctx["waiting"] = entry.review_work(user)
        ctx.update(entry.steering_tasks(user))
    if acc.role == access.Role.TEAM_LEADER:
        ctx["led_teams"] = list(Team.objects.led_by(user).select_related("commune")[:5])
    return ctx


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    audit_denied(request)
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)

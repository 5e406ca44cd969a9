"""Pages of the Tổ CNSCĐ registry. Thin: access via divisions.access, writes via teams.services.

Order of checks: signed in (else login) → has a role with a scope (else 403) → the object is in
the user's scope (else 404, so ids cannot be probed) → may change it (else 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import uploads
from divisions.access import (
    Action,
    Role,
    can,
    can_change_team,
    can_manage_team,
    get_access,
    visible_root,
)
from divisions.models import Level
from teams import imports, selectors, services
from teams.forms import (
    ActivityForm,
    DissolveForm,
    LeaveForm,
    MemberForm,
    PilotCommuneForm,
    TeamFilterForm,
    TeamForm,
    apply_service_errors,
)
from teams.models import ACTIVITY_COUNT_FIELDS, Activity, Member, MemberRole, Team

PAGE_SIZE = 50
# The team page on a phone: the latest activities and months; the rest one tap away.
RECENT_ACTIVITIES = 10
ALL_ACTIVITIES = 500
RECENT_MONTHS = 6


def _require_view(user) -> None:
    if not can(user, Action.VIEW):
        raise PermissionDenied(_("Tài khoản chưa được phân quyền xem Tổ CNSCĐ."))


def _team_or_404(request: HttpRequest, pk: int) -> Team:
    _require_view(request.user)
    return get_object_or_404(
        Team.objects.for_user(request.user).select_related(
            "division", "commune", "commune__parent", "former_commune", "former_commune__parent"
        ),
        pk=pk,
    )


def _require_change(user, team: Team) -> None:
    if not can_change_team(user, team):
        raise PermissionDenied(_("Bạn chỉ được cập nhật tổ do mình phụ trách."))


def _require_manage(user, team: Team) -> None:
    if not can_manage_team(user, team):
        raise PermissionDenied(
            _("Chỉ cán bộ của đơn vị quản lý tổ hoặc Ban Chỉ đạo quản lý được tổ.")
        )


def _member_or_404(request: HttpRequest, pk: int) -> Member:
    _require_view(request.user)
    return get_object_or_404(
        Member.objects.select_related("team", "team__division", "team__commune", "user").filter(
            team__in=Team.objects.for_user(request.user)
        ),
        pk=pk,
    )


def _activity_or_404(request: HttpRequest, pk: int) -> Activity:
    _require_view(request.user)
    return get_object_or_404(
        Activity.objects.select_related("team", "team__division", "team__commune").filter(
            team__in=Team.objects.for_user(request.user)
        ),
        pk=pk,
    )


# --- list and detail ------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """Teams of the user's scope by district and commune, filtered, with counts from SQL."""
    user = request.user
    _require_view(user)
    form = TeamFilterForm(request.GET or None, user=user)
    filters = selectors.TeamFilters()
    if form.is_valid():
        filters = selectors.TeamFilters(**form.cleaned_data)
    summary = selectors.commune_summary(filters.apply(Team.objects.for_user(user)))
    totals = {
        key: sum(r[key] for r in summary)
        for key in ("teams", "active_teams", "members", "activities")
    }
    page = Paginator(filters.apply(selectors.teams_with_counts(user)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "teams/list.html",
        {
            "form": form,
            "labels": form.labels,
            "summary": summary,
            "totals": totals,
            "page": page,
            "query": query.urlencode(),
            "can_create": can(user, Action.MANAGE_TEAMS, visible_root(user)),
            "my_teams": list(Team.objects.led_by(user).only("pk", "name"))
            if get_access(user).role == Role.TEAM_LEADER
            else [],
        },
    )


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One team: members (phones shown or masked), activity timeline and monthly totals."""
    team = _team_or_404(request, pk)
    members = selectors.team_members(request.user, team)
    current = sum(1 for m in members if m.is_current)
    show_all = request.GET.get("activities") == "all"
    shown = ALL_ACTIVITIES if show_all else RECENT_ACTIVITIES
    activities = list(team.activities.select_related("created_by").order_by("-date", "-pk")[:shown])
    monthly = selectors.team_monthly_totals(team)
    return render(
        request,
        "teams/detail.html",
        {
            "team": team,
            "members": members,
            "current_count": current,
            "size_warning": team.is_active and selectors.team_size_warning(current),
            "size_min": selectors.TEAM_SIZE_MIN,
            "size_max": selectors.TEAM_SIZE_MAX,
            "activities": activities,
            "activities_all": show_all,
            "activity_total": len(activities)
            if len(activities) < shown
            else team.activities.count(),
            "monthly": monthly,
            "monthly_recent": monthly[:RECENT_MONTHS],
            "count_fields": ACTIVITY_COUNT_FIELDS,
            "can_change": can_change_team(request.user, team),
            "can_manage": can_manage_team(request.user, team),
            "phones_visible": selectors.phone_visible(request.user, team),
            "history": selectors.team_history(request.user, team),
        },
    )


def _form_page(request, form, *, save, success, title, team=None, done=None, **context):
    """GET shows the form; a valid POST calls `save(cleaned_data)` (a service) and redirects.

    Service errors go back onto the form's fields; `success` is the message, or a callable
    given what `save` returned. One pattern for every form of the registry.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(dict(form.cleaned_data))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return done or redirect("teams:detail", pk=(team or result).pk)
    return render(
        request, "teams/form.html", {"form": form, "team": team, "title": title, **context}
    )


# --- teams ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_view(user)
    if not can(user, Action.MANAGE_TEAMS, visible_root(user)):
        raise PermissionDenied(
            _("Chỉ cán bộ của đơn vị đang có hiệu lực hoặc Ban Chỉ đạo thành lập được tổ.")
        )
    return _form_page(
        request,
        TeamForm(request.POST or None, user=user),
        save=lambda data: services.team_create(user=user, **data),
        success=lambda team: _("Đã thành lập tổ “%(name)s”.") % {"name": team.name},
        title=_("Thành lập Tổ CNSCĐ"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_404(request, pk)
    _require_manage(request.user, team)
    initial = {f: getattr(team, f) for f in services.TEAM_FIELDS}
    return _form_page(
        request,
        TeamForm(request.POST or None, initial=initial, user=request.user),
        save=lambda data: services.team_update(user=request.user, team=team, **data),
        success=_("Đã lưu thông tin tổ."),
        title=_("Sửa thông tin tổ"),
        team=team,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_404(request, pk)
    _require_manage(request.user, team)
    return _form_page(
        request,
        DissolveForm(request.POST or None),
        save=lambda data: services.team_dissolve(user=request.user, team=team, **data),
        success=_("Đã ghi nhận tổ giải thể."),
        title=_("Giải thể tổ"),
        team=team,
    )


# --- members --------------------------------------------------------------------------------


def _member_form(request, team: Team, **kwargs) -> MemberForm:
    can_link = can_manage_team(request.user, team)
    return MemberForm(request.POST or None, team=team, can_link_user=can_link, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_404(request, pk)
    _require_change(request.user, team)

    def save(data):
        if data.get("member_user") is None:
            data.pop("member_user", None)
        return services.member_add(user=request.user, team=team, **data)

    return _form_page(
        request,
        # Today, as for activities: the decision date back-dated every new member and
        # silently raised the team's member counts of all the months since.
        _member_form(request, team, adding=True, initial={"joined_on": timezone.localdate()}),
        save=save,
        success=lambda member: _("Đã thêm %(name)s.") % {"name": member.full_name},
        title=_("Thêm thành viên"),
        team=team,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    team = member.team
    _require_change(request.user, team)
    initial = {f: getattr(member, f) for f in services.MEMBER_FIELDS}
    initial["member_user"] = member.user_id
    if not selectors.phone_visible(request.user, team):
        initial["phone"] = ""  # never put a hidden number into a form

    def save(data):
        if not data.get("phone") and not selectors.phone_visible(request.user, team):
            data.pop("phone")  # blank means "unchanged" for someone who cannot see it
        return services.member_update(user=request.user, member=member, **data)

    return _form_page(
        request,
        _member_form(request, team, initial=initial),
        save=save,
        success=_("Đã lưu thông tin thành viên."),
        title=_("Sửa thông tin thành viên"),
        team=team,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    team = member.team
    _require_change(request.user, team)
    return _form_page(
        request,
        LeaveForm(request.POST or None),
        save=lambda data: services.member_leave(user=request.user, member=member, **data),
        success=_("Đã ghi nhận %(name)s rời tổ.") % {"name": member.full_name},
        title=_("Thành viên rời tổ: %(name)s") % {"name": member.full_name},
        team=team,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload → preview with row errors → confirm; any bad row and nothing is saved."""
    team = _team_or_404(request, pk)
    _require_change(request.user, team)
    context: dict = {
        "team": team,
        "columns": list(imports.COLUMNS),
        "max_rows": imports.max_rows(),
        # The role words the import reads, in the reader's language.
        "roles": ", ".join(str(label) for label in MemberRole.labels),
    }
    if request.method == "GET":
        return render(request, "teams/import.html", context)
    confirming = bool(request.POST.get("token"))
    try:
        if confirming:
            upload, _extra = uploads.preview_take(
                request, imports.PREVIEW_KIND, scope=str(team.pk), token=request.POST["token"]
            )
        else:
            upload = request.FILES.get("file")
            if upload is None:
                raise uploads.UploadError(_("Hãy chọn tệp .xlsx hoặc .csv."))
        data = uploads.read_bounded(upload)
        parsed = [imports.to_member_kwargs(r) for r in imports.read_rows(upload)]
    except uploads.UploadError as exc:
        context["file_error"] = exc.message
        return render(request, "teams/import.html", context, status=400)
    results = services.members_import(
        user=request.user, team=team, rows=[p.kwargs for p in parsed], dry_run=not confirming
    )
    for result, read in zip(results, parsed, strict=True):
        result["errors"] = read.errors + result["errors"]
        result["notes"] = read.notes + (
            [imports.joined_on_default_note(team)] if read.kwargs["joined_on"] is None else []
        )
        result["labels"] = imports.preview_labels(read)
    context["results"] = results
    context["has_errors"] = any(r["errors"] for r in results)
    if context["has_errors"]:
        return render(request, "teams/import.html", context, status=400 if confirming else 200)
    if confirming:
        messages.success(request, _("Đã nhập %(n)s thành viên.") % {"n": len(results)})
        return redirect("teams:detail", pk=team.pk)
    context["token"] = uploads.preview_keep(
        request, imports.PREVIEW_KIND, scope=str(team.pk), name=upload.name, data=data
    )
    return render(request, "teams/import.html", context)


@login_required
def member_template(request: HttpRequest) -> HttpResponse:
    """The empty Excel template for the member import."""
    _require_view(request.user)
    response = HttpResponse(
        imports.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-thanh-vien-to-cnscd.xlsx"'
    return response


@login_required
@require_GET
def member_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's current members in the template's shape (phones masked outside the scope), so
    a list can be corrected in a spreadsheet and read back by the import."""
    team = _team_or_404(request, pk)
    rows = [r for r in selectors.team_members(request.user, team) if r.is_current]
    response = HttpResponse(
        imports.template_workbook(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="thanh-vien-to-{team.pk}.xlsx"'
    return response


# --- activities -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_404(request, pk)
    _require_change(request.user, team)
    return _form_page(
        request,
        ActivityForm(request.POST or None, initial={"date": timezone.localdate()}),
        save=lambda data: services.activity_log(user=request.user, team=team, **data),
        success=_("Đã ghi nhận hoạt động."),
        title=_("Ghi nhận hoạt động"),
        team=team,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_or_404(request, pk)
    team = activity.team
    _require_change(request.user, team)
    initial = {f: getattr(activity, f) for f in services.ACTIVITY_FIELDS}
    return _form_page(
        request,
        ActivityForm(request.POST or None, initial=initial),
        save=lambda data: services.activity_update(user=request.user, activity=activity, **data),
        success=_("Đã sửa hoạt động."),
        title=_("Sửa hoạt động"),
        team=team,
        activity=activity,
    )


@login_required
@require_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_or_404(request, pk)
    team = activity.team
    _require_change(request.user, team)
    services.activity_delete(user=request.user, activity=activity)
    messages.success(request, _("Đã xoá hoạt động."))
    return redirect("teams:detail", pk=team.pk)


# --- the pilot plan -------------------------------------------------------------------------


@login_required
def pilot_plan(request: HttpRequest) -> HttpResponse:
    """Districts × pilot communes, teams, members and activities to 30/06/2023; compliance."""
    _require_view(request.user)
    root = visible_root(request.user)
    return render(
        request,
        "teams/pilot.html",
        {
            "plan": selectors.pilot_plan(),
            "can_set": root.level <= Level.DISTRICT
            and can(request.user, Action.MANAGE_TEAMS, root),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pilot_set(request: HttpRequest) -> HttpResponse:
    """A district officer (or steering staff) records the district's pilot commune choice."""
    user = request.user
    _require_view(user)
    root = visible_root(user)
    if root.level > Level.DISTRICT or not can(user, Action.MANAGE_TEAMS, root):
        raise PermissionDenied(_("Chỉ cán bộ cấp huyện hoặc Ban Chỉ đạo chọn được xã thí điểm."))
    return _form_page(
        request,
        PilotCommuneForm(request.POST or None, user=user),
        save=lambda data: services.pilot_commune_set(user=user, **data),
        success=_("Đã ghi nhận xã thí điểm."),
        title=_("Chọn xã thí điểm"),
        done=redirect("teams:pilot"),
    )

"""Access cases for every reports URL. `report_a` is district A's (967) draft for last month;
`figure_a` is a figure of commune 32068 in it. Officers of district B get 403 everywhere in A.
`PROVINCE_CASES` are the same URLs for the province's own report (`report_province`), which
the provincial agencies' officer (province_officer) enters and steering staff approve."""

from __future__ import annotations

from tests.access_matrix import Case, Write, signed_in

VIEW_A = signed_in(200, officer_b=403, commune=403, team_leader=403, no_role=403)
EDIT_A = signed_in(200, officer_b=403, commune=403, team_leader=403, viewer=403, no_role=403)
EDIT_A_POST = signed_in(302, officer_b=403, commune=403, team_leader=403, viewer=403, no_role=403)
STEERING_ONLY = signed_in(403, steering=200)
STEERING_ONLY_POST = signed_in(403, steering=302)
# One file for any units and months of one's scope: whoever may enter some unit's figures.
SCOPE_EDIT = signed_in(
    200, province_officer=200, commune=403, team_leader=403, viewer=403, no_role=403
)
SCOPE_EDIT_POST = signed_in(
    302, province_officer=302, commune=403, team_leader=403, viewer=403, no_role=403
)


def _report(w):
    r = w["report_a"]
    return {"district_code": r.division.code, "period": f"{r.period:%Y-%m}"}


def _row(w):
    return {**_report(w), "division_code": "32068"}


def _figure(w):
    return {"pk": w["figure_a"].pk}


def _cell_post(w):
    prefix = "people_guided__32068__"
    return {f"{prefix}value": "15", f"{prefix}version": "1", "note__32068": ""}


REPORT = {"kwargs": _report, "world": ("report_a", "figure_a")}

CASES = [
    Case(
        "reports:index",
        signed_in(200, province_officer=302, officer_a=302, officer_b=302, no_role=403),
    ),
    Case("reports:board", STEERING_ONLY),
    Case(
        "reports:bulk_approve",
        STEERING_ONLY_POST,
        method="post",
        data=lambda w: {"report": [str(w["report_a"].pk)]},
        world=("report_a",),
    ),
    Case(
        "reports:figure_history",
        signed_in(200, officer_b=403, no_role=403),
        kwargs=_figure,
        world=("figure_a",),
    ),
    Case("reports:entry", VIEW_A, **REPORT),
    Case("reports:history", VIEW_A, **REPORT),
    Case("reports:save_all", EDIT_A_POST, method="post", data=_cell_post, **REPORT),
    Case(
        "reports:save_row",
        EDIT_A_POST,
        method="post",
        data=_cell_post,
        kwargs=_row,
        world=("report_a", "figure_a"),
    ),
    Case("reports:submit", EDIT_A_POST, method="post", **REPORT),
    Case(
        "reports:return",
        STEERING_ONLY_POST,
        method="post",
        data=lambda w: {"reason": "x"},
        **REPORT,
    ),
    Case("reports:approve", STEERING_ONLY_POST, method="post", **REPORT),
    Case(
        "reports:reopen",
        STEERING_ONLY_POST,
        method="post",
        data=lambda w: {"reason": "x"},
        **REPORT,
    ),
    Case("reports:template", EDIT_A, **REPORT),
    Case("reports:import", EDIT_A, **REPORT),
    Case("reports:scope_import", SCOPE_EDIT),
    # Last month's template of one's scope (district A's figures are those of `report_a`). The
    # province officer may download it, but no indicator here is the province's own: 400.
    Case(
        "reports:scope_template",
        {**SCOPE_EDIT, "province_officer": 400},
        world=("report_a", "figure_a"),
    ),
    Case(
        "reports:scope_import_confirm",
        SCOPE_EDIT_POST,
        method="post",
        data=lambda w: {"token": "x"},
    ),
    Case(
        "reports:import_confirm",
        EDIT_A_POST,
        method="post",
        data=lambda w: {"token": "x"},
        **REPORT,
    ),
]


# --- writes: every form and action with data that would succeed, every role -----------------
EDITORS = ("steering", "officer_a")


def _report_of(fixture):
    def kwargs(w):
        r = w[fixture]
        return {"district_code": r.division.code, "period": f"{r.period:%Y-%m}"}

    return kwargs


def _upload(w):
    from tests.reports.test_import import row, xlsx

    return {"file": xlsx([row("people_guided", "32068", w["report_a"].period, value=3)])}


def _upload_then_token(client, w):
    """The preview step as the same user; its token is what the confirm posts."""
    from django.urls import reverse

    response = client.post(reverse("reports:import", kwargs=_report_of("report_a")(w)), _upload(w))
    context = getattr(response, "context", None)
    token = context.get("token") if response.status_code == 200 and context else None
    return {"token": token or "no-preview"}


WRITE_CASES = [
    Write("reports:save_all", "edit a figure", EDIT_A_POST, EDITORS, data=_cell_post, **REPORT),
    Write(
        "reports:save_row",
        "edit a commune's row",
        EDIT_A_POST,
        EDITORS,
        data=_cell_post,
        kwargs=_row,
        world=("report_a", "figure_a"),
    ),
    Write("reports:submit", "submit the draft", EDIT_A_POST, EDITORS, **REPORT),
    Write(
        "reports:return",
        "return with a reason",
        STEERING_ONLY_POST,
        ("steering",),
        data=lambda w: {"reason": "Thiếu số liệu xã Biển Bạch"},
        kwargs=_report_of("report_a_submitted"),
        world=("report_a_submitted",),
    ),
    Write(
        "reports:approve",
        "approve",
        STEERING_ONLY_POST,
        ("steering",),
        kwargs=_report_of("report_a_submitted"),
        world=("report_a_submitted",),
    ),
    Write(
        "reports:reopen",
        "reopen an approved report",
        STEERING_ONLY_POST,
        ("steering",),
        data=lambda w: {"reason": "Sai số liệu cần sửa"},
        kwargs=_report_of("report_a_approved"),
        world=("report_a_approved",),
    ),
    Write(
        "reports:bulk_approve",
        "approve from the board",
        STEERING_ONLY_POST,
        ("steering",),
        data=lambda w: {"report": [str(w["report_a_submitted"].pk)]},
        world=("report_a_submitted",),
    ),
    # The upload is a dry run: it shows a preview and saves nothing, even for the officer.
    Write(
        "reports:import",
        "upload (preview only)",
        EDIT_A,
        (),
        data=_upload,
        kwargs=_report_of("report_a"),
        world=("report_a",),
    ),
    Write(
        "reports:import_confirm",
        "confirm own preview",
        EDIT_A_POST,
        EDITORS,
        kwargs=_report_of("report_a"),
        world=("report_a",),
        prepare=_upload_then_token,
    ),
]


def _scope_upload_then_token(client, w):
    """The whole-scope preview as the same user; its token is what the confirm posts."""
    from django.urls import reverse

    response = client.post(reverse("reports:scope_import"), _upload(w))
    context = getattr(response, "context", None)
    token = context.get("token") if response.status_code == 200 and context else None
    return {"token": token or "no-preview"}


WRITE_CASES += [
    # A row of district A's commune: outside the scope of officer_b and the province officer,
    # whose preview lists the error (422) and whose confirm finds no preview.
    Write(
        "reports:scope_import",
        "upload a whole-scope file (preview only)",
        {**SCOPE_EDIT, "officer_b": 422, "province_officer": 422},
        (),
        data=_upload,
        world=("report_a",),
    ),
    Write(
        "reports:scope_import_confirm",
        "confirm own whole-scope preview",
        SCOPE_EDIT_POST,
        EDITORS,
        world=("report_a",),
        prepare=_scope_upload_then_token,
    ),
]


# --- the province's own report: entered by a provincial agency's officer ---------------------
# Only users scoped to the province read it; its officer and steering staff change it.
OUTSIDE_PROVINCE = {
    "officer_a": 403,
    "officer_b": 403,
    "commune": 403,
    "team_leader": 403,
    "no_role": 403,
}
PROVINCE_VIEW = signed_in(200, province_officer=200, **OUTSIDE_PROVINCE)
PROVINCE_EDIT = signed_in(200, province_officer=200, viewer=403, **OUTSIDE_PROVINCE)
PROVINCE_EDIT_POST = signed_in(302, province_officer=302, viewer=403, **OUTSIDE_PROVINCE)
PROVINCE_EDITORS = ("steering", "province_officer")


def _province_cell_post(w):
    from tests.reports.province_fixtures import PROVINCE_INDICATOR

    prefix = f"{PROVINCE_INDICATOR}__96__"
    return {f"{prefix}numerator": "5", f"{prefix}denominator": "8", f"{prefix}version": "1"}


def _province_upload(w):
    from tests.reports.province_fixtures import PROVINCE_INDICATOR
    from tests.reports.test_import import row, xlsx

    period = w["report_province"].period
    return {"file": xlsx([row(PROVINCE_INDICATOR, "96", period, numerator=5, denominator=8)])}


def _province_upload_then_token(client, w):
    from django.urls import reverse

    url = reverse("reports:import", kwargs=_report_of("report_province")(w))
    response = client.post(url, _province_upload(w))
    context = getattr(response, "context", None)
    token = context.get("token") if response.status_code == 200 and context else None
    return {"token": token or "no-preview"}


PROVINCE = {
    "kwargs": _report_of("report_province"),
    "world": ("report_province", "figure_province"),
}

PROVINCE_CASES = [
    Case("reports:entry", PROVINCE_VIEW, **PROVINCE),
    Case("reports:history", PROVINCE_VIEW, **PROVINCE),
    Case(
        "reports:figure_history",
        PROVINCE_VIEW,
        kwargs=lambda w: {"pk": w["figure_province"].pk},
        world=("figure_province",),
    ),
    Case(
        "reports:save_all", PROVINCE_EDIT_POST, method="post", data=_province_cell_post, **PROVINCE
    ),
    Case(
        "reports:save_row",
        PROVINCE_EDIT_POST,
        method="post",
        data=_province_cell_post,
        kwargs=lambda w: {**_report_of("report_province")(w), "division_code": "96"},
        world=("report_province", "figure_province"),
    ),
    Case("reports:submit", PROVINCE_EDIT_POST, method="post", **PROVINCE),
    Case(
        "reports:return",
        STEERING_ONLY_POST,
        method="post",
        data=lambda w: {"reason": "x"},
        **PROVINCE,
    ),
    Case("reports:approve", STEERING_ONLY_POST, method="post", **PROVINCE),
    Case("reports:template", PROVINCE_EDIT, **PROVINCE),
    Case("reports:import", PROVINCE_EDIT, **PROVINCE),
    # The provincial agencies' officer's whole-scope template is the province's own rows;
    # district officers may download theirs, but no indicator here is reported by districts: 400.
    Case(
        "reports:scope_template",
        signed_in(
            200,
            province_officer=200,
            officer_a=400,
            officer_b=400,
            commune=403,
            team_leader=403,
            viewer=403,
            no_role=403,
        ),
        world=("report_province", "figure_province"),
    ),
]

PROVINCE_WRITE_CASES = [
    Write(
        "reports:save_all",
        "edit the province's own figure",
        PROVINCE_EDIT_POST,
        PROVINCE_EDITORS,
        data=_province_cell_post,
        **PROVINCE,
    ),
    Write(
        "reports:submit",
        "submit the province's draft",
        PROVINCE_EDIT_POST,
        PROVINCE_EDITORS,
        **PROVINCE,
    ),
    Write(
        "reports:approve",
        "approve the province's report",
        STEERING_ONLY_POST,
        ("steering",),
        kwargs=_report_of("report_province_submitted"),
        world=("report_province_submitted",),
    ),
    Write(
        "reports:import_confirm",
        "confirm own preview of the province's figures",
        PROVINCE_EDIT_POST,
        PROVINCE_EDITORS,
        kwargs=_report_of("report_province"),
        world=("report_province",),
        prepare=_province_upload_then_token,
    ),
]
WRITE_CASES += PROVINCE_WRITE_CASES

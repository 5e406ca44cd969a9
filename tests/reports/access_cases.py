"""Access cases for every reports URL. `report_a` is district A's (967) draft for last month;
`figure_a` is a figure of commune 32068 in it. Officers of district B get 403 everywhere in A."""

from __future__ import annotations

from tests.access_matrix import Case, Write, signed_in

VIEW_A = signed_in(200, officer_b=403, commune=403, team_leader=403, no_role=403)
EDIT_A = signed_in(200, officer_b=403, commune=403, team_leader=403, viewer=403, no_role=403)
EDIT_A_POST = signed_in(302, officer_b=403, commune=403, team_leader=403, viewer=403, no_role=403)
STEERING_ONLY = signed_in(403, steering=200)
STEERING_ONLY_POST = signed_in(403, steering=302)


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
        signed_in(200, officer_a=302, officer_b=302, no_role=403),
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

"""Access cases of the periodic reports (/documents/ and /api/v1/documents/).

The province's report is read by every user with a scope (like the province dashboard) and
written by steering staff only; users without a role or scope get 403 (pages) or nothing
(API, 404 for a file). A district-level unit makes no periodic report: 404 for everyone.
"""

from __future__ import annotations

from tests.access_matrix import Case, Write, signed_in

SCOPED = signed_in(200, no_role=403)
# The commune-level unit 32069 (from 07/2025): steering staff, the province's agencies and the
# province-wide viewer read it; the matrix's district and commune officers of the old
# structure do not (404); users without a role or scope get 403 (pages) or nothing (API).
IN_UNIT = signed_in(200, officer_a=404, officer_b=404, commune=404, team_leader=404, no_role=403)
UNIT = ("commune_unit",)
FILE = ("commune_report_file",)

CASES: list[Case] = [
    Case("documents:report", IN_UNIT, kwargs=lambda w: {"code": "32069"}, world=UNIT),
    # Generating a short report runs in the request and leads to the file's page.
    Case(
        "documents:generate",
        signed_in(302, officer_a=404, officer_b=404, commune=404, team_leader=404, no_role=403),
        kwargs=lambda w: {"code": "32069", "period": "2026-01"},
        method="post",
        world=UNIT,
    ),
    Case(
        "documents:file", IN_UNIT, kwargs=lambda w: {"pk": w["commune_report_file"].pk}, world=FILE
    ),
    Case(
        "documents:download",
        IN_UNIT,
        kwargs=lambda w: {"pk": w["commune_report_file"].pk, "kind": "pdf"},
        world=FILE,
    ),
    Case("api:documents", signed_in(200, anonymous=401)),
    Case(
        "api:document_file",
        signed_in(
            200,
            anonymous=401,
            officer_a=404,
            officer_b=404,
            commune=404,
            team_leader=404,
            no_role=404,
        ),
        kwargs=lambda w: {"pk": w["commune_report_file"].pk, "kind": "docx"},
        world=FILE,
    ),
]


# --- writes: the remembered header and the report's own text; generating a file ------------
def _form(w):
    return {
        "header-parent_body": "UBND tỉnh Cà Mau",
        "header-issuing_body": "Ban Chỉ đạo chuyển đổi số",
        "header-number_pattern": "{so}/BC-BCĐ",
        "header-place": "Cà Mau",
        "header-authority": "TM.",
        "header-authority_body": "Ban Chỉ đạo",
        "header-signer_position": "Trưởng ban",
        "header-signer_name": "Nguyễn Văn A",
        "header-recipients": "Các sở, ban, ngành",
        "report-document_number": "3",
        "report-issued_on": "2024-02-05",
        "report-tasks_ahead": "",
        "report-proposals": "",
    }


WRITE_CASES = [
    Write(
        "documents:report",
        "save a commune-level unit's header and text",
        signed_in(404, steering=302, province_officer=403, viewer=403, no_role=403),
        ("steering",),
        kwargs=lambda w: {"code": "32069"},
        data=_form,
        world=UNIT,
    ),
    # Generating reads the figures; every reader of the report may do it (a file row is kept).
    Write(
        "documents:generate",
        "generate the province's report of a month",
        signed_in(302, no_role=403),
        (
            "steering",
            "province_officer",
            "officer_a",
            "officer_b",
            "commune",
            "team_leader",
            "viewer",
        ),
        kwargs=lambda w: {"code": "96", "period": "2024-01"},
    ),
]

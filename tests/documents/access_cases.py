"""Access cases of the periodic reports (/documents/ and /api/v1/documents/).

The province's report is read by every user with a scope (like the province dashboard) and
written by steering staff only; users without a role or scope get 403 (pages) or nothing
(API, 404 for a file). A district-level unit makes no periodic report: 404 for everyone.
"""

from __future__ import annotations

from tests.access_matrix import Case, signed_in

SCOPED = signed_in(200, no_role=403)
FILE = ("province_report_file",)

CASES: list[Case] = [
    Case("documents:report", SCOPED, kwargs=lambda w: {"code": "96"}),
    # Generating a short report runs in the request and leads to the file's page.
    Case(
        "documents:generate",
        signed_in(302, no_role=403),
        kwargs=lambda w: {"code": "96", "period": "2024-01"},
        method="post",
    ),
    Case(
        "documents:file", SCOPED, kwargs=lambda w: {"pk": w["province_report_file"].pk}, world=FILE
    ),
    Case(
        "documents:download",
        SCOPED,
        kwargs=lambda w: {"pk": w["province_report_file"].pk, "kind": "pdf"},
        world=FILE,
    ),
    Case("api:documents", signed_in(200, anonymous=401)),
    Case(
        "api:document_file",
        signed_in(200, anonymous=401, no_role=404),
        kwargs=lambda w: {"pk": w["province_report_file"].pk, "kind": "docx"},
        world=FILE,
    ),
]

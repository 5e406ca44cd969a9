"""Writes of the reports app, one function per action: the figure write (`figures`) and the
report workflow (`workflow`). Every entry point (grid, Excel import, admin, API, the teams app)
calls these, so validation, access, locking, versions and history are the same for all.

May import: core, divisions, targets, reports.models. Never the attainment or dashboards apps.
"""

from reports.services.figures import (
    FIGURE_COLUMNS,
    FigureErrors,
    FigureInput,
    RowMessage,
    UpsertResult,
    data_values_upsert,
    fmt_number,
    reporting_unit_of,
    to_decimal,
)
from reports.services.workflow import (
    BulkApproval,
    SelfApprovalError,
    TransitionError,
    approval_blocked_for,
    queue_recompute_drain,
    report_approve,
    report_get_or_create_draft,
    report_reopen,
    report_return,
    report_submit,
    reports_bulk_approve,
)

__all__ = [
    "FIGURE_COLUMNS",
    "BulkApproval",
    "FigureErrors",
    "FigureInput",
    "RowMessage",
    "SelfApprovalError",
    "TransitionError",
    "UpsertResult",
    "approval_blocked_for",
    "data_values_upsert",
    "fmt_number",
    "queue_recompute_drain",
    "report_approve",
    "report_get_or_create_draft",
    "report_reopen",
    "report_return",
    "report_submit",
    "reporting_unit_of",
    "reports_bulk_approve",
    "to_decimal",
]

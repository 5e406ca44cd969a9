"""Template marks of a report's timeliness: "Nộp muộn N ngày", "Quá hạn N ngày"."""

from __future__ import annotations

from django import template

from reports.timeliness import lateness

register = template.Library()


@register.filter
def late_mark(report) -> str:
    """The report's lateness in words, or "" when it was (or still can be) sent on time."""
    if report is None or not hasattr(report, "period"):
        return ""
    return lateness(report, report.period)


@register.simple_tag
def lateness_of(report, period) -> str:
    """Like `late_mark`, for a board cell whose report may not exist yet."""
    return lateness(report, period)

"""Months (reporting periods): months are stored as their first day; the window starts 07/2022."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

# Resolution 05-NQ/TU dates from 14/7/2022: the first reporting month is July 2022.
REPORTING_START = dt.date(2022, 7, 1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def current_month() -> dt.date:
    return month_start(timezone.localdate())


def previous_month(period: dt.date) -> dt.date:
    return (period.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def next_month(period: dt.date) -> dt.date:
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first` to `last`, both included."""
    months, cur = [], month_start(first)
    while cur <= last:
        months.append(cur)
        cur = next_month(cur)
    return months


def parse_period(text: str) -> dt.date | None:
    """'2024-05' (or '05/2024', '2024-05-01') → 2024-05-01; None when unreadable."""
    text = (text or "").strip()
    for fmt in ("%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return month_start(dt.datetime.strptime(text, fmt).date())
        except ValueError:
            continue
    return None


def in_window(period: dt.date, *, current: dt.date | None = None) -> bool:
    """Is the month open for reporting (07/2022 up to this month)? `current` saves asking the
    clock again when checking many rows."""
    return REPORTING_START <= period <= (current or current_month())


def label(period: dt.date) -> str:
    return f"{period:%m/%Y}"

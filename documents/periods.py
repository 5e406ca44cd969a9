"""Reporting periods of the periodic report: a month, a quarter, six months or a year.

This module owns how a period is named in the report ("tháng 01 năm 2026", "quý I năm 2026",
"6 tháng đầu năm 2026", "năm 2026"), which months it covers, the month whose attainment rows
state its results (its last month: the dashboards' rows are cumulative over each indicator's
counting window, so the last month's row is the period's result), the previous period and the
same period a year before. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attainment.method import month_from_index, month_index

MONTH, QUARTER, HALF, YEAR = "month", "quarter", "half", "year"
KIND_MONTHS = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}
KIND_LABELS = {
    MONTH: gettext_lazy("Tháng"),
    QUARTER: gettext_lazy("Quý"),
    HALF: gettext_lazy("6 tháng"),
    YEAR: gettext_lazy("Năm"),
}
KIND_CHOICES = list(KIND_LABELS.items())
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# The text form used in addresses and the API: 2026-01, 2026-Q1, 2026-H1, 2026.
_TEXT = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<q>[1-4])|H(?P<h>[12])))?$")


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    year: int
    number: int  # month 1–12, quarter 1–4, half 1–2, 1 for a year

    @property
    def first(self) -> dt.date:
        size = KIND_MONTHS[self.kind]
        return dt.date(self.year, (self.number - 1) * size + 1, 1)

    @property
    def last(self) -> dt.date:
        """The period's last month: its attainment rows are the period's results."""
        return month_from_index(month_index(self.first) + KIND_MONTHS[self.kind] - 1)

    @property
    def months(self) -> list[dt.date]:
        start = month_index(self.first)
        return [month_from_index(start + i) for i in range(KIND_MONTHS[self.kind])]

    @property
    def text(self) -> str:
        suffix = {
            MONTH: f"-{self.number:02d}",
            QUARTER: f"-Q{self.number}",
            HALF: f"-H{self.number}",
        }
        return f"{self.year}{suffix.get(self.kind, '')}"

    @property
    def previous(self) -> ReportPeriod:
        """The period just before (December's month report follows November's)."""
        count = 12 // KIND_MONTHS[self.kind]
        index = self.year * count + self.number - 2
        return ReportPeriod(self.kind, index // count, index % count + 1)

    @property
    def year_before(self) -> ReportPeriod:
        """The same period of the previous year ("cùng kỳ")."""
        return ReportPeriod(self.kind, self.year - 1, self.number)

    def label(self) -> str:
        """The period in the report's words, months with a leading zero."""
        if self.kind == MONTH:
            return _("tháng %(m)s năm %(y)s") % {"m": f"{self.number:02d}", "y": self.year}
        if self.kind == QUARTER:
            return _("quý %(q)s năm %(y)s") % {"q": ROMAN[self.number], "y": self.year}
        if self.kind == HALF:
            if self.number == 1:
                return _("6 tháng đầu năm %(y)s") % {"y": self.year}
            return _("6 tháng cuối năm %(y)s") % {"y": self.year}
        return _("năm %(y)s") % {"y": self.year}

    def is_over(self, today: dt.date) -> bool:
        return month_index(self.last) < month_index(today)


def parse(text: str | None) -> ReportPeriod | None:
    """`2026-01`, `2026-Q1`, `2026-H1` or `2026`; None when unreadable."""
    match = _TEXT.match((text or "").strip())
    if match is None:
        return None
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        return ReportPeriod(MONTH, year, month) if 1 <= month <= 12 else None
    if match["q"]:
        return ReportPeriod(QUARTER, year, int(match["q"]))
    if match["h"]:
        return ReportPeriod(HALF, year, int(match["h"]))
    return ReportPeriod(YEAR, year, 1)


def of_month(kind: str, month: dt.date) -> ReportPeriod:
    """The period of `kind` that contains `month`."""
    size = KIND_MONTHS[kind]
    return ReportPeriod(kind, month.year, (month.month - 1) // size + 1)

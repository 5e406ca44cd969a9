"""Demo figures and reports for `make run` (labelled "Dữ liệu minh hoạ"; never in production).

Every district and commune gets monthly figures from 07/2022 to last month for the catalogue
indicators in the database, trending towards their targets: some units meet them, some fall
behind. Each month follows the structure in force: the districts' reports (their communes'
figures) up to 06/2025, the 64 commune-level units' own reports from 07/2025, and the
province's own figures (provincial agencies) in every month. Every month before the last closed
one is approved; the last is a mix (submitted, one returned, drafts, not started), sent by the
demo officer scoped to the unit where there is one.
Idempotent: figures and reports that exist are left alone. Everything is bulk-inserted.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core import months as periods
from divisions.access import Role
from divisions.models import Division, Level, UserScope
from reports.models import (
    Channel,
    DataValue,
    DataValueChange,
    RecomputeRequest,
    Report,
    ReportStatus,
    ReportTransition,
    Source,
    due_date_for,
)
from targets.models import (
    Direction,
    Indicator,
    Measurement,
    Target,
    TargetKind,
    TimeAggregation,
)

DEMO_NOTE = "Dữ liệu minh hoạ"
RETURN_REASON = (
    "Số hồ sơ xử lý trên mạng của một số xã chưa khớp với hệ thống quản lý văn bản; "
    "đề nghị kiểm tra và gửi lại."
)
# Indicators the teams app computes from the registry (source "teams"): when it has already
# written them, hand-typed demo copies would only compete with them.
TEAM_FED = {
    "team_count",
    "team_member_count",
    "households_guided",
    "people_guided",
    "dvctt_accounts_opened",
    "epayment_accounts_opened",
    "ecommerce_sellers_onboarded",
    "pilot_communes",
}
HORIZON = dt.date(2025, 12, 1)  # the 2025 deadline: trends aim at it


@dataclass
class SeedResult:
    figures: int = 0
    reports: int = 0
    skipped_indicators: int = 0


def _rng(*parts: object) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


@functools.cache
def _progress(period: dt.date) -> float:
    """Share of the way from 07/2022 to the 2025 horizon (beyond 1 after it)."""
    total = (HORIZON.year - periods.REPORTING_START.year) * 12 + HORIZON.month - 7
    done = (period.year - periods.REPORTING_START.year) * 12 + period.month - 7
    return min(1.25, done / total)


def _goal(ind: Indicator, level: int, targets: dict[tuple[int, int], Target]) -> float | None:
    target = targets.get((ind.pk, level)) or targets.get((ind.pk, 1))
    if target is None:
        return None
    value = target.resolved_value()
    return float(value) if value is not None else None


def _series(ind: Indicator, unit: Division, months: list[dt.date], goal: float | None):
    """(value, numerator, denominator) per month for one indicator × unit."""
    rng = _rng(ind.code, unit.code)
    # Performance: some units beat the target, some fall short.
    perf = rng.choice([0.7, 0.8, 0.9, 1.0, 1.05, 1.1])
    scale = {Level.PROVINCE: 12.0, Level.DISTRICT: 4.0}.get(unit.level, 1.0)
    out = []
    if ind.measurement in (Measurement.RATIO, Measurement.SHARE):
        aim = min(100.0, (goal if goal is not None else 80.0) * perf)
        start = min(aim * 0.9, rng.uniform(5, 40) if aim > 30 else rng.uniform(0.5, aim / 2))
        base = rng.uniform(40, 300) * scale
        for m in months:
            pct = start + (aim - start) * min(1.0, _progress(m)) ** 0.8
            pct = max(0.0, min(100.0, pct + rng.uniform(-2, 2)))
            if ind.measurement == Measurement.RATIO:
                den = Decimal(max(1, round(base * rng.uniform(0.85, 1.15))))
                num = min(den, Decimal(round(float(den) * pct / 100)))
                out.append(((num / den * 100).quantize(Decimal("0.0001")), num, den))
            else:
                out.append((Decimal(str(round(pct, 2))), None, None))
        return out
    if ind.measurement == Measurement.AMOUNT:
        start = goal / 0.7 if goal else rng.uniform(8, 12)
        aim = (
            (goal or start * 0.7) / perf
            if ind.direction == Direction.LOWER
            else (goal or start * 1.3) * perf
        )
        for m in months:
            v = start + (aim - start) * min(1.0, _progress(m))
            out.append((Decimal(str(round(max(0.0, v * rng.uniform(0.97, 1.03)), 1))), None, None))
        return out
    # Counts.
    if ind.time_aggregation == TimeAggregation.LATEST:
        if ind.code == "pilot_communes":
            final = rng.choice([1, 1, 2, 2, 3]) if unit.level == Level.DISTRICT else 1
            start_at = rng.choice([dt.date(2022, 11, 1), dt.date(2023, 2, 1), dt.date(2023, 8, 1)])
            return [(Decimal(final if m >= start_at else 0), None, None) for m in months]
        final = rng.randint(3, 9) * scale * (5 if "member" in ind.code else 1) * perf
        stock = 0
        for m in months:
            stock = max(stock, round(final * min(1.0, _progress(m) * 1.4)))
            out.append((Decimal(stock), None, None))
        return out
    # Flows: monthly amounts that grow with the programme.
    size = rng.uniform(10, 120) * scale * perf
    for m in months:
        v = size * (0.3 + min(1.0, _progress(m))) * rng.uniform(0.7, 1.3)
        out.append((Decimal(max(0, round(v))), None, None))
    return out


# The last closed month of a few units is fixed, so each demo account finds work on its landing
# page: Xã Biển Bạch and the provincial agency have a draft to finish and submit, Phường An
# Xuyên a returned report to answer. Only units of the structure in force are fixed.
LAST_MONTH_FIXED = {
    "96": ReportStatus.DRAFT,
    "32069": ReportStatus.DRAFT,
    "32002": ReportStatus.RETURNED,
}


def _last_month_statuses(units: list[Division], last: dt.date) -> dict[int, str | None]:
    """The last closed month: some submitted, exactly one returned, some draft or missing."""
    statuses: dict[int, str | None] = {}
    for unit in units:
        if unit.code in LAST_MONTH_FIXED and (
            unit.level == Level.PROVINCE or unit.is_new_structure
        ):
            statuses[unit.pk] = LAST_MONTH_FIXED[unit.code]
            continue
        rng = _rng("status", unit.code, last)
        statuses[unit.pk] = rng.choice(
            [ReportStatus.SUBMITTED] * 3 + [ReportStatus.DRAFT, ReportStatus.DRAFT, None]
        )
    if ReportStatus.RETURNED not in statuses.values():
        # The structure has none of the fixed units (a test's older month): return one.
        first = next((u for u in units if u.level != Level.PROVINCE), None)
        if first is not None:
            statuses[first.pk] = ReportStatus.RETURNED
    return statuses


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def _officers(units: list[Division]) -> dict:
    """unit pk → a demo officer scoped to it (the one who drafted and sent its reports)."""
    roles = [Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER]
    scopes = (
        UserScope.objects.filter(division__in=units, user__groups__name__in=roles)
        .select_related("user")
        .order_by("user__username")
    )
    officers: dict = {}
    for scope in scopes:
        officers.setdefault(scope.division_id, scope.user)
    return officers


def _catalogue(result: SeedResult) -> list[Indicator]:
    """Phase: the active indicators to seed, leaving out those the teams app already writes."""
    teams_written = set(
        DataValue.objects.filter(source=Source.TEAMS)
        .values_list("indicator__code", flat=True)
        .distinct()
    )
    indicators = []
    for ind in Indicator.objects.filter(is_active=True):
        if ind.code in TEAM_FED and ind.code in teams_written:
            result.skipped_indicators += 1
            continue
        indicators.append(ind)
    return indicators


def _targets_by_level(indicators: list[Indicator]) -> dict[tuple[int, int], Target]:
    """Phase: (indicator pk, scope level) → the target the trends aim at (latest deadline wins)."""
    return {
        (t.indicator_id, t.scope_level): t
        for t in Target.objects.filter(
            indicator__in=indicators, kind__in=[TargetKind.ABSOLUTE, TargetKind.RELATIVE]
        ).order_by("deadline")
    }


def _demo_report(unit: Division, m: dt.date, status: str, officer, steering) -> Report:
    """One unsaved report of `unit` for month `m`, dated around its due date, in `status`."""
    due = due_date_for(m)
    rng = _rng("dates", unit.code, m)
    submitted = due + dt.timedelta(days=rng.choice([-10, -6, -3, -1, 0, 2, 5]))
    rep = Report(division=unit, period=m, status=status, created_by=officer)
    if status != ReportStatus.DRAFT:
        rep.submitted_at, rep.submitted_by = _aware(submitted, 9), officer
    if status == ReportStatus.APPROVED:
        rep.approved_at, rep.approved_by = (
            _aware(submitted + dt.timedelta(days=2), 15),
            steering,
        )
    if status == ReportStatus.RETURNED:
        rep.returned_at, rep.returned_by = (
            _aware(submitted + dt.timedelta(days=1), 10),
            steering,
        )
        rep.return_reason = RETURN_REASON
    return rep


def _plan_reports(
    units: list[Division], months: list[dt.date], last: dt.date, steering
) -> list[Report]:
    """Phase: the missing reports, one per reporting unit and month it exists in; every month
    before `last` approved, `last` in the mixed statuses (a unit not started gets none)."""
    officers = _officers(units)
    last_statuses = _last_month_statuses([u for u in units if u.valid_in_month(last)], last)
    existing_reports = {
        (r.division_id, r.period): r
        for r in Report.objects.filter(division__in=units, period__in=months)
    }
    new_reports = []
    for unit in units:
        for m in months:
            if (unit.pk, m) in existing_reports or not unit.valid_in_month(m):
                continue
            status = last_statuses.get(unit.pk) if m == last else ReportStatus.APPROVED
            if status is None:
                continue
            new_reports.append(_demo_report(unit, m, status, officers.get(unit.pk), steering))
    return new_reports


def _transitions(new_reports: list[Report], steering) -> list[ReportTransition]:
    """Phase: the workflow history of the new reports (draft, then sent, approved or returned)."""
    transitions = []
    for rep in new_reports:
        steps = [("", ReportStatus.DRAFT, rep.created_by, _aware(rep.period, 8), "")]
        if rep.submitted_at:
            steps.append(
                (ReportStatus.DRAFT, ReportStatus.SUBMITTED, rep.submitted_by, rep.submitted_at, "")
            )
        if rep.status == ReportStatus.APPROVED:
            steps.append(
                (ReportStatus.SUBMITTED, ReportStatus.APPROVED, steering, rep.approved_at, "")
            )
        if rep.status == ReportStatus.RETURNED:
            steps.append(
                (
                    ReportStatus.SUBMITTED,
                    ReportStatus.RETURNED,
                    steering,
                    rep.returned_at,
                    RETURN_REASON,
                )
            )
        transitions += [
            ReportTransition(report=rep, from_status=a, to_status=b, by=u, at=t, reason=why)
            for a, b, u, t, why in steps
        ]
    return transitions


@dataclass
class _FigureContext:
    """What the figure phase reads: the structure, the months, the reports and the targets."""

    province: Division
    districts: list[Division]
    communes: list[Division]
    months: list[dt.date]
    reports: dict[tuple[int, dt.date], Report]
    targets: dict[tuple[int, int], Target]
    existing: set[tuple[int, int, dt.date]]


def _report_owner(ctx: _FigureContext, unit: Division, level: int, district_of: dict):
    """The unit whose report carries `unit`'s figures (its district before 07/2025)."""
    owner = unit if level <= Level.DISTRICT else district_of.get(unit.parent_id)
    if owner is None and unit.parent_id == ctx.province.pk:
        owner = unit  # a commune of the 2025 structure reports for itself
    return owner


def _unit_figures(
    ctx: _FigureContext, ind: Indicator, unit: Division, owner: Division, goal, now
) -> list[DataValue]:
    """The missing monthly figures of one indicator × unit, in the months its owner reported."""
    figures = []
    series = _series(ind, unit, ctx.months, goal)
    for m, (value, num, den) in zip(ctx.months, series, strict=True):
        rep = ctx.reports.get((owner.pk, m))
        if rep is None or (ind.pk, unit.pk, m) in ctx.existing:
            continue
        if not unit.valid_in_month(m):
            continue
        figures.append(
            DataValue(
                indicator=ind,
                division=unit,
                period=m,
                value=value,
                numerator=num,
                denominator=den,
                note=DEMO_NOTE,
                source=Source.MANUAL,
                report=rep,
                updated_at=rep.submitted_at or now,
                updated_by=rep.submitted_by,
            )
        )
    return figures


def _plan_figures(ctx: _FigureContext, indicators: list[Indicator]) -> list[DataValue]:
    """Phase: figures of units whose report exists (a month not started has no figures)."""
    district_of = {d.pk: d for d in ctx.districts}
    now = timezone.now()
    figures: list[DataValue] = []
    for ind in indicators:
        for level, unit_list in (
            (Level.PROVINCE, [ctx.province] if ind.reports_province else []),
            (Level.DISTRICT, ctx.districts if ind.reports_district else []),
            (Level.COMMUNE, ctx.communes if ind.reports_commune else []),
        ):
            goal = _goal(ind, level, ctx.targets)
            for unit in unit_list:
                owner = _report_owner(ctx, unit, level, district_of)
                if owner is None:
                    continue
                figures += _unit_figures(ctx, ind, unit, owner, goal, now)
    return figures


def _figure_history(figures: list[DataValue]) -> list[DataValueChange]:
    """Phase: the first history row of each new figure (version 1, demo channel)."""
    return [
        DataValueChange(
            data_value=f,
            indicator=f.indicator,
            division=f.division,
            period=f.period,
            source=f.source,
            report=f.report,
            changed_by=f.updated_by,
            changed_at=f.updated_at,
            new_value=f.value,
            new_numerator=f.numerator,
            new_denominator=f.denominator,
            version=1,
            note=DEMO_NOTE,
            channel=Channel.DEMO,
        )
        for f in figures
    ]


def _units_under(province: Division, level: int) -> list[Division]:
    return list(
        Division.objects.filter(level=level, path__startswith=province.path).order_by("path")
    )


@transaction.atomic
def demo_seed(*, until: dt.date | None = None) -> SeedResult:
    """Create the demo figures and reports (idempotent). `until` = last month by default."""
    last = until or periods.previous_month(periods.current_month())
    months = periods.months_between(periods.REPORTING_START, last)
    result = SeedResult()
    if not months:
        return result
    province = Division.objects.province()
    if province is None:
        return result
    # Units of the province in force in each month: districts and their communes before
    # 07/2025, the communes directly under the province from then on (Bạc Liêu is history).
    districts = _units_under(province, Level.DISTRICT)
    communes = _units_under(province, Level.COMMUNE)
    indicators = _catalogue(result)
    targets = _targets_by_level(indicators)
    steering = get_user_model().objects.filter(username="bcd").first()

    # Reports: one per reporting unit (the province for its own indicators) and month.
    units = [province, *districts, *(c for c in communes if c.parent_id == province.pk)]
    new_reports = _plan_reports(units, months, last, steering)
    Report.objects.bulk_create(new_reports, batch_size=1000)
    result.reports = len(new_reports)
    ReportTransition.objects.bulk_create(_transitions(new_reports, steering), batch_size=2000)

    ctx = _FigureContext(
        province=province,
        districts=districts,
        communes=communes,
        months=months,
        reports={
            (r.division_id, r.period): r
            for r in Report.objects.filter(division__in=units, period__in=months)
        },
        targets=targets,
        existing=set(
            DataValue.objects.filter(
                indicator__in=indicators, period__in=months, source=Source.MANUAL
            ).values_list("indicator_id", "division_id", "period")
        ),
    )
    figures = _plan_figures(ctx, indicators)
    DataValue.objects.bulk_create(figures, batch_size=2000)
    DataValueChange.objects.bulk_create(_figure_history(figures), batch_size=2000)
    result.figures = len(figures)
    if figures or new_reports:
        RecomputeRequest.objects.create(
            indicator_ids=None,
            division_path=province.path,
            period_from=periods.REPORTING_START,
            period_to=periods.current_month(),
            reason="seed_demo",
        )
    return result

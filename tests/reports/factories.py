"""Factories for the reports tests: indicators of each kind, reports and figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from reports.models import DataValue, Report, ReportStatus, Source
from targets.models import (
    Direction,
    DivisionAggregation,
    Indicator,
    Measurement,
    Pillar,
    TimeAggregation,
)


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A monthly count reported by districts and communes, summed (override as needed)."""

    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ind_{n}")
    name_vi = factory.Sequence(lambda n: f"Chỉ tiêu thử {n}")
    name_en = factory.Sequence(lambda n: f"Test indicator {n}")
    pillar = Pillar.SOCIETY
    unit = "người"
    measurement = Measurement.COUNT
    direction = Direction.HIGHER
    division_aggregation = DivisionAggregation.SUM
    time_aggregation = TimeAggregation.SUM
    reports_district = True
    reports_commune = True
    whole_numbers = True


def ratio_indicator(code: str = "work_records_online", **kw) -> Indicator:
    """Numerator/denominator percentage, ratio of sums, district and commune levels."""
    defaults = {
        "name_vi": "Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng",
        "pillar": Pillar.GOVERNMENT,
        "unit": "%",
        "measurement": Measurement.RATIO,
        "numerator_label": "Số hồ sơ xử lý trên mạng",
        "denominator_label": "Tổng số hồ sơ",
        "division_aggregation": DivisionAggregation.RATIO_OF_SUMS,
        "max_value": Decimal("100"),
        "whole_numbers": True,
    }
    defaults.update(kw)
    return IndicatorFactory(code=code, **defaults)


def count_indicator(code: str = "people_guided", **kw) -> Indicator:
    """A flow count summed over months, communes only."""
    defaults = {
        "name_vi": "Số người được hướng dẫn kỹ năng số",
        "reports_district": False,
        "reports_commune": True,
    }
    defaults.update(kw)
    return IndicatorFactory(code=code, **defaults)


def stock_indicator(code: str = "team_count", **kw) -> Indicator:
    """A stock (latest value over time) counted in communes."""
    defaults = {
        "name_vi": "Số Tổ CNSCĐ",
        "unit": "tổ",
        "time_aggregation": TimeAggregation.LATEST,
        "reports_district": False,
    }
    defaults.update(kw)
    return IndicatorFactory(code=code, **defaults)


def share_indicator(code: str = "sme_share", **kw) -> Indicator:
    """A share in percent typed as one value, district level."""
    defaults = {
        "name_vi": "Tỷ trọng thử",
        "unit": "%",
        "measurement": Measurement.SHARE,
        "division_aggregation": DivisionAggregation.NONE,
        "time_aggregation": TimeAggregation.LATEST,
        "max_value": Decimal("100"),
        "whole_numbers": False,
        "reports_commune": False,
    }
    defaults.update(kw)
    return IndicatorFactory(code=code, **defaults)


def amount_indicator(code: str = "resolution_days", **kw) -> Indicator:
    defaults = {
        "name_vi": "Thời gian giải quyết TTHC",
        "unit": "ngày",
        "measurement": Measurement.AMOUNT,
        "direction": Direction.LOWER,
        "division_aggregation": DivisionAggregation.NONE,
        "time_aggregation": TimeAggregation.AVERAGE,
        "whole_numbers": False,
        "reports_commune": False,
    }
    defaults.update(kw)
    return IndicatorFactory(code=code, **defaults)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    period = dt.date(2024, 5, 1)
    status = ReportStatus.DRAFT


class DataValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataValue

    source = Source.MANUAL
    version = 1
    updated_at = factory.LazyFunction(timezone.now)

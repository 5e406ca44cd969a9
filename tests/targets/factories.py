"""Factories of the catalogue, for this app's tests and for other apps' tests.

`IndicatorFactory()` is a valid ratio indicator reported at province, district and commune
level (labels set, ratio of sums); traits and keyword overrides give the other kinds:
`IndicatorFactory(count=True)`, `IndicatorFactory(share=True)`, `IndicatorFactory(amount=True)`.
`TargetFactory(indicator=...)` is an absolute province-level 2025 target.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from targets.models import (
    Comparator,
    Direction,
    DivisionAggregation,
    Indicator,
    Measurement,
    Pillar,
    ProgrammeGoal,
    ScopeLevel,
    Target,
    TargetKind,
    TimeAggregation,
)

NQ05 = "Nghị quyết 05-NQ/TU ngày 14/7/2022 của Tỉnh ủy Cà Mau"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test_indicator_{n}")
    name_vi = factory.Sequence(lambda n: f"Chỉ tiêu thử nghiệm {n}")
    name_en = factory.Sequence(lambda n: f"Test indicator {n}")
    pillar = Pillar.GOVERNMENT
    unit = "%"
    measurement = Measurement.RATIO
    numerator_label = "Số hồ sơ xử lý trên mạng"
    denominator_label = "Tổng số hồ sơ"
    direction = Direction.HIGHER
    division_aggregation = DivisionAggregation.RATIO_OF_SUMS
    time_aggregation = TimeAggregation.SUM
    reports_province = True
    reports_district = True
    reports_commune = True
    min_value = Decimal("0")
    max_value = Decimal("100")
    source_document = NQ05
    source_date = dt.date(2022, 7, 14)

    class Params:
        count = factory.Trait(
            unit="người",
            measurement=Measurement.COUNT,
            numerator_label="",
            denominator_label="",
            division_aggregation=DivisionAggregation.SUM,
            max_value=None,
            whole_numbers=True,
        )
        share = factory.Trait(
            measurement=Measurement.SHARE,
            numerator_label="",
            denominator_label="",
            division_aggregation=DivisionAggregation.NONE,
            time_aggregation=TimeAggregation.LATEST,
            reports_district=False,
            reports_commune=False,
        )
        amount = factory.Trait(
            unit="ngày",
            measurement=Measurement.AMOUNT,
            numerator_label="",
            denominator_label="",
            direction=Direction.LOWER,
            division_aggregation=DivisionAggregation.NONE,
            time_aggregation=TimeAggregation.AVERAGE,
            max_value=None,
        )


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    wording_vi = "90% hồ sơ công việc tại cấp tỉnh được xử lý trên môi trường mạng"
    wording_en = "90% of work records processed online at the provincial level"
    deadline = dt.date(2025, 12, 31)
    scope_level = ScopeLevel.PROVINCE
    kind = TargetKind.ABSOLUTE
    value = Decimal("90")
    comparator = Comparator.AT_LEAST
    source_document = NQ05


class ProgrammeGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeGoal

    code = factory.Sequence(lambda n: f"goal-{n}")
    text_vi = "cơ bản hoàn thành số hoá các lĩnh vực kinh tế - xã hội"
    deadline_year = 2025

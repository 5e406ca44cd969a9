"""The figure write's rules that need no database: a row's numbers, its codes and month, a
unit in force in a month, a stock lower than last month's. No `django_db` mark: any query
made by these rules would fail the test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from divisions.models import Division, Level
from reports.services.figures import (
    FigureInput,
    RowMessage,
    _Cell,
    _clean_numbers,
    _placement_error,
    _Prepared,
    _row_shape_errors,
    _stock_drop,
    _unit_in_month,
    _valid_in,
)
from targets.models import Indicator, Measurement, TimeAggregation

MAY = dt.date(2024, 5, 1)
JUNE = dt.date(2024, 6, 1)


def indicator(**fields) -> Indicator:
    fields = {
        "pk": 1,
        "code": "ind",
        "name_vi": "Chỉ tiêu",
        "measurement": Measurement.COUNT,
        "time_aggregation": TimeAggregation.SUM,
        "reports_commune": True,
        **fields,
    }
    return Indicator(**fields)


def unit(**fields) -> Division:
    fields = {"pk": 2, "code": "32068", "name": "Xã A", "level": Level.COMMUNE, **fields}
    return Division(**fields)


def clean(ind: Indicator, **numbers):
    row = FigureInput(ind.code, "32068", MAY, **numbers)
    errors: list[RowMessage] = []
    return _clean_numbers(0, row, ind, _Cell(ind, None, MAY, row), errors), errors


def test_count_is_read_the_vietnamese_way_and_rounded_to_four_places():
    assert clean(indicator(), value="1.500") == ((Decimal("1500"), None, None), [])
    assert clean(indicator(), value="12,345678")[0] == (Decimal("12.3457"), None, None)


def test_unreadable_and_negative_numbers_are_refused_field_by_field():
    result, errors = clean(indicator(), value="abc", numerator="-1")
    assert result is None
    assert [e.field for e in errors] == ["value", "numerator"]


def test_ratio_value_is_computed_from_its_parts():
    ratio = indicator(measurement=Measurement.RATIO)
    assert clean(ratio, numerator="45", denominator="60")[0] == (
        Decimal("75.0000"),
        Decimal("45"),
        Decimal("60"),
    )
    assert clean(ratio, numerator="0", denominator="0")[0] == (None, Decimal("0"), Decimal("0"))


def test_ratio_refuses_a_typed_value_a_missing_part_and_a_part_above_the_whole():
    ratio = indicator(measurement=Measurement.RATIO)
    assert clean(ratio, value="5")[1][0].field == "value"
    assert clean(ratio, numerator="5")[1][0].field == "denominator"
    assert clean(ratio, numerator="7", denominator="5")[1][0].field == "numerator"


def test_counted_ratio_names_each_part_that_is_not_whole():
    ratio = indicator(measurement=Measurement.RATIO, whole_numbers=True)
    result, errors = clean(ratio, numerator="1,5", denominator="2,5")
    assert result is None
    assert [e.field for e in errors] == ["numerator", "denominator"]


def test_single_value_bounds():
    assert clean(indicator(measurement=Measurement.SHARE), value="101")[0] is None
    assert clean(indicator(max_value=Decimal("10")), value="11")[0] is None
    assert clean(indicator(whole_numbers=True), value="2,5")[0] is None
    assert clean(indicator(), value=None) == ((None, None, None), [])


def test_unit_valid_in_a_month_and_the_one_in_force_among_same_code():
    old = unit(pk=3, valid_to=dt.date(2025, 6, 30))
    new = unit(pk=4, valid_from=dt.date(2025, 7, 1))
    assert _valid_in(old, dt.date(2025, 6, 1)) and not _valid_in(old, dt.date(2025, 7, 1))
    assert _unit_in_month([old, new], dt.date(2025, 7, 1)) is new
    assert _unit_in_month([old, new], dt.date(2025, 6, 1)) is old
    assert _unit_in_month([new], dt.date(2025, 6, 1)) is new  # nearest, for the refusal
    assert _unit_in_month([], MAY) is None


def test_row_shape_lists_every_problem_of_codes_and_month():
    row = FigureInput("nope", "000", dt.date(2024, 5, 2))
    problems = _row_shape_errors(
        0, row, None, None, _Cell(None, None, None, row), this_month=JUNE, period=None
    )
    assert [f for f, _m in problems] == ["indicator_code", "division_code", "period"]


def test_row_shape_refuses_months_outside_the_window_or_the_page():
    ind, div = indicator(), unit()
    late = FigureInput("ind", "32068", dt.date(2024, 7, 1))
    cell = _Cell(ind, div, late.period, late)
    assert [
        f for f, _m in _row_shape_errors(0, late, ind, div, cell, this_month=JUNE, period=None)
    ] == ["period"]
    row = FigureInput("ind", "32068", MAY)
    cell = _Cell(ind, div, MAY, row)
    assert _row_shape_errors(0, row, ind, div, cell, this_month=JUNE, period=None) == []
    assert len(_row_shape_errors(0, row, ind, div, cell, this_month=JUNE, period=JUNE)) == 1


def test_placement_checks_level_then_the_page_unit():
    row = FigureInput("ind", "32068", MAY)
    commune = unit(path="96/967/32068/")
    cell = _Cell(indicator(), commune, MAY, row)
    district_only = indicator(reports_commune=False, reports_district=True)
    assert _placement_error(district_only, commune, cell, None) is not None
    other = unit(pk=9, code="966", name="Huyện B", level=Level.DISTRICT, path="96/966/")
    assert _placement_error(indicator(), commune, cell, other) is not None
    own = unit(pk=8, code="967", name="Huyện A", level=Level.DISTRICT, path="96/967/")
    assert _placement_error(indicator(), commune, cell, own) is None


def test_stock_lower_than_last_month_is_flagged():
    stock = indicator(time_aggregation=TimeAggregation.LATEST)
    row = FigureInput("ind", "32068", JUNE)
    div = unit()
    cell = _Cell(stock, div, JUNE, row)
    previous = {(stock.pk, div.pk, MAY): Decimal("10")}

    def prepared(value, ind=stock):
        return _Prepared(0, row, ind, div, None, value, None, None)

    assert _stock_drop(prepared(Decimal("9")), previous, cell) is not None
    assert _stock_drop(prepared(Decimal("10")), previous, cell) is None
    assert _stock_drop(prepared(Decimal("9")), {}, cell) is None
    assert _stock_drop(prepared(Decimal("9"), indicator()), previous, cell) is None

"""The number rule: shared vectors (also run in the browser), edge cases, properties."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core import numbers
from core.numbers import COMMA, DOT, AmbiguousNumber, NumberError, detect, parse

VECTORS = json.loads((Path(__file__).parent / "number_vectors.json").read_text("utf-8"))["vectors"]


def canonical(number: Decimal | None) -> str | None:
    if number is None:
        return None
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def outcome(text: str, convention: str | None) -> str | None:
    try:
        return canonical(parse(text, convention))
    except AmbiguousNumber:
        return "ambiguous"
    except NumberError:
        return "invalid"


@pytest.mark.parametrize(("text", "comma", "dot", "unknown"), VECTORS)
def test_shared_vectors(text, comma, dot, unknown):
    assert (outcome(text, COMMA), outcome(text, DOT), outcome(text, None)) == (comma, dot, unknown)


# --- edge cases ------------------------------------------------------------------------------


def test_numbers_are_taken_as_they_are_and_bools_refused():
    assert parse(3, None) == 3 and parse(0.1, COMMA) == Decimal("0.1")
    assert parse(Decimal("1.500"), COMMA) == Decimal("1.5")
    for bad in (True, float("nan"), float("inf"), Decimal("NaN")):
        with pytest.raises(NumberError):
            parse(bad, COMMA)


def test_ambiguous_message_names_the_text_and_both_readings():
    with translation.override("vi"), pytest.raises(AmbiguousNumber) as caught:
        parse("12.345", None)
    assert caught.value.message == (
        "«12.345» có hai cách đọc: 12345 nếu dấu phẩy là dấu thập phân (Việt Nam), "
        "hoặc 12,345 nếu dấu chấm là dấu thập phân (tiếng Anh)."
    )
    assert caught.value.readings == {COMMA: Decimal("12345"), DOT: Decimal("12.345")}


def test_refusals_say_why():
    with translation.override("vi"):
        with pytest.raises(NumberError, match="không phải là số: có ký tự «%»"):
            parse("12,5%", COMMA)
        with pytest.raises(NumberError, match="chữ số «١» không phải 0–9"):
            parse("١٢", COMMA)
        with pytest.raises(NumberError, match="quá dài"):
            parse("9" * 5000, COMMA)
        with pytest.raises(NumberError, match="«1,234.5» .* quy ước Việt Nam"):
            parse("1,234.5", COMMA)


def test_plain_text_reads_back_exactly_under_every_convention():
    for value in ("12.345", "1500", "0.5", "-0.125", "1234567.891", "0.001"):
        text = numbers.plain(Decimal(value))
        assert {parse(text, c) for c in (COMMA, DOT, None)} == {Decimal(value)}, text


def test_detect_finds_the_one_convention_cells_prove():
    english = detect(["12.345", "20,000", "0.5", "1,234,567"])
    assert english.convention == DOT and english.examples == {DOT: "0.5"}
    assert english.ambiguous == ["12.345", "20,000"] and not english.needs_choice
    vietnamese = detect(["12,345", "20.000", "0,5", 7, None])
    assert vietnamese.convention == COMMA and not vietnamese.needs_choice
    unknown = detect(["12.345", "20,000", "15"])
    assert unknown.convention is None and unknown.needs_choice
    mixed = detect(["1,5", "2.5", "1.500"])
    assert mixed.convention is None and mixed.needs_choice
    assert not detect(["1,5", "2.5", "42"]).needs_choice


# --- properties ------------------------------------------------------------------------------

DECIMALS = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=4, allow_nan=False
)


def written(number: Decimal, convention: str, grouping: str, places: int) -> str:
    """`number` as a person or a spreadsheet in `convention` writes it."""
    decimal_mark, group_mark = (",", ".") if convention == COMMA else (".", ",")
    text = format(abs(number).quantize(Decimal(1).scaleb(-places)), "f")
    whole, _dot, frac = text.partition(".")
    if grouping and len(whole) > 3:
        mark = group_mark if grouping == "mark" else "\u00a0"
        head = len(whole) % 3 or 3
        whole = mark.join([whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)])
    sign = "-" if number < 0 else ""
    return sign + whole + (decimal_mark + frac if frac else "")


@settings(max_examples=400)
@given(
    number=DECIMALS,
    convention=st.sampled_from([COMMA, DOT]),
    grouping=st.sampled_from(["", "mark", "space"]),
    places=st.integers(min_value=0, max_value=4),
)
def test_written_in_a_convention_reads_back_the_same(number, convention, grouping, places):
    text = written(number, convention, grouping, places)
    expected = Decimal(format(abs(number).quantize(Decimal(1).scaleb(-places)), "f"))
    expected = -expected if number < 0 else expected
    assert parse(text, convention) == expected
    try:
        unknown = parse(text, None)
    except AmbiguousNumber as exc:
        # Ambiguous only where both conventions really read the text.
        assert exc.readings[convention] == expected
        other = DOT if convention == COMMA else COMMA
        assert exc.readings[other] != expected
        assert numbers.readings(numbers.normalise(text)).keys() == {COMMA, DOT}
    else:
        assert unknown == expected


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_any_text_is_read_or_refused_with_a_message(text):
    for convention in (COMMA, DOT, None):
        try:
            value = parse(text, convention)
        except NumberError as exc:
            assert exc.message
        else:
            assert value is None or value.is_finite()


@settings(max_examples=300)
@given(DECIMALS)
def test_plain_is_never_ambiguous(number):
    assert parse(numbers.plain(number), None) == number

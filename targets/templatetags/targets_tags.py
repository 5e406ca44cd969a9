"""How a target reads on the pages: "≥ 90%", "giảm 30% so với giá trị gốc → 7 ngày"."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from targets.models import Comparator, TargetKind

register = template.Library()


def _num(value: Decimal | int | float | None) -> str:
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))  # 1E+2 → 100
    return number_format(number, force_grouping=True)


@register.simple_tag
def target_value(target) -> str:
    """The target as a short phrase in the current language."""
    from dashboards.selectors import unit_label  # dashboards imports targets: read at call time

    unit = unit_label(target.indicator.unit)
    symbol = "≥" if target.comparator == Comparator.AT_LEAST else "≤"
    if target.kind == TargetKind.RELATIVE:
        change = abs(target.value)
        if target.value < 0:
            text = _("giảm %(n)s%% so với giá trị gốc") % {"n": _num(change)}
        else:
            text = _("tăng %(n)s%% so với giá trị gốc") % {"n": _num(change)}
        resolved = target.resolved_value()
        if resolved is not None:
            text += f" ({symbol} {_num(resolved)} {unit})"
        return text
    sep = "" if unit == "%" else " "
    return f"{symbol} {_num(target.value)}{sep}{unit}"


@register.filter
def num(value) -> str:
    """A decimal without trailing zeros, localised (decimal comma in Vietnamese)."""
    return _num(value)

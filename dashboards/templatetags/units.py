"""Template filter for the catalogue's units of measure in the page's language."""

from __future__ import annotations

from django import template

from dashboards.selectors import unit_label

register = template.Library()


@register.filter(name="unit_label")
def unit_label_filter(unit: str | None) -> str:
    return unit_label(unit)

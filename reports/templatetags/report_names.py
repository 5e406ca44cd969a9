"""Template names of catalogue items in the page's language: `{{ indicator|indicator_name }}`."""

from __future__ import annotations

from django import template

from reports.views.entry import indicator_name as _indicator_name

register = template.Library()


@register.filter
def indicator_name(indicator) -> str:
    """The indicator's name in the page's language, by the same rule as the report grid."""
    return _indicator_name(indicator)

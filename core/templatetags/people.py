"""Template filter `{{ user|person_name }}`: how pages name a person (the top bar, report notices,
histories), by the one rule in core.people."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from core.people import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    """The user's full name, falling back to the username, as `<span lang="vi">…</span>` (names
    stay Vietnamese on English pages); "" for no user, so `|default:"—"` still works.

    Markup, so use it in text, not inside an attribute.
    """
    name = _person_name(user)
    return format_html('<span lang="vi">{}</span>', name) if name else ""

from __future__ import annotations

from django.conf import settings

from divisions.access import Action, get_access


def access(request):
    """Role, scope and allowed actions for the navigation of the base layout."""
    user = getattr(request, "user", None)
    a = get_access(user) if user is not None else None
    actions = a.actions if a else frozenset()
    return {
        # `make run` (DEBUG) serves generated demo data: every page says so.
        "cds_demo": settings.DEBUG,
        "cds_role": a.role if a else None,
        "cds_scope": a.scope if a else None,
        # The scope unit has ended: every page says the account only reads history.
        "cds_history": a.is_history if a else False,
        "cds_can": {act.value: act in actions for act in Action},
    }

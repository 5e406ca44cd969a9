from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from divisions.models import Division, Level


@login_required
def division_tree(request: HttpRequest) -> HttpResponse:
    """The user's part of the division tree down to commune level, in one query."""
    rows = list(
        Division.objects.for_user(request.user)
        .filter(level__lte=Level.COMMUNE)
        .only("code", "name", "kind", "level", "path", "parent_id", "valid_to")
    )
    children: dict[int | None, list[Division]] = {}
    for d in rows:
        children.setdefault(d.parent_id, []).append(d)
    ids = {d.pk for d in rows}
    roots = [d for d in rows if d.parent_id not in ids]
    for d in rows:
        d.child_list = children.get(d.pk, [])
    return render(request, "divisions/tree.html", {"roots": roots, "count": len(rows)})

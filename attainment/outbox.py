"""The recompute outbox drain: rows `reports` writes with approvals, recomputed here."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from attainment.engine import attainment_recompute_requests
from reports.models import RecomputeRequest


def outbox_drain(*, limit: int = 500) -> int:
    """Claim pending rows (skipping ones another worker holds), recompute, mark processed."""
    with transaction.atomic():
        qs = RecomputeRequest.objects.filter(processed_at__isnull=True).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        pending = list(qs[:limit])
        if not pending:
            return 0
        attainment_recompute_requests(pending)
        RecomputeRequest.objects.filter(pk__in=[r.pk for r in pending]).update(
            processed_at=timezone.now()
        )
    return len(pending)

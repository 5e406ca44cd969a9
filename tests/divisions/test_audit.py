from __future__ import annotations

import pytest
from django.urls import reverse

from divisions.models import AuditEvent
from tests.divisions.factories import PASSWORD


@pytest.mark.django_db
def test_login_and_failed_login_are_recorded_with_ip(client, officer_a):
    client.post(reverse("login"), {"username": "officer_a", "password": "sai"})
    client.post(reverse("login"), {"username": "officer_a", "password": PASSWORD})
    kinds = list(AuditEvent.objects.order_by("at", "pk").values_list("kind", "username"))
    assert kinds == [("login_failed", "officer_a"), ("login", "officer_a")]
    assert AuditEvent.objects.filter(ip_address="127.0.0.1").count() == 2


@pytest.mark.django_db
def test_denied_access_is_recorded(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/admin/")  # not staff: redirected, not denied
    assert response.status_code == 302
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from camau_cds.views import error_403

    request = RequestFactory().get("/reports/966/2025-01/")
    request.user = officer_a
    assert error_403(request, PermissionDenied()).status_code == 403
    event = AuditEvent.objects.get(kind="denied")
    assert event.username == "officer_a" and event.path == "/reports/966/2025-01/"

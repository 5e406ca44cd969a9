from __future__ import annotations

import pytest
from django.urls import reverse

from tests.divisions.factories import PASSWORD


@pytest.mark.django_db
def test_officer_logs_in_and_home_shows_role_and_scope(client, officer_a):
    response = client.post(
        reverse("login"), {"username": "officer_a", "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert "Cán bộ cấp huyện" in html and "Huyện Thới Bình" in html


@pytest.mark.django_db
def test_wrong_password_gives_a_vietnamese_error(client, officer_a):
    response = client.post(reverse("login"), {"username": "officer_a", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(client, officer_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer_a", "password": "sai"})
    response = client.post(reverse("login"), {"username": "officer_a", "password": PASSWORD})
    assert response.status_code == 429

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_districts_page_says_district_targets_ended_after_the_reorganisation(client, steering_user):
    client.force_login(steering_user)
    after = client.get(reverse("dashboards:districts"), {"period": "2025-08"}).content.decode()
    before = client.get(reverse("dashboards:districts"), {"period": "2025-05"}).content.decode()
    assert 'id="districts-abolished"' in after and "kết thúc cùng cơ cấu đó" in after
    assert 'id="districts-abolished"' not in before

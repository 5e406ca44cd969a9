"""The team activity form reads its counts by the one number rule (Vietnamese convention)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from teams.models import Activity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("typed", "stored"), [("1.000", 1000), ("1 500", 1500), ("12", 12)])
def test_activity_counts_are_read_the_vietnamese_way(client, team_leader, team_a, typed, stored):
    client.force_login(team_leader)
    response = client.post(
        reverse("teams:activity_add", kwargs={"pk": team_a.pk}),
        {"date": "2023-06-02", "kind": "epayment", "people": typed},
    )
    assert response.status_code == 302
    assert Activity.objects.get().people == stored


@pytest.mark.parametrize(("typed", "words"), [("1,5", "số nguyên"), ("1e3", "không phải là số")])
def test_activity_count_that_is_not_a_whole_number_is_refused(
    client, team_leader, team_a, typed, words
):
    client.force_login(team_leader)
    response = client.post(
        reverse("teams:activity_add", kwargs={"pk": team_a.pk}),
        {"date": "2023-06-02", "kind": "epayment", "people": typed},
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["people"])
    assert not Activity.objects.exists()


def test_activity_form_says_how_counts_are_typed(client, team_leader, team_a):
    client.force_login(team_leader)
    page = client.get(reverse("teams:activity_add", kwargs={"pk": team_a.pk})).content.decode()
    assert 'name="people"' in page and 'type="number"' not in page

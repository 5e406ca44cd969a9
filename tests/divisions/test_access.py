from __future__ import annotations

import pytest
from django.urls import reverse

from divisions import access
from divisions.models import Division, Level


@pytest.mark.django_db
def test_district_officer_sees_only_their_district_and_its_communes(officer_a):
    visible = Division.objects.for_user(officer_a)
    codes = set(visible.values_list("code", flat=True))
    assert "967" in codes and "32068" in codes
    assert "966" not in codes and "96" not in codes
    expected_communes = Division.objects.filter(parent__code="967").count()
    assert visible.filter(level=Level.COMMUNE).count() == expected_communes == 12


@pytest.mark.django_db
def test_steering_sees_the_whole_province(steering_user):
    assert Division.objects.for_user(steering_user).count() == 110


@pytest.mark.django_db
def test_user_without_role_or_scope_sees_nothing(no_role_user):
    assert Division.objects.for_user(no_role_user).count() == 0
    assert not access.can_view(no_role_user, Division.objects.get(code="96"))


@pytest.mark.django_db
def test_role_with_scope_at_wrong_level_is_denied(camau):
    from tests.divisions.factories import make_user

    # A district officer whose scope was set to a commune by mistake gets nothing.
    user = make_user("district_officer", "32068", username="misconfigured")
    assert access.get_access(user).scope is None
    assert Division.objects.for_user(user).count() == 0


@pytest.mark.django_db
def test_officer_can_change_own_district_not_other(officer_a, camau):
    assert access.can_change(officer_a, camau["32068"])
    assert access.can_change(officer_a, camau["967"])
    assert not access.can_change(officer_a, camau["32047"])
    assert not access.can_change(officer_a, camau["96"])
    assert not access.can_approve(officer_a)


@pytest.mark.django_db
def test_viewer_reads_but_never_changes(viewer, camau):
    assert access.can_view(viewer, camau["32068"])
    assert not access.can_change(viewer, camau["32068"])
    assert not access.can(viewer, access.Action.MANAGE_TEAMS, camau["32068"])


@pytest.mark.django_db
def test_commune_officer_manages_teams_but_not_figures(commune_officer, camau):
    assert access.can(commune_officer, access.Action.MANAGE_TEAMS, camau["32068"])
    assert not access.can_change(commune_officer, camau["32068"])
    assert not access.can(commune_officer, access.Action.MANAGE_TEAMS, camau["32047"])


@pytest.mark.django_db
def test_superuser_acts_as_steering(camau, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "r@x.invalid", "x")
    assert access.can_approve(admin)
    assert access.can_change(admin, camau["32047"])


@pytest.mark.django_db
def test_tree_page_lists_only_the_officers_units(client, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("divisions:tree"))
    html = response.content.decode()
    assert 'data-code="967"' in html and 'data-code="32068"' in html
    assert 'data-code="966"' not in html and 'data-code="32047"' not in html


@pytest.mark.django_db
def test_tree_page_query_count_is_constant(client, steering_user, django_assert_max_num_queries):
    client.force_login(steering_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("divisions:tree"))
    assert response.status_code == 200
    assert response.content.decode().count("<li data-code=") == 110

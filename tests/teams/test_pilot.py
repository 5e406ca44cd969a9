from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from teams import services
from teams.selectors import pilot_plan
from tests.teams.fixtures import make_hamlet

pytestmark = pytest.mark.django_db

DISTRICTS = ["964", "966", "967", "968", "969", "970", "971", "972", "973"]


def _first_commune(camau, district_code):
    return min(
        (d for d in camau.values() if d.parent_id == camau[district_code].pk), key=lambda d: d.code
    )


def test_pilot_page_shows_compliance_from_data_entered_through_services(
    client, steering_user, officer_a, officer_b, commune_officer, team_leader, camau
):
    services.pilot_commune_set(
        user=officer_a,
        commune=camau["32068"],
        chosen_on=dt.date(2023, 2, 20),
        decision_reference="Công văn 120/UBND",
    )
    # U Minh chose too late: after the 30/06/2023 deadline.
    services.pilot_commune_set(
        user=officer_b, commune=camau["32047"], chosen_on=dt.date(2023, 7, 3)
    )
    team = services.team_create(
        user=commune_officer,
        division=make_hamlet(camau["32068"], 1),
        name="Tổ Ấp 1",
        decision_number="3/QĐ-UBND",
        decision_date=dt.date(2023, 3, 1),
        is_pilot=True,
    )
    for i, role in enumerate(["leader", "deputy", "member", "member"]):
        services.member_add(
            user=commune_officer,
            team=team,
            full_name=f"Người {i}",
            role=role,
            body="other",
            joined_on=dt.date(2023, 3, 1),
            phone=f"090000000{i}",
        )
    services.activity_log(
        user=commune_officer, team=team, date=dt.date(2023, 6, 30), kind="propaganda", people=9
    )
    services.activity_log(
        user=commune_officer, team=team, date=dt.date(2023, 7, 1), kind="propaganda", people=9
    )

    client.force_login(steering_user)
    response = client.get(reverse("teams:pilot"))
    plan = response.context["plan"]
    assert [r.district.code for r in plan.rows] == DISTRICTS
    rows = {r.district.code: r for r in plan.rows}
    thoi_binh = rows["967"]
    assert thoi_binh.compliant
    assert [p.commune.code for p in thoi_binh.pilots] == ["32068"]
    assert (thoi_binh.teams, thoi_binh.members, thoi_binh.activities) == (1, 4, 1)
    assert not rows["966"].compliant
    assert not plan.compliant
    assert plan.compliant_count == 1
    html = response.content.decode()
    assert "Công văn 120/UBND" in html
    assert "Toàn tỉnh: chưa đạt." in html


def test_province_complies_when_every_district_chose_in_time(client, steering_user, camau):
    for code in DISTRICTS:
        services.pilot_commune_set(
            user=steering_user, commune=_first_commune(camau, code), chosen_on=dt.date(2023, 3, 1)
        )
    plan = pilot_plan()
    assert plan.compliant and plan.compliant_count == 9
    client.force_login(steering_user)
    assert "Toàn tỉnh: đạt" in client.get(reverse("teams:pilot")).content.decode()


def test_district_officer_chooses_pilot_commune_through_the_form(client, officer_a, camau):
    client.force_login(officer_a)
    response = client.post(
        reverse("teams:pilot_set"),
        {"commune": camau["32068"].pk, "chosen_on": "15/02/2023", "decision_reference": "QĐ 5"},
    )
    assert response.status_code == 302
    assert pilot_plan().rows[2].compliant


def test_district_officer_cannot_choose_commune_of_other_district(client, officer_a, camau):
    client.force_login(officer_a)
    response = client.post(
        reverse("teams:pilot_set"), {"commune": camau["32047"].pk, "chosen_on": "2023-02-15"}
    )
    assert response.status_code == 200
    assert "commune" in response.context["form"].errors
    assert not any(r.pilots for r in pilot_plan().rows)

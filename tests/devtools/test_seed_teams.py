from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from divisions.models import Division
from teams.models import DEMO_LABEL, Activity, Member, PilotCommune, Team, validate_vn_phone
from tests.divisions.factories import make_user

pytestmark = pytest.mark.django_db


def test_seed_refuses_without_debug(camau, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_teams")
    assert not Team.objects.exists()


def test_seed_is_shaped_like_the_pilot_labelled_and_idempotent(camau, settings):
    settings.DEBUG = True
    totruong = make_user("team_leader", "32068", username="totruong", first_name="Võ Văn Tổ")
    call_command("seed_teams", "--no-figures")

    assert PilotCommune.objects.count() == 48
    assert PilotCommune.objects.values("district").distinct().count() == 9
    assert Team.objects.count() == 364
    assert 1650 <= Member.objects.count() <= 1800
    assert not Team.objects.exclude(note=DEMO_LABEL).exists()
    assert not Member.objects.exclude(note=DEMO_LABEL).exists()
    assert Activity.objects.exclude(notes=DEMO_LABEL).count() == 0
    hamlets = Division.objects.filter(teams__isnull=False, level=4)
    assert hamlets.count() == 364
    assert all(h.code.startswith(h.parent.code + "-") for h in hamlets.select_related("parent"))
    for phone in Member.objects.values_list("phone", flat=True)[:50]:
        assert phone.startswith("09000")
        validate_vn_phone(phone)
    led = list(Team.objects.led_by(totruong))
    assert len(led) == 1 and led[0].commune.code == "32068"

    counts = (Team.objects.count(), Member.objects.count(), Activity.objects.count())
    call_command("seed_teams", "--no-figures")
    assert (Team.objects.count(), Member.objects.count(), Activity.objects.count()) == counts
    assert len(Team.objects.led_by(totruong)) == 1


def test_seed_on_todays_structure_places_every_team_under_a_unit_in_force(reorganised, settings):
    """`make run` loads the 2025 structure: the demo registry is consistent under the new
    units, and `totruong` (scoped to the new Xã Biển Bạch) leads a team there."""
    from django.test import Client
    from django.urls import reverse

    from divisions.models import REORG_DATE

    settings.DEBUG = True
    new_bien_bach = reorganised.new["32069"]
    totruong = make_user(
        "team_leader", "32069", on=REORG_DATE, username="totruong", first_name="Võ Văn Tổ"
    )
    officer = make_user("commune_officer", "32069", on=REORG_DATE, username="xa_32069")
    call_command("seed_teams", "--no-figures")

    assert Team.objects.count() == 364
    assert not Team.objects.filter(commune__valid_to__isnull=False).exists()
    assert not Team.objects.filter(former_commune__isnull=True).exists()
    (led,) = Team.objects.led_by(totruong)
    assert led.commune == new_bien_bach and led.former_commune.code == "32068"
    assert led.name == "Tổ CNSCĐ Ấp 1, Xã Biển Bạch"
    client = Client()
    client.force_login(officer)
    registry = client.get(reverse("teams:list"))
    assert registry.context["totals"]["teams"] == Team.objects.filter(commune=new_bien_bach).count()
    assert led.pk in {t.pk for t in registry.context["page"]}
    leader = Client()
    leader.force_login(totruong)
    added = leader.post(
        reverse("teams:activity_add", args=[led.pk]),
        {"date": "2026-11-02", "kind": "public_services", "households": "2"},
    )
    assert added.status_code == 302

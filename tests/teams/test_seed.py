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

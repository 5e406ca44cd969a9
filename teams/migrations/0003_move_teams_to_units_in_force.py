"""Teams of communes that ended on 30/06/2025 move to the unit that continues them, keeping the
old commune in `former_commune` and a history row each (teams.services)."""

import datetime as dt

from django.db import migrations


def move(apps, schema_editor):
    # Checked on the migration's own model first: a fresh database has no teams, so the real
    # models (which the service uses) are touched only where there is something to move.
    team = apps.get_model("teams", "Team")
    if not team.objects.filter(commune__valid_to__lt=dt.date.today()).exists():
        return
    from teams.services import teams_move_to_units_in_force

    teams_move_to_units_in_force()


class Migration(migrations.Migration):
    dependencies = [
        ("divisions", "0007_succession_share_basis_source_history"),
        ("teams", "0002_team_former_commune"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]

"""Rewrite every team figure (monthly totals per commune, pilot communes per district).

Activity changes already sync their own commune and month after commit; this full pass repairs
anything a failed sync left behind and is safe to run any time (unchanged figures stay as they
are, with no new version). It first moves teams whose commune has ended to the unit in force
(as the `teams` migration does), for structures loaded after the teams.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from teams.figures import pilot_figures_sync, team_figures_sync
from teams.services import teams_move_to_units_in_force


class Command(BaseCommand):
    help = "Write the monthly team figures of every commune and the pilot figures of districts."

    def handle(self, *args, **options):
        moved = teams_move_to_units_in_force()
        if moved:
            self.stdout.write(f"{moved} teams moved to the units in force")
        teams = team_figures_sync()
        pilots = pilot_figures_sync()
        self.stdout.write(f"team figures: {teams} rows; pilot figures: {pilots} rows")

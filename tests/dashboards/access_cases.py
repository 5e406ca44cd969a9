"""Access cases for the dashboards (/dashboard/).

Every user with a role and a scope reads the province overview and the comparison (officers
see their own district's row); drill-down and indicator pages answer 404 for units outside
the user's scope; users without a role get 403; the open-data pages need no login.
"""

from __future__ import annotations

from tests.access_matrix import Case, everyone, signed_in

SCOPED = signed_in(200, no_role=403)
# District A (967): its officer, the steering committee and the province-wide viewer see it.
IN_A = signed_in(200, officer_b=404, commune=404, team_leader=404, no_role=403)

CASES: list[Case] = [
    Case("dashboards:province", SCOPED),
    Case("dashboards:districts", SCOPED),
    Case("dashboards:division", IN_A, kwargs=lambda w: {"code": "967"}),
    Case(
        "dashboards:indicator",
        IN_A,
        kwargs=lambda w: {"code": w["target_indicator"].code},
        query="?division=967",
        world=("target_indicator",),
    ),
    Case("dashboards:open_data", everyone(200)),
    Case("dashboards:open_data_csv", everyone(200)),
]

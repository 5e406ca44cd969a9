from __future__ import annotations

from tests.access_matrix import LOGIN_REDIRECT, Case, everyone, signed_in

# The catalogue is open information: everyone reads it, signed in or not. Only steering staff
# (Action.MANAGE_CATALOGUE) import targets.
STEERING_ONLY = signed_in(403, anonymous=LOGIN_REDIRECT, steering=200)

CASES: list[Case] = [
    Case("targets:catalogue", everyone(200), world=("target_indicator",)),
    Case("targets:methodology", everyone(200), world=("target_indicator",)),
    Case(
        "targets:indicator",
        everyone(200),
        kwargs=lambda w: {"code": w["target_indicator"].code},
        world=("target_indicator",),
    ),
    Case("targets:import", STEERING_ONLY),
    Case("targets:import_template", STEERING_ONLY, world=("target_indicator",)),
]

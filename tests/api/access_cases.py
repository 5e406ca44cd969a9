from __future__ import annotations

from tests.access_matrix import Case, everyone, signed_in

CASES = [
    Case("api:indicators", everyone(200)),
    Case(
        "api:indicator",
        everyone(200),
        kwargs=lambda w: {"code": w["api_indicator"].code},
        world=("api_indicator",),
    ),
    Case("api:targets", everyone(200)),
    # Open data for anonymous clients, scoped data for signed-in users.
    Case("api:values", everyone(200)),
    Case("api:attainment", everyone(200)),
    Case("api:reports", signed_in(200, anonymous=401)),
]

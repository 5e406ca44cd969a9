from __future__ import annotations

from tests.access_matrix import Case, Write, everyone, signed_in

CASES = [
    Case("api:root", everyone(200)),
    Case("api:indicators", everyone(200)),
    Case(
        "api:indicator",
        everyone(200),
        kwargs=lambda w: {"code": w["api_indicator"].code},
        world=("api_indicator",),
    ),
    Case("api:targets", everyone(200)),
    Case("api:programmes", everyone(200)),
    # Open data for anonymous clients, scoped data for signed-in users.
    Case("api:values", everyone(200)),
    Case("api:attainment", everyone(200)),
    Case("api:reports", signed_in(200, anonymous=401)),
    Case("api:teams", signed_in(200, anonymous=401)),
    Case("api:activities", signed_in(200, anonymous=401)),
]


# --- writes: figures through the API (session-authenticated here; tokens in tests/api) --------
def _figure_row(w, **extra):
    return [
        {
            "indicator": "people_guided",
            "division": "32068",
            "period": f"{w['figure_a'].period:%Y-%m}",
            "value": 20,
            **extra,
        }
    ]


API_WRITE = signed_in(
    200, anonymous=401, officer_b=403, commune=403, team_leader=403, viewer=403, no_role=403
)
WRITE_CASES = [
    Write(
        "api:values",
        "POST a figure",
        API_WRITE,
        ("steering", "officer_a"),
        data=_figure_row,
        json=True,
        world=("report_a", "figure_a"),
    ),
    Write(
        "api:values",
        "PATCH a figure at its version",
        API_WRITE,
        ("steering", "officer_a"),
        method="patch",
        data=lambda w: _figure_row(w, version=w["figure_a"].version),
        json=True,
        world=("report_a", "figure_a"),
    ),
]

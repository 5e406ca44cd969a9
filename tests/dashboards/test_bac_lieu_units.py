"""Old Bạc Liêu's units after the merger: a figure for a month they no longer exist in is
refused with a message that names the unit in force continuing them and links to its page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import DataValue
from reports.services import FigureErrors, FigureInput, data_values_upsert
from tests.divisions.factories import make_user

pytestmark = pytest.mark.django_db

AUG_2025 = dt.date(2025, 8, 1)


@pytest.fixture
def steering_user(reorganised):
    return make_user("steering", "96", username="bcd")


def refusal(user, *rows: FigureInput) -> list[str]:
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(user=user, rows=list(rows))
    assert not DataValue.objects.exists()
    return [e.message for e in exc.value.row_errors]


@pytest.mark.parametrize(
    ("code", "indicator", "successors"),
    [
        # Phường 2 of the old Bạc Liêu city went whole into the new Phường Bạc Liêu.
        ("31813", "people_guided", [("Phường Bạc Liêu", "31825")]),
        # The old province's own figures continue in the merged province.
        ("95", "digital_economy_grdp", [("Tỉnh Cà Mau", "96")]),
    ],
)
def test_a_bac_lieu_unit_after_june_2025_names_and_links_its_successor(
    steering_user, catalogue, code, indicator, successors
):
    (message,) = refusal(steering_user, FigureInput(indicator, code, AUG_2025, value=5))
    assert "hết hiệu lực" in message and "30/06/2025" in message
    for name, successor in successors:
        assert f"{name} ({successor}): /reports/{successor}/2025-08/" in message


def test_an_old_district_names_the_units_its_communes_went_to(
    steering_user, catalogue, reorganised
):
    from divisions.models import DivisionSuccession

    district = reorganised.old["956"]  # Huyện Hồng Dân (Bạc Liêu)
    expected = set(
        DivisionSuccession.objects.filter(predecessor__parent=district).values_list(
            "successor__code", flat=True
        )
    )
    assert expected
    # pilot_communes is reported by districts.
    (message,) = refusal(steering_user, FigureInput("pilot_communes", "956", AUG_2025, value=1))
    assert "Huyện Hồng Dân" in message
    for code in expected:
        assert f"({code}): /reports/{code}/2025-08/" in message


def test_naming_successors_costs_the_same_queries_for_many_rows(
    steering_user, catalogue, reorganised
):
    # Codes that no unit uses after 06/2025 (some old codes live on in a new unit).
    old_communes = sorted(
        d.code
        for d in reorganised.old.values()
        if d.level == 3 and d.path.startswith("95/") and d.code not in reorganised.new
    )
    assert len(old_communes) > 20

    def queries(codes: list[str]) -> int:
        rows = [FigureInput("people_guided", c, AUG_2025, value=1) for c in codes]
        with CaptureQueriesContext(connection) as ctx:
            messages = refusal(steering_user, *rows)
        assert len(messages) == len(codes) and all("/reports/" in m for m in messages)
        return len(ctx.captured_queries)

    assert queries(old_communes[:2]) == queries(old_communes)

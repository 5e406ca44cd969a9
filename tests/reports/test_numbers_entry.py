"""The grid and the API read numbers by the one rule: what is stored is what the rule reads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.numbers import COMMA, parse
from reports.models import DataValue
from reports.services import to_decimal
from tests.reports.factories import amount_indicator
from tests.reports.test_entry_views import HTMX, cell, client_for, urls

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0,5", "0.5"), ("0.500", "0.5"), ("1.500", "1500"), ("12,5", "12.5"), ("1 234,5", "1234.5")],
)
def test_grid_stores_what_the_rule_reads(officer_a, report_a, typed, stored):
    amount_indicator()
    response = client_for(officer_a).post(
        urls(report_a, "967")["row"],
        {
            **cell("resolution_days", "967", value=typed, version="0"),
            **cell("work_records_online", "967", numerator="1.500", denominator="2.000"),
        },
        **HTMX,
    )
    assert response.status_code == 200 and "Đã lưu" in response.content.decode()
    values = {dv.indicator.code: dv for dv in DataValue.objects.select_related("indicator")}
    assert values["resolution_days"].value == Decimal(stored) == parse(typed, COMMA)
    assert (values["work_records_online"].numerator, values["work_records_online"].denominator) == (
        1500,
        2000,
    )


@pytest.mark.parametrize("typed", ["1.234.5", "1e3", "12 34", "1,234.5", "12,5,6", "1.23.456"])
def test_grid_refuses_what_the_rule_cannot_read_instead_of_guessing(officer_a, report_a, typed):
    response = client_for(officer_a).post(
        urls(report_a)["row"], cell("people_guided", value=typed, version="0"), **HTMX
    )
    body = response.content.decode()
    assert "invalid-feedback" in body and typed in body
    assert not DataValue.objects.exists()


def test_service_reads_like_the_rule():
    for typed in ("1.500", "0.500", "12,5", "−3", "１２,５", "2.345,6"):
        assert to_decimal(typed) == parse(typed, COMMA)
    with pytest.raises(ValueError):
        to_decimal("1e3")


def api_post(client, rows):
    return client.post("/api/v1/values/", rows, content_type="application/json")


def test_api_strings_follow_the_rule_and_refuse_ambiguity(officer_a, report_a, last_month):
    amount_indicator()
    client = client_for(officer_a)
    period = f"{last_month:%Y-%m}"
    row = {"indicator": "people_guided", "division": "32068", "period": period}
    response = api_post(client, [{**row, "value": "1.500"}])
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["errors"] == [{"field": "rows.0.value"}]
    message = body["detail"]
    assert "«1.500» có hai cách đọc: 1500" in message and "hoặc 1,5" in message
    assert not DataValue.objects.exists()

    assert api_post(client, [{**row, "value": "1.234.567"}]).status_code == 201
    assert DataValue.objects.get().value == 1234567
    comma = {"indicator": "resolution_days", "division": "967", "period": period}
    response = api_post(client, [{**comma, "value": "12,5"}, {**row, "value": 20000}])
    assert response.status_code == 201, response.content
    values = dict(DataValue.objects.values_list("indicator__code", "value"))
    assert values == {"people_guided": 20000, "resolution_days": Decimal("12.5")}

"""Two sessions saving the same figure at once: the second is refused (PostgreSQL, CI)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from reports.models import DataValue
from reports.services import FigureErrors, FigureInput, data_values_upsert
from tests.divisions.factories import make_user


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_second_of_two_simultaneous_saves_is_refused_with_first_value(
    officer_a, report_a, last_month
):
    colleague = make_user("district_officer", "967", username="dong_nghiep")
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", "32068", last_month, value=5)]
    )
    outcomes: dict[str, object] = {}
    start = threading.Barrier(3)

    def save(user, value):
        try:
            start.wait()
            data_values_upsert(
                user=user,
                rows=[
                    FigureInput(
                        "people_guided", "32068", last_month, value=value, expected_version=1
                    )
                ],
            )
            outcomes[user.username] = "saved"
        except FigureErrors as exc:
            outcomes[user.username] = exc.row_errors[0].message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(officer_a, 8)),
        threading.Thread(target=save, args=(colleague, 9)),
    ]
    # Hold the row lock so both saves are waiting at the same moment, then let them race.
    with transaction.atomic():
        DataValue.objects.select_for_update().get()
        for t in threads:
            t.start()
        start.wait()
        time.sleep(0.5)
    for t in threads:
        t.join(timeout=30)

    assert sorted(v == "saved" for v in outcomes.values()) == [False, True]
    winner = next(name for name, v in outcomes.items() if v == "saved")
    loser_message = next(v for v in outcomes.values() if v != "saved")
    dv = DataValue.objects.get()
    assert dv.version == 2 and dv.updated_by.username == winner
    assert f"đã được {winner} sửa lúc" in loser_message
    assert f"giá trị của họ là {int(dv.value)}" in loser_message

"""Figures and their history are written as tuples (UPDATE … FROM VALUES, multi-row INSERT,
COPY on PostgreSQL): what officers type must come back exactly, whatever the characters."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from reports.models import DataValue, DataValueChange
from reports.services import FigureInput, data_values_upsert

# Separators and escapes of the COPY formats, quotes, line breaks, Vietnamese text, and the
# spellings of NULL in COPY's text and CSV formats.
NOTES = [
    "số liệu của Tổ CNSCĐ, ấp 3",
    'ghi "tạm tính"',
    "dòng 1\ndòng 2",
    "gạch chéo \\ ngược",
    "\\.",
    "\\N",
    "cột\tcột",
    "NULL",
    "",
]


@pytest.mark.django_db
def test_notes_and_numbers_come_back_exactly_from_every_write_path(officer_a, report_a, last_month):
    for n, note in enumerate(NOTES, start=1):
        data_values_upsert(
            user=officer_a,
            rows=[FigureInput("people_guided", "32068", last_month, value=n, note=note)],
        )
    changes = list(DataValueChange.objects.order_by("pk"))
    assert [c.note for c in changes] == NOTES
    # The first change created the figure: its "before" is empty (NULL), not zero.
    assert (changes[0].old_value, changes[0].old_numerator) == (None, None)
    assert [(c.old_value, c.new_value, c.version) for c in changes[1:3]] == [
        (D(1), D(2), 2),
        (D(2), D(3), 3),
    ]
    figure = DataValue.objects.get()
    # Updates keep the last non-empty note (an empty note does not erase the explanation).
    assert (figure.value, figure.version, figure.note) == (D(len(NOTES)), len(NOTES), NOTES[-2])
    assert figure.updated_by == officer_a and figure.created_at <= figure.updated_at

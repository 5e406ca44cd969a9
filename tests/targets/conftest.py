"""Helpers for the targets tests: real Excel and CSV files built with openpyxl / csv."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADER = [
    "indicator",
    "wording_vi",
    "deadline",
    "scope_level",
    "kind",
    "value",
    "comparator",
    "baseline_value",
    "baseline_period",
]


def xlsx_file(rows: list[list], name: str = "muc-tieu.xlsx", header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def csv_file(
    rows: list[list], name: str = "muc-tieu.csv", delimiter: str = ",", header=HEADER
) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


@pytest.fixture
def steering_client(client, steering_user):
    client.force_login(steering_user)
    return client

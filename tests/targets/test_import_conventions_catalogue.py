"""Catalogue (targets) files saved by LibreOffice in English and Vietnamese locales are read by
the same number rule as the figures: the file's convention is detected, ambiguity is refused."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets.imports import read_rows
from targets.models import Target
from targets.services import CatalogueErrors, targets_import
from tests.targets.conftest import csv_file
from tests.targets.factories import IndicatorFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parents[1] / "data" / "numbers"


@pytest.fixture
def indicators(db):
    IndicatorFactory(code="people_guided", count=True)
    IndicatorFactory(code="work_records_online")
    IndicatorFactory(code="resolution_days", amount=True)


def values() -> dict[str, Decimal]:
    return dict(Target.objects.values_list("indicator__code", "value"))


@pytest.mark.parametrize("name", ["targets-en.csv", "targets-vi.csv"])
def test_libreoffice_catalogue_files_of_either_locale_store_the_same_targets(
    steering_user, indicators, name
):
    upload = SimpleUploadedFile(name, (DATA / name).read_bytes())
    targets_import(rows=read_rows(upload), user=steering_user, dry_run=False)
    assert values() == {
        "people_guided": Decimal("20000"),
        "work_records_online": Decimal("90.5"),
        "resolution_days": Decimal("12.345"),
    }


ROW = ["people_guided", "Hướng dẫn người dân", "31/12/2025", 1, "absolute"]


def test_a_catalogue_number_two_conventions_read_differently_is_refused(steering_user, indicators):
    upload = csv_file([[*ROW, "1.500", "gte"]])
    with pytest.raises(CatalogueErrors) as caught:
        targets_import(rows=read_rows(upload), user=steering_user, dry_run=False)
    message = " ".join(str(e) for e in caught.value.entries)
    assert "Dòng 2" in message and "«1.500» có hai cách đọc: 1500" in message
    assert "hoặc 1,5 nếu dấu chấm" in message
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1.500", "2,5"], Decimal("1500")),  # "2,5" proves the decimal comma
        (["1.500", "2.5"], Decimal("1.5")),  # "2.5" proves the decimal dot
        (["1.500", "7"], None),  # nothing proves either: refused
    ],
)
def test_catalogue_and_figures_read_the_same_cell_the_same_way(
    steering_user, indicators, cells, expected
):
    first, second = cells
    rows = [
        [*ROW, first, "gte"],
        ["work_records_online", "Hồ sơ", "31/12/2025", 1, "absolute", second, "gte"],
    ]
    upload = csv_file(rows)
    if expected is None:
        with pytest.raises(CatalogueErrors):
            targets_import(rows=read_rows(upload), user=steering_user, dry_run=False)
        return
    targets_import(rows=read_rows(upload), user=steering_user, dry_run=False)
    assert values()["people_guided"] == expected


def test_excel_number_cells_are_never_ambiguous(steering_user, indicators):
    from tests.targets.conftest import xlsx_file

    upload = xlsx_file([[*ROW, 12.345, "gte"]])
    targets_import(rows=read_rows(upload), user=steering_user, dry_run=False)
    assert values() == {"people_guided": Decimal("12.345")}


def test_admin_catalogue_import_refuses_an_ambiguous_number_too(client, indicators):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "r@example.invalid", "x"))
    upload = csv_file(
        [[*ROW, "1.500", "gte", "", ""], [*ROW[:3], 2, "absolute", "12,5", "gte", "", ""]]
    )
    response = client.post(
        "/admin/targets/target/import/", {"resource": "0", "format": "1", "import_file": upload}
    )
    errors = [
        (row.number, field, str(m))
        for row in response.context["result"].invalid_rows
        for field, messages in row.error_dict.items()
        for m in messages
    ]
    assert [(n, f) for n, f, _m in errors] == [(1, "value")]
    assert "«1.500» có hai cách đọc" in errors[0][2]
    assert not Target.objects.exists()

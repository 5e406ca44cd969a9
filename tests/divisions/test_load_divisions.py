from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from divisions.models import Division, Level
from divisions.services import DivisionRow, divisions_upsert


@pytest.mark.django_db
def test_load_divisions_loads_province_9_districts_100_communes():
    # Since the 2025 reorganisation the command also loads Bạc Liêu (history) and the 2025 structure: the
    # counts are those of Cà Mau on 30/06/2025.
    import datetime as dt

    call_command("load_divisions")
    old = Division.objects.valid_on(dt.date(2025, 6, 30)).filter(path__startswith="96/")
    assert old.filter(level=Level.PROVINCE).count() == 1
    assert old.filter(level=Level.DISTRICT).count() == 9
    assert old.filter(level=Level.COMMUNE).count() == 100
    city = Division.objects.get(code="964")
    assert city.name == "Thành phố Cà Mau" and city.kind == "city"
    assert city.path == "96/964/"
    bien_bach = Division.objects.by_code("32068", on=dt.date(2025, 6, 30))
    assert bien_bach.name == "Xã Biển Bạch"
    assert bien_bach.parent.code == "967"


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    call_command("load_divisions")
    before = list(Division.objects.values_list("pk", "code", "name", "path"))
    history_before = Division.history.count()
    call_command("load_divisions")
    assert list(Division.objects.values_list("pk", "code", "name", "path")) == before
    assert Division.history.count() == history_before


@pytest.mark.django_db
def test_renaming_in_the_file_updates_and_records_history(camau):
    divisions_upsert(rows=[DivisionRow("32068", "Xã Biển Bạch (mới)", "commune", "967")])
    unit = Division.objects.get(code="32068")
    assert unit.name == "Xã Biển Bạch (mới)"
    assert unit.history.first().name == "Xã Biển Bạch (mới)"


@pytest.mark.django_db
def test_unknown_parent_code_is_refused_and_nothing_saved(camau):
    rows = [
        DivisionRow("3206801", "Ấp 1", "hamlet", "32068"),
        DivisionRow("9999901", "Ấp lạ", "hamlet", "99999"),
    ]
    with pytest.raises(ValidationError) as exc:
        divisions_upsert(rows=rows)
    assert "không tìm thấy đơn vị cấp trên có mã 99999" in " ".join(exc.value.messages)
    assert not Division.objects.filter(code="3206801").exists()


@pytest.mark.django_db
def test_child_of_wrong_level_is_refused(camau):
    with pytest.raises(ValidationError) as exc:
        divisions_upsert(rows=[DivisionRow("9670001", "Ấp sai cấp", "hamlet", "967")])
    assert "sai cấp hành chính" in " ".join(exc.value.messages)


@pytest.mark.django_db
def test_duplicate_code_in_one_file_is_refused(camau):
    rows = [
        DivisionRow("3206801", "Ấp 1", "hamlet", "32068"),
        DivisionRow("3206801", "Ấp 1 bis", "hamlet", "32068"),
    ]
    with pytest.raises(ValidationError) as exc:
        divisions_upsert(rows=rows)
    assert "bị trùng" in " ".join(exc.value.messages)
    assert not Division.objects.filter(code="3206801").exists()


@pytest.mark.django_db
def test_parent_cycle_is_refused():
    rows = [
        DivisionRow("A1", "Ấp A", "hamlet", "A2"),
        DivisionRow("A2", "Ấp B", "hamlet", "A1"),
    ]
    with pytest.raises(ValidationError):
        divisions_upsert(rows=rows)
    assert Division.objects.count() == 0


@pytest.mark.django_db
def test_model_clean_refuses_moving_a_unit_below_itself(camau):
    district = camau["967"]
    commune = camau["32068"]
    district.kind = "district"
    district.parent = commune
    with pytest.raises(ValidationError):
        district.full_clean()


@pytest.mark.django_db
def test_two_units_with_one_code_violate_the_database(camau):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Division.objects.create(code="32068", name="copy", kind="commune", parent=camau["967"])


@pytest.mark.django_db
def test_moving_a_district_reroots_its_subtree(camau):
    # A path change must propagate to descendants in one statement.
    district = camau["967"]
    district.code = "967X"
    district.save()
    assert Division.objects.get(code="32068").path == "96/967X/32068/"


@pytest.mark.django_db
def test_valid_on_filters_by_dates(camau):
    import datetime as dt

    unit = camau["32068"]
    unit.valid_to = dt.date(2025, 6, 30)
    unit.save()
    assert Division.objects.valid_on(dt.date(2025, 6, 30)).filter(code="32068").exists()
    assert not Division.objects.valid_on(dt.date(2025, 7, 1)).filter(code="32068").exists()

"""The 2025 reorganisation: loading both structures, successions, codes reused by period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum

from divisions.models import REORG_DATE, Division, DivisionSuccession, Level
from divisions.services import (
    DivisionRow,
    SuccessionLink,
    divisions_upsert,
    successions_upsert,
)

BEFORE = REORG_DATE - dt.timedelta(days=1)


@pytest.mark.django_db
def test_province_has_64_current_communes_and_every_old_commune_has_successors():
    call_command("load_divisions")
    province = Division.objects.get(code="96")  # one row: the province continues
    current = Division.objects.valid_on(dt.date(2026, 1, 1)).filter(level=Level.COMMUNE)
    assert current.count() == 64
    assert set(current.values_list("parent_id", flat=True)) == {province.pk}
    assert not Division.objects.valid_on(REORG_DATE).filter(level=Level.DISTRICT).exists()

    old_camau = Division.objects.valid_on(BEFORE).filter(
        level=Level.COMMUNE, path__startswith="96/"
    )
    old_baclieu = Division.objects.valid_on(BEFORE).filter(
        level=Level.COMMUNE, path__startswith="95/"
    )
    assert old_camau.count() == 100 and old_baclieu.count() == 64
    assert set(old_camau.values_list("valid_to", flat=True)) == {BEFORE}
    linked = set(DivisionSuccession.objects.values_list("predecessor_id", flat=True))
    assert set(old_camau.values_list("pk", flat=True)) <= linked
    assert set(old_baclieu.values_list("pk", flat=True)) <= linked
    # Every new unit has predecessors; every predecessor's shares sum to 1.
    assert set(DivisionSuccession.objects.values_list("successor_id", flat=True)) == set(
        current.values_list("pk", flat=True)
    )
    sums = DivisionSuccession.objects.values("predecessor").annotate(total=Sum("share"))
    assert {row["total"] for row in sums} == {D(1)}
    assert Division.objects.get(code="95").valid_to == BEFORE


@pytest.mark.django_db
def test_reused_codes_resolve_by_date_and_paths_stay_distinct():
    call_command("load_divisions")
    old = Division.objects.by_code("32002", on=BEFORE)
    new = Division.objects.by_code("32002", on=REORG_DATE)
    assert old.name == "Phường 2" and old.path == "96/964/32002/"
    assert new.name == "Phường An Xuyên" and new.path == "96/32002/"
    assert Division.objects.by_code("32002").pk == new.pk  # default: today
    assert Division.objects.by_code("964") is None  # districts ended
    assert set(new.successions_in.values_list("predecessor__code", flat=True)) == {
        "31999",
        "32002",
        "32005",
        "32022",
        "32023",
    }
    assert Division.objects.values("path").distinct().count() == Division.objects.count()


@pytest.mark.django_db
def test_split_unit_has_equal_assumed_shares_summing_to_one():
    call_command("load_divisions")
    old = Division.objects.by_code("32053", on=BEFORE)  # Xã Nguyễn Phích, split in three
    shares = dict(old.successions_out.values_list("successor__code", "share"))
    assert shares == {"32044": D("0.3333"), "32059": D("0.3333"), "32062": D("0.3334")}


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    call_command("load_divisions")
    before = list(Division.objects.values_list("pk", "code", "path", "valid_from", "valid_to"))
    links = list(DivisionSuccession.objects.values_list("pk", "share"))
    history = Division.history.count()
    call_command("load_divisions")
    assert list(Division.objects.values_list("pk", "code", "path", "valid_from", "valid_to")) == (
        before
    )
    assert list(DivisionSuccession.objects.values_list("pk", "share")) == links
    assert Division.history.count() == history


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


@pytest.mark.django_db
def test_mapping_row_naming_an_unknown_unit_is_refused(reorganised):
    count = DivisionSuccession.objects.count()
    with pytest.raises(ValidationError) as exc:
        successions_upsert(
            links=[SuccessionLink("99999", "32002"), SuccessionLink("32002", "88888")],
            effective_on=REORG_DATE,
        )
    text = _messages(exc)
    assert "không có đơn vị cũ mã 99999 còn hiệu lực ngày 30/06/2025" in text
    assert "không có đơn vị mới mã 88888 có hiệu lực từ ngày 01/07/2025" in text
    assert DivisionSuccession.objects.count() == count


@pytest.mark.django_db
def test_unit_with_two_successors_without_shares_is_refused(reorganised):
    DivisionSuccession.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        successions_upsert(
            links=[SuccessionLink("32053", "32044"), SuccessionLink("32053", "32059")],
            effective_on=REORG_DATE,
        )
    assert "chuyển sang 2 đơn vị mới nhưng thiếu tỷ lệ" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        successions_upsert(
            links=[
                SuccessionLink("32053", "32044", D("0.5")),
                SuccessionLink("32053", "32059", D("0.4")),
            ],
            effective_on=REORG_DATE,
        )
    assert "tổng tỷ lệ" in _messages(exc)
    assert not DivisionSuccession.objects.exists()


@pytest.mark.django_db
def test_one_code_with_overlapping_validity_is_refused(reorganised):
    with pytest.raises(ValidationError) as exc:
        divisions_upsert(
            rows=[DivisionRow("32002", "Phường trùng", "ward", "96", dt.date(2025, 8, 1))]
        )
    assert "thời kỳ hiệu lực chồng nhau" in _messages(exc)
    unit = Division(
        code="32002",
        name="Phường trùng",
        kind="ward",
        parent=reorganised.province,
        valid_from=dt.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        unit.full_clean()
    assert "cùng thời kỳ hiệu lực" in _messages(exc)


@pytest.mark.django_db
def test_commune_directly_under_the_province_only_from_july_2025(camau):
    with pytest.raises(ValidationError) as exc:
        divisions_upsert(rows=[DivisionRow("39999", "Xã Mới", "commune", "96")])
    assert "sai cấp hành chính" in _messages(exc)
    divisions_upsert(rows=[DivisionRow("39999", "Xã Mới", "commune", "96", REORG_DATE)])
    unit = Division.objects.get(code="39999")
    assert unit.path == "96/39999/" and unit.level == Level.COMMUNE
    unit.full_clean()
    early = Division(code="39998", name="Xã Sớm", kind="commune", parent=camau["96"])
    with pytest.raises(ValidationError):
        early.full_clean()


@pytest.mark.django_db
def test_api_lists_validity_predecessors_and_successors(reorganised, client):
    response = client.get("/api/v1/divisions/", {"valid_on": "2025-07-01", "level": 3})
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.json()["results"]}
    assert len(rows) == 64
    an_xuyen = rows["32002"]
    assert an_xuyen["valid_from"] == "2025-07-01" and an_xuyen["parent_code"] == "96"
    assert {p["code"] for p in an_xuyen["predecessors"]} == {
        "31999",
        "32002",
        "32005",
        "32022",
        "32023",
    }
    old = client.get("/api/v1/divisions/", {"valid_on": "2025-06-30", "parent": "966"}).json()
    old = old["results"]
    phich = next(r for r in old if r["code"] == "32053")
    assert phich["valid_to"] == "2025-06-30"
    assert [(s["code"], s["share"], s["share_basis"]) for s in phich["successors"]] == [
        ("32044", "0.3333", "equal"),
        ("32059", "0.3333", "equal"),
        ("32062", "0.3334", "equal"),
    ]
    assert all("1655/NQ-UBTVQH15" in s["source"] for s in phich["successors"])

"""Successions of the 2025 reorganisation as Resolution 1655/NQ-UBTVQH15 makes them: every
partial transfer, a share and its basis for each split, the clause as the source."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum

from divisions.models import REORG_DATE, Division, DivisionSuccession, Level, ShareBasis
from divisions.services import (
    REORG_2025_MAPPING,
    SuccessionLink,
    links_from_file,
    primary_successors,
    successions_upsert,
)

BEFORE = REORG_DATE - dt.timedelta(days=1)


def old_unit(district: str, name: str) -> Division:
    return Division.objects.valid_on(BEFORE).get(
        level=Level.COMMUNE, name=name, parent__name=district
    )


def successors(unit: Division) -> dict[str, tuple[D, str]]:
    return {
        s.successor.name: (s.share, s.share_basis)
        for s in unit.successions_out.select_related("successor")
    }


# Old unit → the new units the resolution gives (part of) it to.
PARTIAL_TRANSFERS = [
    ("Huyện Đầm Dơi", "Xã Tạ An Khương", {"Xã Tạ An Khương", "Xã Đầm Dơi"}),
    ("Huyện Ngọc Hiển", "Xã Viên An", {"Xã Đất Mũi", "Xã Đất Mới"}),
    ("Huyện Ngọc Hiển", "Xã Tân Ân", {"Xã Phan Ngọc Hiển", "Xã Đất Mũi"}),
    ("Huyện U Minh", "Xã Khánh Thuận", {"Xã U Minh", "Xã Nguyễn Phích"}),
    ("Huyện U Minh", "Xã Khánh Lâm", {"Xã U Minh", "Xã Khánh Lâm"}),
    ("Huyện U Minh", "Xã Nguyễn Phích", {"Xã Nguyễn Phích", "Xã Khánh Lâm", "Xã Khánh An"}),
    ("Huyện Cái Nước", "Xã Đông Hưng", {"Xã Tân Hưng", "Xã Cái Nước"}),
    ("Huyện Cái Nước", "Xã Đông Thới", {"Xã Tân Hưng", "Xã Cái Nước"}),
    ("Huyện Cái Nước", "Xã Hoà Mỹ", {"Xã Phú Mỹ", "Xã Tân Hưng", "Xã Hưng Mỹ"}),
    (
        "Huyện Trần Văn Thời",
        "Xã Lợi An",
        {"Xã Trần Văn Thời", "Xã Lương Thế Trân", "Phường Lý Văn Lâm"},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("district", "name", "expected"), PARTIAL_TRANSFERS)
def test_split_unit_reaches_every_successor_the_resolution_names(
    reorganised, district, name, expected
):
    shares = successors(old_unit(district, name))
    assert set(shares) == expected
    assert sum(share for share, _basis in shares.values()) == 1
    assert {basis for _share, basis in shares.values()} <= {
        ShareBasis.EQUAL,
        ShareBasis.POPULATION,
        ShareBasis.AREA,
    }


@pytest.mark.django_db
def test_hoa_my_goes_three_ways_by_the_area_of_each_part(reorganised):
    shares = successors(old_unit("Huyện Cái Nước", "Xã Hoà Mỹ"))
    assert shares == {
        "Xã Phú Mỹ": (D("0.0002"), ShareBasis.AREA),  # 0.007 km² of 38.602
        "Xã Tân Hưng": (D("0.0958"), ShareBasis.AREA),  # 3.70 km²
        "Xã Hưng Mỹ": (D("0.9040"), ShareBasis.AREA),  # the remaining 34.895 km²
    }


@pytest.mark.django_db
def test_part_without_residents_gets_no_population_share(reorganised):
    shares = successors(old_unit("Huyện Ngọc Hiển", "Xã Viên An"))
    assert shares == {
        "Xã Đất Mũi": (D("1.0000"), ShareBasis.POPULATION),
        "Xã Đất Mới": (D("0.0000"), ShareBasis.POPULATION),
    }


@pytest.mark.django_db
def test_every_old_unit_is_continued_and_every_new_unit_has_predecessors(reorganised):
    old = Division.objects.valid_on(BEFORE).filter(level=Level.COMMUNE)
    assert old.count() == 164  # old Cà Mau and old Bạc Liêu
    totals = old.annotate(
        links=Count("successions_out"),
        total=Sum("successions_out__share"),
        whole=Count("successions_out", filter=Q(successions_out__share_basis="whole")),
    )
    assert {(u.links >= 1, u.total) for u in totals} == {(True, D(1))}
    # A whole transfer is marked so; a split never is.
    assert all((u.whole == 1) == (u.links == 1) for u in totals)
    new = Division.objects.valid_on(REORG_DATE).filter(level=Level.COMMUNE)
    assert not new.annotate(n=Count("successions_in")).filter(n=0).exists()
    assert not DivisionSuccession.objects.exclude(source__startswith="Nghị quyết 1655/").exists()


@pytest.mark.django_db
def test_links_cite_the_clause_of_the_resolution_where_it_was_read(reorganised):
    dam_doi = Division.objects.by_code("32152", on=REORG_DATE)
    assert set(dam_doi.successions_in.values_list("source", flat=True)) == {
        "Nghị quyết 1655/NQ-UBTVQH15, khoản 6 Điều 1"
    }
    link = DivisionSuccession.objects.get(
        predecessor=old_unit("Huyện Đầm Dơi", "Xã Tạ An Khương"),
        successor__name="Xã Tạ An Khương",
    )
    assert link.source == "Nghị quyết 1655/NQ-UBTVQH15, khoản 3 Điều 1"


@pytest.mark.django_db
def test_primary_successor_is_the_largest_share_then_the_kept_name(reorganised):
    def primary(district: str, name: str) -> str:
        unit = old_unit(district, name)
        return Division.objects.get(pk=primary_successors([unit.pk])[unit.pk]).name

    assert primary("Huyện Cái Nước", "Xã Hoà Mỹ") == "Xã Hưng Mỹ"  # 90% of its area
    assert primary("Huyện Cái Nước", "Xã Đông Thới") == "Xã Cái Nước"  # 9,958 of 10,882
    assert primary("Huyện Ngọc Hiển", "Xã Viên An") == "Xã Đất Mũi"  # all its residents
    # Equal shares tie: the rounding remainder (0.3334) decides nothing, the kept name does.
    assert primary("Huyện Đầm Dơi", "Xã Tạ An Khương") == "Xã Tạ An Khương"
    assert primary("Huyện U Minh", "Xã Nguyễn Phích") == "Xã Nguyễn Phích"
    assert primary("Huyện U Minh", "Xã Khánh Lâm") == "Xã Khánh Lâm"


def _write_mapping(path, mutate) -> None:
    data = json.loads(REORG_2025_MAPPING.read_text(encoding="utf-8"))
    data["links"] = mutate(data["links"])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.django_db
def test_changed_file_updates_links_and_keeps_their_history(reorganised, tmp_path):
    unit = old_unit("Huyện Đầm Dơi", "Xã Tạ An Khương")

    def by_population(links):
        for link in links:
            if link["old"] == unit.code:
                big = link["new"] == "32155"
                link.update(share="0.7000" if big else "0.3000", share_basis="population")
        return links

    changed = tmp_path / "mapping.json"
    _write_mapping(changed, by_population)
    effective_on, links = links_from_file(changed)
    assert successions_upsert(links=links, effective_on=effective_on) == 0
    assert successors(unit) == {
        "Xã Tạ An Khương": (D("0.7000"), ShareBasis.POPULATION),
        "Xã Đầm Dơi": (D("0.3000"), ShareBasis.POPULATION),
    }
    link = unit.successions_out.get(successor__name="Xã Đầm Dơi")
    before, after = link.history.order_by("history_date")[:2]
    assert (before.share, before.share_basis) == (D("0.5000"), ShareBasis.EQUAL)
    assert (after.share, after.history_type) == (D("0.3000"), "~")

    # A link the file no longer lists is deleted, and the deletion is in the history.
    def without_dam_doi(links):
        links = [x for x in links if not (x["old"] == unit.code and x["new"] == "32152")]
        for x in links:
            if x["old"] == unit.code:
                x.update(share="1", share_basis="whole")
        return links

    _write_mapping(changed, without_dam_doi)
    successions_upsert(links=links_from_file(changed)[1], effective_on=effective_on)
    assert set(successors(unit)) == {"Xã Tạ An Khương"}
    assert link.history.latest("history_date").history_type == "-"

    successions_upsert(links=links_from_file()[1], effective_on=effective_on)
    assert set(successors(unit)) == {"Xã Tạ An Khương", "Xã Đầm Dơi"}


@pytest.mark.django_db
def test_shares_that_contradict_their_basis_are_refused(reorganised):
    count = DivisionSuccession.objects.count()
    code = old_unit("Huyện Đầm Dơi", "Xã Tạ An Khương").code

    def refused(*links: SuccessionLink) -> str:
        with pytest.raises(ValidationError) as exc:
            successions_upsert(links=list(links), effective_on=REORG_DATE)
        return " ".join(exc.value.messages)

    message = refused(
        SuccessionLink(code, "32155", D("0.7"), "equal"),
        SuccessionLink(code, "32152", D("0.3"), "equal"),
    )
    assert "tỷ lệ ghi là chia đều nhưng không bằng 1/2" in message
    message = refused(
        SuccessionLink(code, "32155", D("0.5"), "whole"),
        SuccessionLink(code, "32152", D("0.5"), "whole"),
    )
    assert "đơn vị bị chia tách ghi equal, population hoặc area" in message
    message = refused(
        SuccessionLink(code, "32155", D("0"), "population"),
        SuccessionLink(code, "32152", D("0"), "population"),
    )
    assert "ít nhất một tỷ lệ lớn hơn 0" in message
    assert DivisionSuccession.objects.count() == count

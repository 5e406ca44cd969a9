"""Programmes as data: each programme keeps its own targets (never merged with another's),
steering staff fill the province's 2026 plan by import, and yearly milestones are declared or
derived, the derived ones labelled as such and never stored."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from attainment.engine import attainment_recompute, targets_assessed_at
from attainment.models import Attainment
from reports.models import ReportStatus
from targets.milestones import expected_path, yearly_milestones
from targets.models import Programme, ProgrammeGoal, ScopeLevel, Target
from tests.reports.factories import DataValueFactory, ReportFactory, count_indicator
from tests.targets.conftest import csv_file
from tests.targets.test_catalogue import _copy_catalogue, _edit

DERIVED = "lộ trình dự kiến (tự tính, không phải chỉ tiêu)"
END_2030 = dt.date(2030, 12, 31)


def _text(response) -> str:
    html = response.content.decode()
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _plan_0280() -> Programme:
    return Programme.objects.get(code="0280-kh-ubnd")


# --------------------------------------------------------------------------- shipped programmes


@pytest.mark.django_db
def test_catalogue_ships_the_three_programmes_with_their_documents(catalogue):
    by_code = {p.code: p for p in Programme.objects.all()}
    assert set(by_code) == {"05-nq-tu", "2629-qd-ttg", "0280-kh-ubnd"}
    nq05, qd2629, kh0280 = by_code["05-nq-tu"], by_code["2629-qd-ttg"], by_code["0280-kh-ubnd"]
    assert (nq05.number, nq05.issuer, nq05.issued_on) == (
        "05-NQ/TU",
        "Tỉnh ủy Cà Mau",
        dt.date(2022, 7, 14),
    )
    assert (qd2629.number, qd2629.issuer, qd2629.issued_on) == (
        "2629/QĐ-TTg",
        "Thủ tướng Chính phủ",
        dt.date(2025, 12, 1),
    )
    assert (kh0280.number, kh0280.issued_on, kh0280.first_year) == (
        "0280/KH-UBND",
        dt.date(2025, 12, 31),
        2026,
    )
    assert not kh0280.targets.exists(), "the 2026 plan ships as an empty slot"
    # Every target and goal the resolution had before programmes were data is still its own.
    assert nq05.targets.count() == 15 and nq05.goals.count() == 4
    assert ProgrammeGoal.objects.exclude(programme=nq05).count() == 0


@pytest.mark.django_db
def test_decision_2629_targets_cite_the_decision_and_its_section(catalogue):
    targets = Target.objects.filter(programme__code="2629-qd-ttg").select_related("indicator")
    assert {(t.indicator.code, t.deadline.year, t.value) for t in targets} == {
        ("tthc_dvctt_level4", 2027, D(100)),
        ("business_info_once", 2027, D(100)),
        ("dvctt_satisfaction", 2027, D(95)),
        ("dvctt_satisfaction", 2030, D(99)),
    }
    for t in targets:
        assert t.source_document.startswith("Quyết định 2629/QĐ-TTg ngày 01/12/2025, Điều 1")
        assert "Cung cấp dịch vụ số bao trùm, thông minh" in t.source_document
        period = "2025-2027" if t.deadline.year == 2027 else "2028-2030"
        assert period in t.source_document
        assert f"{int(t.value)}%" in t.wording_vi
    # A new indicator declares how its months count, like every other.
    satisfaction = targets.filter(indicator__code="dvctt_satisfaction").first().indicator
    assert satisfaction.counting_window == "year_to_date"
    assert satisfaction.reporting_levels == [ScopeLevel.PROVINCE]


@pytest.mark.django_db
def test_the_shared_indicator_keeps_both_programmes_targets(catalogue):
    rows = Target.objects.filter(indicator__code="tthc_dvctt_level4").values_list(
        "programme__code", "deadline"
    )
    assert set(rows) == {
        ("05-nq-tu", dt.date(2025, 12, 31)),
        ("2629-qd-ttg", dt.date(2027, 12, 31)),
    }


@pytest.mark.django_db
def test_a_catalogue_target_naming_an_unknown_programme_is_refused(tmp_path):
    directory = _copy_catalogue(tmp_path)
    _edit(directory / "economy.yaml", "programme: 05-nq-tu\n", "programme: 05-nq-tv\n")
    with pytest.raises(CommandError) as err:
        call_command("load_catalogue", "--dir", str(directory))
    message = str(err.value)
    assert "economy.yaml › sme_cds_platforms › mục tiêu thứ 1" in message
    assert (
        "trường «programme (chương trình)»: Không có chương trình nào có mã «05-nq-tv»" in message
    )
    assert Programme.objects.count() == 0 and Target.objects.count() == 0


@pytest.mark.django_db
def test_in_force_selects_the_programmes_whose_period_contains_the_day(catalogue):
    def codes(day):
        return set(Programme.objects.in_force(on=day).values_list("code", flat=True))

    assert codes(dt.date(2024, 6, 1)) == {"05-nq-tu"}
    assert codes(dt.date(2025, 12, 15)) == {"05-nq-tu", "2629-qd-ttg"}
    assert codes(dt.date(2026, 11, 29)) == {"05-nq-tu", "2629-qd-ttg", "0280-kh-ubnd"}
    assert codes(dt.date(2031, 1, 1)) == set()


# --------------------------------------------------------------------------- overlapping targets


@pytest.fixture
def overlap(catalogue):
    """The 2026 plan sets the GRDP share for 2030 at 25%, the resolution at 20%."""
    return Target.objects.create(
        programme=_plan_0280(),
        indicator=catalogue["digital_economy_grdp"],
        wording_vi="kinh tế số chiếm 25% GRDP",
        deadline=END_2030,
        value=D(25),
        comparator="gte",
    )


def test_overlapping_targets_are_shown_side_by_side_on_every_page(client, overlap):
    indicator = client.get(reverse("targets:indicator", args=["digital_economy_grdp"]))
    rows = re.findall(
        r'data-target="2030-12-31-1" data-programme="([a-z0-9-]+)"', indicator.content.decode()
    )
    assert sorted(rows) == ["0280-kh-ubnd", "05-nq-tu"]
    text = _text(indicator)
    assert "Kế hoạch 0280/KH-UBND" in text and "Nghị quyết 05-NQ/TU" in text
    assert "≥ 25%" in text and "≥ 20%" in text

    catalogue_page = client.get(reverse("targets:catalogue"), {"year": 2030})
    lines = re.findall(
        r'data-target="2030-12-31-1" data-programme="([a-z0-9-]+)"',
        catalogue_page.content.decode(),
    )
    assert lines.count("0280-kh-ubnd") == 1 and "05-nq-tu" in lines

    api = client.get("/api/v1/targets/", {"indicator": "digital_economy_grdp", "deadline": 2030})
    assert sorted((r["programme"], float(r["value"])) for r in api.json()["results"]) == [
        ("0280-kh-ubnd", 25.0),
        ("05-nq-tu", 20.0),
    ]


def test_programme_filter_shows_one_programmes_targets(client, overlap):
    response = client.get(reverse("targets:catalogue"), {"programme": "0280-kh-ubnd"})
    assert set(re.findall(r'data-indicator="([a-z0-9_]+)"', response.content.decode())) == {
        "digital_economy_grdp"
    }
    assert "≥ 20%" not in _text(response)
    unknown = client.get(reverse("targets:catalogue"), {"programme": "khong-co"})
    assert unknown.status_code == 200, "an unknown filter value is ignored"


@pytest.mark.django_db
def test_the_attainment_engine_judges_each_programmes_target_on_its_own(camau):
    """Two programmes, same indicator and deadline, different values: two rows, never one."""
    flow = count_indicator()
    nq05 = Programme.objects.create(
        code="a",
        kind="resolution",
        number="A",
        issuer="x",
        title_vi="A",
        first_year=2024,
        last_year=2030,
    )
    plan = Programme.objects.create(
        code="b",
        kind="plan",
        number="B",
        issuer="x",
        title_vi="B",
        first_year=2024,
        last_year=2030,
    )
    deadline = dt.date(2024, 12, 31)
    first, second = (
        Target.objects.create(
            programme=p,
            indicator=flow,
            wording_vi="x",
            deadline=deadline,
            value=D(v),
            comparator="gte",
        )
        for p, v in ((nq05, 10), (plan, 40))
    )
    assert {t.pk for t in targets_assessed_at(ScopeLevel.PROVINCE)} >= {first.pk, second.pk}
    jan = dt.date(2024, 1, 1)
    report = ReportFactory(
        division=camau["967"], period=jan, status=ReportStatus.APPROVED, approved_at=timezone.now()
    )
    DataValueFactory(
        indicator=flow, division=camau["32068"], period=jan, report=report, value=D(20)
    )
    attainment_recompute()
    rows = Attainment.objects.filter(
        indicator=flow, division__code="96", period=jan, provisional=False
    ).exclude(target_key=0)
    assert sorted((r.target_key, r.target_value) for r in rows) == sorted(
        [(first.pk, D(10)), (second.pk, D(40))]
    )


# --------------------------------------------------------------------------- the 2026 plan by import


URL = "/targets/import/"
HEADER_0280 = [
    "programme",
    "indicator",
    "wording_vi",
    "deadline",
    "scope_level",
    "value",
    "comparator",
]


def test_steering_user_fills_the_2026_plan_by_import(steering_client, steering_user, catalogue):
    upload = csv_file(
        [
            ["0280-kh-ubnd", "work_records_online", "95% hồ sơ cấp tỉnh", "2026", 1, 95, "gte"],
            ["0280-kh-ubnd", "dvctt_satisfaction", "hài lòng 93%", "2026", 1, "93", "gte"],
        ],
        header=HEADER_0280,
    )
    preview = steering_client.post(URL, {"file": upload})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    assert not _plan_0280().targets.exists(), "the preview saves nothing"
    steering_client.post(URL, {"confirm": "1", "token": preview.context["token"]})
    saved = _plan_0280().targets.select_related("indicator").order_by("indicator__code")
    assert [(t.indicator.code, t.deadline, t.value) for t in saved] == [
        ("dvctt_satisfaction", dt.date(2026, 12, 31), D(93)),
        ("work_records_online", dt.date(2026, 12, 31), D(95)),
    ]
    assert saved[0].history.first().history_user == steering_user
    page = _text(steering_client.get(reverse("targets:programme", args=["0280-kh-ubnd"])))
    assert "hài lòng 93%" in page and "95% hồ sơ cấp tỉnh" in page
    # The resolution's own targets on the same indicators are untouched.
    assert Target.objects.filter(programme__code="05-nq-tu").count() == 15


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "0281-kh-ubnd",
            "Dòng 2, trường «programme (chương trình)»: Không có chương trình nào có mã "
            "«0281-kh-ubnd» (các mã đã khai báo: 0280-kh-ubnd, 05-nq-tu, 2629-qd-ttg).",
        ),
        (
            "",
            "Dòng 2, trường «programme (chương trình)»: thiếu mã chương trình (các mã đã khai "
            "báo: 0280-kh-ubnd, 05-nq-tu, 2629-qd-ttg).",
        ),
    ],
)
def test_import_row_with_an_unknown_or_missing_programme_is_refused_in_vietnamese(
    steering_client, catalogue, cell, message
):
    before = Target.objects.count()
    upload = csv_file(
        [
            ["0280-kh-ubnd", "work_records_online", "x", "2026", 1, 95, "gte"],
            [cell, "work_records_online", "y", "2026", 2, 90, "gte"],
        ],
        header=HEADER_0280,
    )
    response = steering_client.post(URL, {"file": upload})
    assert response.status_code == 400
    body = html_lib.unescape(response.content.decode())
    assert message.replace("Dòng 2", "Dòng 3") in body
    assert Target.objects.count() == before, "nothing from the file is saved"


def test_a_file_without_a_programme_column_says_whose_targets_it_writes(steering_client, catalogue):
    upload = csv_file(
        [["work_records_online", "x", "2026", 1, 95, "gte"]],
        header=["indicator", "wording_vi", "deadline", "scope_level", "value", "comparator"],
    )
    response = steering_client.post(URL, {"file": upload})
    assert response.status_code == 200
    assert "Tệp không có cột «programme»: các mục tiêu được ghi cho 05-NQ/TU." in _text(response)


# --------------------------------------------------------------------------- milestones


def _target(deadline_year, value, *, baseline=None, programme_id=1, indicator_id=1):
    target = Target(
        programme_id=programme_id,
        indicator_id=indicator_id,
        deadline=dt.date(deadline_year, 12, 31),
        value=D(value),
        comparator="gte",
        scope_level=1,
    )
    if baseline:
        target.baseline_period, target.baseline_value = dt.date(baseline[0], 1, 1), D(baseline[1])
    return target


def test_expected_path_is_a_straight_line_from_the_baseline_to_the_deadline():
    target = _target(2030, 90, baseline=(2025, 40))
    assert [expected_path(target, y) for y in range(2025, 2031)] == [
        D("40.00"),
        D("50.00"),
        D("60.00"),
        D("70.00"),
        D("80.00"),
        D("90.00"),
    ]
    assert expected_path(target, 2031) is None
    assert expected_path(_target(2030, 90), 2028) is None, "no baseline, no path"


def test_milestones_are_declared_where_the_programme_gives_them_and_derived_between():
    series = yearly_milestones([_target(2027, 95), _target(2030, 99)])[(1, 1, 1)]
    points = [(m.year, m.value, m.declared) for m in series]
    assert points == [
        (2027, D(95), True),
        (2028, D("96.33"), False),
        (2029, D("97.67"), False),
        (2030, D(99), True),
    ]
    assert {m.label for m in series if not m.declared} == {DERIVED}
    # Another programme's target on the same indicator never bends this programme's path.
    other = yearly_milestones(
        [_target(2027, 95), _target(2030, 99), _target(2028, 50, programme_id=2)]
    )
    assert [(m.year, m.value, m.declared) for m in other[(1, 1, 1)]] == points


def test_programme_page_lists_targets_milestones_and_source(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("targets:programme", args=["2629-qd-ttg"]))
    html = response.content.decode()
    text = _text(response)
    assert "Quyết định 2629/QĐ-TTg" in text and "Thủ tướng Chính phủ" in text
    assert "https://vanban.chinhphu.vn/?pageid=27160&docid=216090" in html_lib.unescape(html)
    assert re.findall(r'data-milestone="(\d+)" data-kind="(\w+)"', html) == [
        ("2027", "declared"),  # tthc_dvctt_level4
        ("2027", "declared"),  # dvctt_satisfaction
        ("2028", "derived"),
        ("2029", "derived"),
        ("2030", "declared"),
        ("2027", "declared"),  # business_info_once
    ]
    assert f"2028: 96,33% — {DERIVED}" in text
    assert Target.objects.filter(programme__code="2629-qd-ttg").count() == 4, "never stored"
    empty = _text(client.get(reverse("targets:programme", args=["0280-kh-ubnd"])))
    assert "Chương trình này chưa có mục tiêu nào" in empty
    assert client.get(reverse("targets:programme", args=["khong-co"])).status_code == 404


def test_catalogue_page_lists_the_programmes(client, catalogue):
    html = client.get(reverse("targets:catalogue")).content.decode()
    assert re.findall(r'<li class="mb-1" data-programme="([a-z0-9-]+)"', html) == [
        "05-nq-tu",
        "2629-qd-ttg",
        "0280-kh-ubnd",
    ]


def test_programmes_api_lists_the_programmes_and_filters_targets(client, catalogue):
    rows = client.get("/api/v1/programmes/").json()["results"]
    assert [r["number"] for r in rows] == ["05-NQ/TU", "2629/QĐ-TTg", "0280/KH-UBND"]
    assert rows[1]["issued_on"] == "2025-12-01" and rows[1]["last_year"] == 2030
    only = client.get("/api/v1/targets/", {"programme": "2629-qd-ttg"}).json()["results"]
    assert len(only) == 4 and {r["programme"] for r in only} == {"2629-qd-ttg"}
    assert client.get("/api/v1/targets/", {"programme": "khong-co"}).status_code == 422

"""data_values_upsert: validation, access, locking, versions, history, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core import months as periods
from reports.models import DataValue, DataValueChange, Report, ReportStatus, Source
from reports.services import FigureErrors, FigureInput, data_values_upsert, to_decimal

pytestmark = pytest.mark.django_db

A, COMMUNE = "967", "32068"


def one_error(exc_info) -> str:
    errs = exc_info.value.row_errors
    assert len(errs) == 1, errs
    return errs[0].message


def test_officer_saves_ratio_and_value_is_computed(officer_a, report_a, last_month):
    result = data_values_upsert(
        user=officer_a,
        rows=[FigureInput("work_records_online", A, last_month, numerator="45", denominator="60")],
    )
    dv = DataValue.objects.get()
    assert (result.created, dv.value, dv.version, dv.report) == (1, Decimal("75"), 1, report_a)
    change = DataValueChange.objects.get()
    assert (
        change.new_numerator == 45 and change.old_value is None and change.changed_by == officer_a
    )


def test_typed_value_of_ratio_is_refused(officer_a, report_a, last_month):
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_a, rows=[FigureInput("work_records_online", A, last_month, value="80")]
        )
    assert "tử số" in one_error(exc)
    assert not DataValue.objects.exists()


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"value": "-3"}, "không được âm"),
        ({"value": "2,5"}, "số nguyên"),
        ({"value": "abc"}, "không phải là số"),
    ],
)
def test_bad_count_values_are_refused_with_the_cell_named(
    officer_a, report_a, last_month, row, words
):
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_a, rows=[FigureInput("people_guided", COMMUNE, last_month, **row)]
        )
    message = one_error(exc)
    assert words in message
    assert "Số người được hướng dẫn kỹ năng số" in message and "Xã Biển Bạch" in message
    assert periods.label(last_month) in message
    assert not DataValue.objects.exists()


def test_numerator_above_denominator_is_refused(officer_a, report_a, last_month):
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_a,
            rows=[FigureInput("work_records_online", A, last_month, numerator=70, denominator=60)],
        )
    assert "lớn hơn mẫu số" in one_error(exc)


def test_share_over_100_is_refused(officer_a, report_a, last_month):
    from tests.reports.factories import share_indicator

    share_indicator()
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_a, rows=[FigureInput("sme_share", A, last_month, value="100,5")]
        )
    assert "0 đến 100" in one_error(exc)
    data_values_upsert(user=officer_a, rows=[FigureInput("sme_share", A, last_month, value="99,5")])
    assert DataValue.objects.get().value == Decimal("99.5")


def test_unknown_codes_are_refused(officer_a, report_a, last_month):
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_a,
            rows=[
                FigureInput("nope", A, last_month, value=1),
                FigureInput("people_guided", "99999", last_month, value=1),
            ],
        )
    messages = [e.message for e in exc.value.row_errors]
    assert "“nope”" in messages[0] and "“99999”" in messages[1]


@pytest.mark.parametrize(
    "period", [dt.date(2022, 6, 1), periods.next_month(periods.current_month())]
)
def test_period_outside_reporting_window_is_refused(officer_a, report_indicators, period):
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_a, rows=[FigureInput("people_guided", COMMUNE, period, value=1)]
        )
    assert "ngoài thời gian báo cáo" in one_error(exc)


def test_indicator_not_reported_at_that_level_is_refused(officer_a, report_a, last_month):
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_a, rows=[FigureInput("people_guided", A, last_month, value=5)]
        )
    assert "không báo cáo ở cấp huyện" in one_error(exc)


def test_division_outside_the_report_unit_is_refused(steering_user, camau, report_a, last_month):
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=steering_user,
            rows=[FigureInput("people_guided", "32047", last_month, value=5)],
            unit=camau[A],
            period=last_month,
        )
    assert "không thuộc Huyện Thới Bình" in one_error(exc)


def test_officer_cannot_write_other_district(officer_b, report_a, last_month):
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_b, rows=[FigureInput("people_guided", COMMUNE, last_month, value=5)]
        )
    assert "không có quyền" in one_error(exc)
    assert not DataValue.objects.exists()


def test_viewer_and_anonymous_cannot_write(viewer, report_a, last_month):
    with pytest.raises(FigureErrors):
        data_values_upsert(
            user=viewer, rows=[FigureInput("people_guided", COMMUNE, last_month, value=5)]
        )
    with pytest.raises(PermissionDenied):
        data_values_upsert(
            user=None, rows=[FigureInput("people_guided", COMMUNE, last_month, value=5)]
        )


def test_stock_falling_below_last_month_needs_a_note(officer_a, report_a, last_month):
    before = periods.previous_month(last_month)
    data_values_upsert(user=officer_a, rows=[FigureInput("team_count", COMMUNE, before, value=9)])
    row = FigureInput("team_count", COMMUNE, last_month, value=7)
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(user=officer_a, rows=[row])
    assert "thấp hơn tháng trước (9)" in one_error(exc) and "ghi chú" in one_error(exc)
    result = data_values_upsert(
        user=officer_a,
        rows=[FigureInput("team_count", COMMUNE, last_month, value=7, note="Sáp nhập ấp")],
    )
    assert len(result.warnings) == 1
    assert DataValue.objects.get(period=last_month).note == "Sáp nhập ấp"


def test_one_bad_row_saves_nothing(officer_a, report_a, last_month):
    rows = [FigureInput("people_guided", COMMUNE, last_month, value=5)] * 1 + [
        FigureInput("people_guided", "32071", last_month, value=-1)
    ]
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(user=officer_a, rows=rows)
    assert [e.index for e in exc.value.row_errors] == [1]
    assert not DataValue.objects.exists() and not DataValueChange.objects.exists()


def test_stale_version_is_refused_with_their_value(officer_a, camau, report_a, last_month):
    from tests.divisions.factories import make_user

    colleague = make_user("district_officer", A, username="dong_nghiep")
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", COMMUNE, last_month, value=5)]
    )
    data_values_upsert(
        user=colleague,
        rows=[FigureInput("people_guided", COMMUNE, last_month, value=8, expected_version=1)],
    )
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_a,
            rows=[FigureInput("people_guided", COMMUNE, last_month, value=6, expected_version=1)],
        )
    message = one_error(exc)
    assert "đã được dong_nghiep sửa lúc" in message and "giá trị của họ là 8" in message
    assert DataValue.objects.get().value == 8


def test_a_stale_version_names_the_colleague_not_their_login(
    officer_a, camau, report_a, last_month
):
    from tests.divisions.factories import make_user

    colleague = make_user(
        "district_officer", A, username="dong_nghiep", first_name="Hai", last_name="Trần Văn"
    )
    data_values_upsert(
        user=colleague, rows=[FigureInput("people_guided", COMMUNE, last_month, value=8)]
    )
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=officer_a,
            rows=[FigureInput("people_guided", COMMUNE, last_month, value=6, expected_version=0)],
        )
    message = one_error(exc)
    assert "đã được Hai Trần Văn sửa lúc" in message and "dong_nghiep" not in message


def test_new_cell_saved_by_someone_else_meanwhile_is_a_conflict(officer_a, report_a, last_month):
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", COMMUNE, last_month, value=5)]
    )
    with pytest.raises(FigureErrors):
        data_values_upsert(
            user=officer_a,
            rows=[FigureInput("people_guided", COMMUNE, last_month, value=6, expected_version=0)],
        )


def test_unchanged_values_do_not_bump_version(officer_a, report_a, last_month):
    row = FigureInput("people_guided", COMMUNE, last_month, value=5)
    data_values_upsert(user=officer_a, rows=[row])
    result = data_values_upsert(user=officer_a, rows=[row])
    assert result.unchanged == 1 and DataValue.objects.get().version == 1
    assert DataValueChange.objects.count() == 1


def test_update_bumps_version_and_records_old_and_new(officer_a, report_a, last_month):
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", COMMUNE, last_month, value=5)]
    )
    data_values_upsert(
        user=officer_a,
        rows=[FigureInput("people_guided", COMMUNE, last_month, value=12, note="Bổ sung")],
    )
    dv = DataValue.objects.get()
    change = dv.changes.first()
    assert dv.version == 2 and (change.old_value, change.new_value, change.note) == (
        5,
        12,
        "Bổ sung",
    )


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.APPROVED])
def test_locked_reports_refuse_figures(
    officer_a, steering_user, camau, last_month, report_indicators, status
):
    from django.utils import timezone

    Report.objects.create(
        division=camau[A], period=last_month, status=status, approved_at=timezone.now()
    )
    for user in (officer_a, steering_user):
        with pytest.raises(FigureErrors) as exc:
            data_values_upsert(
                user=user, rows=[FigureInput("people_guided", COMMUNE, last_month, value=5)]
            )
        assert "đã" in one_error(exc)
    assert not DataValue.objects.exists()


def test_missing_report_is_created_as_draft(officer_a, report_indicators, last_month):
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", COMMUNE, last_month, value=5)]
    )
    report = Report.objects.get()
    assert report.division.code == A and report.status == ReportStatus.DRAFT
    assert report.transitions.get().to_status == ReportStatus.DRAFT


def test_teams_figures_have_no_report_and_need_no_user(camau, report_indicators, last_month):
    data_values_upsert(
        user=None,
        source=Source.TEAMS,
        rows=[FigureInput("people_guided", COMMUNE, last_month, value=40)],
    )
    dv = DataValue.objects.get()
    assert dv.report is None and dv.source == "teams" and dv.changes.get().channel == "teams"


def test_query_count_does_not_grow_with_rows(
    officer_a, report_a, last_month, camau, django_assert_max_num_queries
):
    communes = [d for d in camau.values() if d.parent_id == camau[A].pk]

    def rows(n_communes, value):
        return [
            FigureInput("people_guided", c.code, last_month, value=value)
            for c in communes[:n_communes]
        ]

    with django_assert_max_num_queries(14) as small:
        data_values_upsert(user=officer_a, rows=rows(2, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        data_values_upsert(user=officer_a, rows=rows(len(communes), 2))


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("1.234,5", "1234.5"),
        ("1.500", "1500"),
        ("0.5", "0.5"),
        (7, "7"),
    ],
)
def test_vietnamese_and_english_number_input(raw, number):
    assert to_decimal(raw) == Decimal(number)

"""The steering staff's target import: upload → preview with row errors → confirm, atomically."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from targets.models import Target
from tests.targets.conftest import csv_file, xlsx_file
from tests.targets.factories import IndicatorFactory, TargetFactory

URL = "/targets/import/"
WORDING = "90% hồ sơ công việc tại cấp tỉnh"


@pytest.fixture
def ratio(db):
    """A percentage indicator reported at province and district level only."""
    return IndicatorFactory(code="work_records_online", reports_commune=False)


def _preview(client, upload):
    return client.post(URL, {"file": upload})


def _confirm(client, response):
    return client.post(URL, {"confirm": "1", "token": response.context["token"]})


def test_good_file_previews_without_saving_then_confirm_saves_all_rows(
    steering_client, steering_user, ratio
):
    upload = xlsx_file(
        [
            ["work_records_online", WORDING, dt.date(2025, 12, 31), 1, "absolute", 90, "gte"],
            ["work_records_online", "80% hồ sơ cấp huyện", "2025", 2, "absolute", 80, "gte"],
        ]
    )
    response = _preview(steering_client, upload)
    assert response.status_code == 200
    assert "Xem trước: muc-tieu.xlsx" in response.content.decode()
    assert [o.status for o in response.context["result"].outcomes] == ["created", "created"]
    assert Target.objects.count() == 0, "the preview is a dry run"

    response = _confirm(steering_client, response)
    assert response.status_code == 302 and response["Location"] == reverse("targets:catalogue")
    saved = Target.objects.order_by("scope_level")
    assert [(t.scope_level, t.value, t.deadline) for t in saved] == [
        (1, Decimal("90"), dt.date(2025, 12, 31)),
        (2, Decimal("80"), dt.date(2025, 12, 31)),
    ]
    assert saved[0].history.first().history_user == steering_user
    page = steering_client.get(reverse("targets:catalogue")).content.decode()
    assert "2 mục tiêu mới" in page


def test_one_bad_row_saves_nothing_and_names_the_row_and_field(steering_client, ratio):
    upload = xlsx_file(
        [
            ["work_records_online", WORDING, "31/12/2025", 1, "absolute", 90, "gte"],
            ["work_records_online", "sai", "31/12/2025", 2, "absolute", 180, "gte"],
        ]
    )
    response = _preview(steering_client, upload)
    assert response.status_code == 400
    body = response.content.decode()
    assert "chưa có gì được lưu" in body
    assert (
        "Dòng 3, trường «value (giá trị mục tiêu)»: Chỉ tiêu work_records_online tính bằng "
        "phần trăm: giá trị mục tiêu 180 nằm ngoài khoảng từ 0 đến 100." in body
    )
    assert "token" not in response.context or not response.context.get("token")
    assert Target.objects.count() == 0


def test_a_file_changed_between_preview_and_confirm_is_refused_whole(steering_client, ratio):
    response = _preview(
        steering_client,
        xlsx_file([["work_records_online", WORDING, "2025", 1, "absolute", 90, "gte"]]),
    )
    # Meanwhile someone else narrows the indicator's levels; the confirm re-validates.
    ratio.reports_province = False
    ratio.save()
    response = _confirm(steering_client, response)
    assert response.status_code == 400
    assert "Dòng 2, trường «scope_level (phạm vi)»" in response.content.decode()
    assert Target.objects.count() == 0


def test_confirm_without_a_preview_is_refused(steering_client, ratio):
    response = steering_client.post(URL, {"confirm": "1", "token": "forged"}, follow=True)
    assert "Bản xem trước đã hết hạn" in response.content.decode()
    assert Target.objects.count() == 0


def test_existing_target_is_updated_not_duplicated(steering_client, ratio):
    TargetFactory(indicator=ratio, value=Decimal("85"))
    response = _preview(
        steering_client,
        xlsx_file([["work_records_online", WORDING, "2025", "tỉnh", "absolute", 90, "gte"]]),
    )
    outcome = response.context["result"].outcomes[0]
    assert outcome.status == "updated" and "value" in outcome.changed
    _confirm(steering_client, response)
    assert Target.objects.get().value == Decimal("90")


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_accepts_decimal_comma_and_decimal_point(steering_client, ratio, delimiter):
    upload = csv_file(
        [
            ["work_records_online", WORDING, "31/12/2025", 1, "absolute", "12,5", "gte"],
            ["work_records_online", WORDING, "31/12/2030", 1, "absolute", "1.5", "gte"],
        ],
        delimiter=delimiter,
    )
    response = _preview(steering_client, upload)
    assert response.status_code == 200, response.content.decode()[:2000]
    _confirm(steering_client, response)
    assert sorted(Target.objects.values_list("value", flat=True)) == [
        Decimal("1.5"),
        Decimal("12.5"),
    ]


def test_thousands_separator_is_refused_not_guessed(steering_client, ratio):
    upload = csv_file([["work_records_online", WORDING, "2025", 1, "absolute", "1.234,5", "gte"]])
    response = _preview(steering_client, upload)
    assert response.status_code == 400
    assert "Dòng 2, trường «value (giá trị mục tiêu)»" in response.content.decode()
    assert "không dùng dấu phân cách hàng nghìn" in response.content.decode()


def test_non_excel_file_is_refused(steering_client, ratio):
    upload = SimpleUploadedFile("muc-tieu.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    response = _preview(steering_client, upload)
    assert response.status_code == 400
    assert "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)" in response.content.decode()


def test_file_named_xlsx_that_is_not_a_workbook_is_refused(steering_client, ratio):
    upload = SimpleUploadedFile("muc-tieu.xlsx", b"indicator,value\n", content_type="text/csv")
    response = _preview(steering_client, upload)
    assert response.status_code == 400
    assert "không phải là bảng tính Excel hợp lệ" in response.content.decode()


def test_oversize_file_is_refused(steering_client, ratio, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    rows = [["work_records_online", WORDING * 5, "2025", 1, "absolute", 90, "gte"]] * 20
    response = _preview(steering_client, csv_file(rows))
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.content.decode()
    assert Target.objects.count() == 0


def test_missing_required_column_is_named(steering_client, ratio):
    upload = csv_file(
        [["work_records_online", "2025", 90]], header=["indicator", "deadline", "value"]
    )
    response = _preview(steering_client, upload)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Dòng tiêu đề, trường «scope_level, comparator»: thiếu cột bắt buộc" in body


def test_downloaded_template_imports_back_unchanged(steering_client, catalogue):
    response = steering_client.get(reverse("targets:import_template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in workbook.active[1]]
    assert header[:5] == ["programme", "indicator", "wording_vi", "wording_en", "deadline"]
    assert workbook.active.max_row == Target.objects.count() + 1
    upload = SimpleUploadedFile("muc-tieu-cds-ca-mau.xlsx", response.content)
    preview = _preview(steering_client, upload)
    assert preview.status_code == 200, preview.content.decode()[:3000]
    statuses = {o.status for o in preview.context["result"].outcomes}
    assert statuses == {"unchanged"}


DATA = Path(__file__).resolve().parents[1] / "data" / "targets"


def _data_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def test_sample_workbook_with_one_bad_row_saves_nothing_and_names_it(steering_client, catalogue):
    before = list(Target.objects.order_by("pk").values())
    response = _preview(steering_client, _data_file("targets-one-bad-row.xlsx"))
    assert response.status_code == 400
    assert "Dòng 4, trường «value (giá trị mục tiêu)»" in response.content.decode()
    assert list(Target.objects.order_by("pk").values()) == before


def test_sample_workbook_updates_the_catalogue_targets(steering_client, catalogue):
    response = _preview(steering_client, _data_file("targets-good.xlsx"))
    assert response.status_code == 200
    outcomes = response.context["result"].outcomes
    # The work-record rows only reword the English; the last row changes the baseline.
    assert [(o.status, o.changed) for o in outcomes[:3]] == [("updated", ["wording_en"])] * 3
    assert outcomes[3].status == "updated" and "baseline_value" in outcomes[3].changed
    _confirm(steering_client, response)
    target = Target.objects.get(indicator__code="tthc_resolution_time")
    assert target.baseline_value == Decimal("12.5")
    assert target.resolved_value() == Decimal("8.75")


def test_hostile_workbook_is_refused_with_its_message_and_nothing_saved(steering_client, ratio):
    from tests.core.hostile_files import huge_dimension

    response = _preview(steering_client, SimpleUploadedFile("muc-tieu.xlsx", huge_dimension()))
    assert response.status_code == 400
    assert "Trang tính khai báo 1048576 dòng" in response.content.decode()
    assert "token" not in response.context
    assert Target.objects.count() == 0


def test_a_file_with_many_bad_rows_lists_fifty_and_counts_the_rest(steering_client, ratio):
    rows = [["work_records_online", WORDING, "2025", 1, "absolute", 180, "gte"]] * 80
    response = _preview(steering_client, csv_file(rows))
    assert response.status_code == 400
    listed = response.context["errors"]
    assert len(listed) == 51 and listed[-1] == "và 30 lỗi khác"

"""The admin's import of indicators and targets (django-import-export): xlsx/csv, dry-run
preview with row errors naming the field, nothing saved when a row is bad."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from targets.models import Indicator, Target, default_programme_id
from tests.targets.conftest import HEADER, csv_file, xlsx_file
from tests.targets.factories import IndicatorFactory

INDICATOR_HEADER = [
    "code",
    "name_vi",
    "name_en",
    "pillar",
    "unit",
    "measurement",
    "numerator_label",
    "denominator_label",
    "direction",
    "division_aggregation",
    "time_aggregation",
    "counting_window",
    "frequency",
    "reports_province",
    "reports_district",
    "reports_commune",
    "min_value",
    "max_value",
]


def _indicator_row(code: str, **overrides) -> list:
    values = {
        "code": code,
        "name_vi": f"Chỉ tiêu {code}",
        "name_en": f"Indicator {code}",
        "pillar": "economy",
        "unit": "%",
        "measurement": "ratio",
        "numerator_label": "Số DN dùng hoá đơn điện tử",
        "denominator_label": "Tổng số DN",
        "direction": "higher",
        "division_aggregation": "ratio_of_sums",
        "time_aggregation": "latest",
        "counting_window": "latest",
        "frequency": "monthly",
        "reports_province": 1,
        "reports_district": 1,
        "reports_commune": 0,
        "min_value": 0,
        "max_value": 100,
    }
    values.update(overrides)
    return [values[h] for h in INDICATOR_HEADER]


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    client.force_login(user)
    return client


def _import(admin_client, model: str, upload, fmt: int):
    # import_formats = [XLSX, CSV]: 0 is xlsx, 1 is csv.
    return admin_client.post(
        f"/admin/targets/{model}/import/",
        {"resource": "0", "format": str(fmt), "import_file": upload},
    )


def test_good_indicator_file_previews_then_confirms(admin_client):
    upload = xlsx_file([_indicator_row("einvoice_test")], header=INDICATOR_HEADER)
    response = _import(admin_client, "indicator", upload, 0)
    assert response.status_code == 200
    assert response.context["result"].has_validation_errors() is False
    assert Indicator.objects.count() == 0, "the preview is a dry run"
    confirm = response.context["confirm_form"]
    response = admin_client.post(
        "/admin/targets/indicator/process_import/", confirm.initial, follow=True
    )
    assert response.status_code == 200
    assert Indicator.objects.get().code == "einvoice_test"


def test_indicator_without_a_counting_window_is_refused_not_defaulted(admin_client):
    header = [h for h in INDICATOR_HEADER if h != "counting_window"]
    row = [
        v
        for h, v in zip(INDICATOR_HEADER, _indicator_row("no_window"), strict=True)
        if h != "counting_window"
    ]
    response = _import(admin_client, "indicator", xlsx_file([row], header=header), 0)
    assert _row_errors(response) == [
        (1, "counting_window", "Thiếu khoảng cộng dồn: ghi cumulative, year_to_date hoặc latest.")
    ]


def _row_errors(response) -> list[tuple[int, str, str]]:
    result = response.context["result"]
    out = []
    for row in result.invalid_rows:
        for field, messages in row.error_dict.items():
            out.extend((row.number, field, str(m)) for m in messages)
    return out


def test_ratio_indicator_without_labels_is_refused_with_row_and_field(admin_client):
    upload = xlsx_file(
        [_indicator_row("good_one"), _indicator_row("no_labels", numerator_label="")],
        header=INDICATOR_HEADER,
    )
    response = _import(admin_client, "indicator", upload, 0)
    errors = _row_errors(response)
    assert errors and errors[0][0] == 2 and errors[0][1] == "numerator_label"
    assert "Chỉ tiêu tỷ lệ cần nhãn tử số và mẫu số" in errors[0][2]
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert Indicator.objects.count() == 0


def test_duplicate_indicator_code_in_one_file_is_refused(admin_client):
    upload = csv_file(
        [_indicator_row("dup_code"), _indicator_row("dup_code", unit="người")],
        header=INDICATOR_HEADER,
    )
    response = _import(admin_client, "indicator", upload, 1)
    errors = _row_errors(response)
    assert errors == [(2, "code", "Dòng này trùng mã chỉ tiêu với dòng 1 của tệp.")]
    assert Indicator.objects.count() == 0


def test_target_for_unknown_indicator_code_names_the_field(admin_client):
    IndicatorFactory(code="known")
    upload = xlsx_file([["unknown_code", "x", "2025-12-31", 1, "absolute", 50, "gte"]])
    response = _import(admin_client, "target", upload, 0)
    errors = _row_errors(response)
    assert errors[0][1] == "indicator"
    assert "Không có chỉ tiêu nào có mã «unknown_code»" in errors[0][2]
    assert Target.objects.count() == 0


def test_target_outside_range_in_admin_import_names_the_field(admin_client):
    IndicatorFactory(code="pct")
    upload = xlsx_file([["pct", "x", "2025-12-31", 1, "absolute", 120, "gte"]])
    response = _import(admin_client, "target", upload, 0)
    errors = _row_errors(response)
    assert errors[0][1] == "value" and "ngoài khoảng từ 0 đến 100" in errors[0][2]
    assert Target.objects.count() == 0


def test_admin_exports_targets_as_xlsx_that_the_admin_imports_back_unchanged(
    admin_client, catalogue
):
    from targets.admin import TargetResource

    fields = TargetResource._meta.fields
    response = admin_client.post(
        "/admin/targets/target/export/",
        {"format": "0", "resource": "0", **{f"targetresource_{f}": "on" for f in fields}},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = SimpleUploadedFile("targets.xlsx", response.content)
    preview = _import(admin_client, "target", upload, 0)
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == Target.objects.count()


def test_admin_target_import_reads_a_bare_year_as_the_end_of_that_year(admin_client):
    IndicatorFactory(code="pct")
    default_programme_id()  # Resolution 05-NQ/TU, named by the file's programme column
    upload = csv_file(
        [["pct", "x", "2030", 1, "absolute", "12,5", "gte", "", "", "05-nq-tu"]],
        header=[*HEADER, "programme"],
    )
    response = _import(admin_client, "target", upload, 1)
    assert not response.context["result"].has_validation_errors()
    admin_client.post(
        "/admin/targets/target/process_import/", response.context["confirm_form"].initial
    )
    target = Target.objects.get()
    assert target.programme.code == "05-nq-tu"
    assert target.deadline.isoformat() == "2030-12-31"
    assert str(target.value) == "12.5000"


@pytest.mark.parametrize("model", ["indicator", "target", "programmegoal", "programme"])
def test_admin_pages_open_for_every_catalogue_model(admin_client, catalogue, model):
    from django.apps import apps

    obj = apps.get_model("targets", model).objects.order_by("pk").first()
    for url in (
        f"/admin/targets/{model}/",
        f"/admin/targets/{model}/{obj.pk}/change/",
        f"/admin/targets/{model}/{obj.pk}/history/",
        f"/admin/targets/{model}/import/",
        f"/admin/targets/{model}/export/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_hostile_workbook_is_refused_by_its_message_and_nothing_is_saved(admin_client):
    from tests.core.hostile_files import huge_dimension

    before = Indicator.objects.count()
    upload = SimpleUploadedFile("bomb.xlsx", huge_dimension())
    response = _import(admin_client, "indicator", upload, 0)
    assert response.status_code == 200  # the admin shows form errors on its own page
    errors = response.context["form"].errors["import_file"]
    assert errors == [
        "Trang tính khai báo 1048576 dòng; mỗi lần nhập tối đa 20000 dòng. Hãy chia nhỏ tệp."
    ]
    assert Indicator.objects.count() == before


def test_csv_not_in_utf8_is_refused_in_vietnamese_in_the_admin(admin_client):
    upload = SimpleUploadedFile(
        "chi-tieu.csv", "code,name_vi\nx,Chỉ tiêu\n".encode("cp1252", "replace")
    )
    response = _import(admin_client, "indicator", upload, 1)
    (error,) = response.context["form"].errors["import_file"]
    assert "không dùng bảng mã UTF-8" in error and "codec" not in error

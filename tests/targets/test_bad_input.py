"""Bad target rows in an import: each is refused with a Vietnamese message naming the row and
the field, and nothing of the file is saved (the good rows before it included).

Indicator-level bad input (a ratio without numerator/denominator labels, a duplicate code) is
covered for the admin import in test_admin_import.py and for the shipped YAML in
test_catalogue.py.
"""

from __future__ import annotations

import pytest

from targets.models import Target
from tests.targets.conftest import xlsx_file
from tests.targets.factories import IndicatorFactory

URL = "/targets/import/"
GOOD = ["pct", "90% hồ sơ công việc tại cấp tỉnh", "31/12/2025", 1, "absolute", 90, "gte", "", ""]


@pytest.fixture
def indicators(db):
    return {
        # a percentage reported at province and district level only
        "pct": IndicatorFactory(code="pct", reports_commune=False),
        "days": IndicatorFactory(code="days", amount=True, reports_district=False),
    }


CASES = {
    "percentage_outside_0_100": (
        ["pct", "x", "31/12/2025", 2, "absolute", "101", "gte", "", ""],
        "Dòng 3, trường «value (giá trị mục tiêu)»: Chỉ tiêu pct tính bằng phần trăm: giá trị "
        "mục tiêu 101 nằm ngoài khoảng từ 0 đến 100.",
    ),
    "negative_percentage": (
        ["pct", "x", "31/12/2025", 2, "absolute", "-5", "gte", "", ""],
        "Dòng 3, trường «value (giá trị mục tiêu)»: Chỉ tiêu pct tính bằng phần trăm: giá trị "
        "mục tiêu -5 nằm ngoài khoảng từ 0 đến 100.",
    ),
    "deadline_after_2035": (
        ["pct", "x", "31/12/2040", 1, "absolute", "90", "gte", "", ""],
        "Dòng 3, trường «deadline (thời hạn)»: Thời hạn 31/12/2040 nằm ngoài khoảng cho phép: "
        "phải trong các năm 2020 đến 2035.",
    ),
    "deadline_before_2020": (
        ["pct", "x", "2019", 1, "absolute", "90", "gte", "", ""],
        "Dòng 3, trường «deadline (thời hạn)»: Thời hạn 31/12/2019 nằm ngoài khoảng cho phép",
    ),
    "relative_without_baseline": (
        ["days", "giảm 30% thời gian giải quyết TTHC", "2030", 1, "relative", "-30", "lte", "", ""],
        "Dòng 3, trường «baseline_value (giá trị gốc)»: Mục tiêu tương đối (tăng/giảm %) cần "
        "giá trị gốc và kỳ gốc.",
    ),
    "relative_without_baseline_period": (
        ["days", "giảm 30%", "2030", 1, "relative", "-30", "lte", "10", ""],
        "Dòng 3, trường «baseline_period (kỳ gốc)»: Mục tiêu tương đối cần kỳ gốc",
    ),
    "level_not_reported": (
        ["pct", "60% hồ sơ cấp xã", "2025", 3, "absolute", "60", "gte", "", ""],
        "Dòng 3, trường «scope_level (phạm vi)»: Chỉ tiêu pct không được báo cáo ở từng đơn vị "
        "cấp xã, không thể đặt mục tiêu cho cấp này.",
    ),
    "duplicate_target_row": (
        GOOD,
        "Dòng 3, trường «scope_level (phạm vi)»: Chỉ tiêu pct đã có mục tiêu cùng chương trình, "
        "thời hạn và phạm vi ở Dòng 2",
    ),
    "unknown_indicator_code": (
        ["khong_co", "x", "2025", 1, "absolute", "5", "gte", "", ""],
        "Dòng 3, trường «indicator (chỉ tiêu)»: Không có chỉ tiêu nào có mã «khong_co».",
    ),
    "unknown_level": (
        ["pct", "x", "2025", "ấp", "absolute", "5", "gte", "", ""],
        "Dòng 3, trường «scope_level (phạm vi)»: «ấp» không phải là cấp hợp lệ",
    ),
    "not_a_number": (
        ["pct", "x", "2025", 2, "absolute", "chín mươi", "gte", "", ""],
        "Dòng 3, trường «value (giá trị mục tiêu)»: «chín mươi» không phải là số.",
    ),
    "empty_value": (
        ["pct", "x", "2025", 2, "absolute", "", "gte", "", ""],
        "Dòng 3, trường «value (giá trị mục tiêu)»: ô này không được để trống.",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_row_is_named_and_nothing_from_the_file_is_saved(
    client, steering_user, indicators, case
):
    bad_row, message = CASES[case]
    client.force_login(steering_user)
    response = client.post(URL, {"file": xlsx_file([GOOD, bad_row])})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body, body[body.find("import-errors") :][:1500]
    assert "chưa có gì được lưu" in body
    assert Target.objects.count() == 0
    assert "targets_import" not in client.session, "a refused file cannot be confirmed"

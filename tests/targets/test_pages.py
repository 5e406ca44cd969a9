"""The public catalogue, indicator and methodology pages."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.urls import reverse

from targets.models import Target

CATALOGUE = reverse("targets:catalogue")


def _text(response) -> str:
    html = response.content.decode()
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _shown_targets(response) -> set[str]:
    return set(re.findall(r'data-indicator="([a-z0-9_]+)"', response.content.decode()))


@pytest.mark.django_db
def test_anonymous_visitor_sees_every_target_grouped_by_pillar_with_goals_on_top(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(CATALOGUE)
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(response)
    assert html.index('id="programme-goals"') < html.index('id="pillar-government"')
    for pillar in ("government", "economy", "society", "infrastructure"):
        assert f'id="pillar-{pillar}"' in html
    for target in Target.objects.all():
        assert target.wording_vi in text
    assert "≥ 90% · đến 31/12/2025 · Toàn tỉnh / cấp tỉnh" in text
    assert "≥ 80% · đến 31/12/2025 · Từng đơn vị cấp huyện" in text
    assert "≥ 60% · đến 31/12/2025 · Từng đơn vị cấp xã" in text
    assert "giảm 30% so với giá trị gốc (≤ 7 ngày)" in text
    assert "tăng 30% so với giá trị gốc (≥ 13 dịch vụ)" in text
    assert "≥ 1 xã · đến 30/06/2023 · Từng đơn vị cấp huyện" in text
    assert "Chỉ tiêu theo dõi, không có mục tiêu" in text
    assert "CĐS thành công của cả nước" in text
    assert "21 chỉ tiêu, 19 mục tiêu." in text


@pytest.mark.django_db
def test_catalogue_query_count_does_not_grow_with_the_catalogue(
    client, catalogue, django_assert_num_queries
):
    # programmes, goals, years, indicators, their targets: five queries however many rows.
    with django_assert_num_queries(5):
        client.get(CATALOGUE)


@pytest.mark.django_db
def test_filter_by_deadline_year(client, catalogue):
    response = client.get(CATALOGUE, {"year": 2030})
    assert _shown_targets(response) == {
        "dvctt_level4_multichannel",
        "tthc_resolution_time",
        "data_based_services",
        "digital_inspections",
        "digital_economy_grdp",
        "dvctt_satisfaction",
    }
    text = _text(response)
    assert "≥ 20%" in text and "≥ 10%" not in text, "only the 2030 target of the GRDP share"
    assert "Phấn đấu đến năm 2025" not in text, "goals follow the year filter"
    pilot = client.get(CATALOGUE, {"year": 2023})
    assert _shown_targets(pilot) == {"pilot_communes"}


@pytest.mark.django_db
def test_filter_by_level_shows_targets_of_that_level_only(client, catalogue):
    response = client.get(CATALOGUE, {"level": 3})
    shown = _shown_targets(response)
    assert "work_records_online" in shown and "team_count" in shown
    assert "tthc_dvctt_level4" not in shown
    text = _text(response)
    assert "≥ 60%" in text and "≥ 90%" not in text
    both = client.get(CATALOGUE, {"year": 2025, "level": 2})
    assert _shown_targets(both) == {"work_records_online"}


@pytest.mark.django_db
def test_unknown_filter_values_are_ignored(client, catalogue):
    response = client.get(CATALOGUE, {"year": "abc", "level": "9"})
    assert response.status_code == 200
    assert len(_shown_targets(response)) == 21


@pytest.mark.django_db
def test_indicator_page_explains_formula_rollup_targets_baseline_and_source(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("targets:indicator", args=["work_records_online"]))
    text = _text(response)
    assert "Số hồ sơ công việc được xử lý trên môi trường mạng" in text  # numerator
    assert "tử số ÷ mẫu số × 100" in text
    assert "Không cộng dồn (mỗi cấp báo cáo riêng)" in text
    assert "Cộng tử số và mẫu số của các tháng rồi tính lại tỷ lệ." in text
    assert "Nghị quyết 05-NQ/TU ngày 14/7/2022 của Tỉnh ủy Cà Mau (14/07/2022)" in text
    rows = re.findall(r'data-target="([0-9-]+)"', response.content.decode())
    assert rows == ["2025-12-31-1", "2025-12-31-2", "2025-12-31-3"]

    relative = _text(client.get(reverse("targets:indicator", args=["tthc_resolution_time"])))
    assert "10 ngày (01/2022)" in relative
    assert "tạm tính, chờ Ban Chỉ đạo xác nhận" in relative
    assert "Chiều tốt: càng thấp càng tốt." in relative


@pytest.mark.django_db
def test_monitoring_indicator_page_says_it_has_no_target(client, catalogue):
    text = _text(client.get(reverse("targets:indicator", args=["people_guided"])))
    assert "Chỉ tiêu theo dõi: không có mục tiêu" in text
    assert "Chỉ tiêu dạng luồng (phát sinh trong kỳ): cộng các tháng." in text
    assert "Kế hoạch thí điểm triển khai Tổ công nghệ số cộng đồng" in text


@pytest.mark.django_db
def test_unknown_indicator_is_404(client, catalogue):
    assert client.get(reverse("targets:indicator", args=["khong_co"])).status_code == 404


@pytest.mark.django_db
def test_methodology_documents_rollups_thresholds_and_a_worked_example(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        response = client.get(reverse("targets:methodology"))
    text = _text(response)
    assert "(45 + 10) ÷ (50 + 100) × 100 = 36,7%" in text  # ratio of sums, not average
    assert "Đúng tiến độ hệ số tiến độ ≥ 0,95" in text
    assert "Cần tăng tốc 0,6 ≤ hệ số tiến độ < 0,95" in text
    assert "Chậm tiến độ 0 ≤ hệ số tiến độ < 0,6" in text
    assert "Đang đi xuống hệ số tiến độ < 0" in text
    assert "(80 − 40) ÷ 36 = 1,11 điểm phần trăm mỗi tháng" in text
    statuses = re.findall(
        r'<tr data-status="([a-z_]+)">\s*<td class="num">', response.content.decode()
    )
    assert statuses == ["achieved", "on_track", "needs_acceleration", "off_track", "deteriorating"]
    assert "55% 1,25 1,13 Đúng tiến độ" in text
    assert "49% 0,75 0,68 Cần tăng tốc" in text
    assert "people_guided" in text and "Cộng các tháng" in text


@pytest.mark.django_db
def test_catalogue_is_shown_in_english_on_request(client, catalogue):
    client.cookies["django_language"] = "en"
    response = client.get(CATALOGUE, HTTP_ACCEPT_LANGUAGE="en")
    text = _text(response)
    assert "Share of work records processed online" in text
    assert "basically completed the digitisation" in text


def test_navigation_links(client, steering_user, officer_a):
    client.force_login(steering_user)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{CATALOGUE}"' in html and 'href="/targets/import/"' in html
    client.force_login(officer_a)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{CATALOGUE}"' in html and 'href="/targets/import/"' not in html
    client.logout()
    html = client.get(reverse("home")).content.decode()
    assert f'href="{CATALOGUE}"' in html and 'href="/targets/methodology/"' in html


@pytest.mark.django_db
def test_methodology_gives_each_indicator_its_window_authority_and_reporters(client, catalogue):
    response = client.get(reverse("targets:methodology"))
    html = response.content.decode()
    # A worked example of each window, with the numbers the engine's tests pin.
    for anchor in ("example-cumulative", "example-year", "example-latest"):
        assert f'id="{anchor}"' in html
    text = _text(response)
    assert "12 × 10 + 12 × 20 = 360 người" in text
    assert "(12 × 95) ÷ (12 × 100) = 95%" in text
    assert "«Chưa có số liệu năm 2025»" in text

    def row(code: str) -> str:
        start = html.index(f'<tr data-code="{code}">')
        return _text_of(html[start : html.index("</tr>", start)])

    assert "Lũy kế từ đầu năm" in row("work_records_online")
    assert "Lũy kế từ khi bắt đầu chương trình" in row("people_guided")
    einvoice = row("business_einvoice")
    assert "Cấp tỉnh (tổng các đơn vị khi thiếu)" in einvoice
    # Until 06/2025 the districts reported it too; since 07/2025 only the provincial agencies.
    assert einvoice.endswith("sở, ban, ngành (số liệu cấp tỉnh)")
    assert "đơn vị cấp huyện" in einvoice
    assert row("pilot_communes").endswith("—")


def _text_of(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


@pytest.mark.django_db
def test_docs_indicator_table_is_the_catalogue(catalogue):
    """docs/INDICATORS.md is regenerated with `manage.py indicator_table` when the catalogue
    changes; a stale copy fails here."""
    from pathlib import Path

    from django.conf import settings

    from targets.selectors import reporting_table_markdown

    shipped = (Path(settings.BASE_DIR) / "docs" / "INDICATORS.md").read_text(encoding="utf-8")
    assert shipped == reporting_table_markdown()

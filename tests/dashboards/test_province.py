"""Province overview: cards per target from attainment rows, provisional switch, periods."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from attainment.models import Attainment
from reports.models import RecomputeRequest, ReportStatus
from tests.dashboards.helpers import C1, FEB, JAN, add_ratio, grow, make_report

URL = reverse("dashboards:province")


def card(html: str, code: str) -> str:
    """The HTML of the first card of an indicator."""
    start = html.index('<article class="card h-100 dash-card border-')
    start = html.index(f'data-card="{code}"', start)
    return html[start : html.index("</article>", start)]


@pytest.mark.django_db
def test_target_card_shows_actual_in_vietnamese_format_and_status(
    client, steering_user, dash_world
):
    client.force_login(steering_user)
    html = client.get(URL, {"period": "2024-01"}).content.decode()
    text = card(html, "work_records_online")
    # (30 + 10 + 45) / (100 + 50 + 60) = 40,476…%: shown with a decimal comma.
    assert "40,5%" in text
    # 20% → 40,5% in 12 months is 1,7 points/month; 90% by 12/2025 needs 2: needs acceleration.
    assert 'data-status="needs_acceleration"' in text and "Cần tăng tốc" in text
    assert "31/12/2025" in text
    # Share reached (40,5 − 20) / (90 − 20) = 29%, as the progress bar's value.
    assert 'value="29"' in text
    assert 'id="spark-' in text


@pytest.mark.django_db
def test_overview_counts_statuses_lists_2025_targets_and_says_when_computed(
    client, steering_user, dash_world
):
    client.force_login(steering_user)
    response = client.get(URL, {"period": "2024-01"})
    html = response.content.decode()
    assert 'data-count="needs_acceleration">Cần tăng tốc: 1' in html
    # In 01/2024 the 2025 target is still to be reached: a card, no results section yet.
    assert "data-results=" not in html and "Kết quả năm 2025" not in html
    computed = Attainment.objects.order_by("-computed_at").first().computed_at
    local = computed.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert f"Tính lúc {local:%d/%m/%Y %H:%M}" in html
    # The monitoring indicator (no target) is listed apart with its value.
    assert "Chỉ số theo dõi" in html and "120 người" in html


@pytest.mark.django_db
def test_default_month_is_the_latest_with_rows(client, steering_user, dash_world):
    client.force_login(steering_user)
    latest = Attainment.objects.filter(provisional=False).latest("period").period
    assert client.get(URL).context["choice"].period == latest


@pytest.mark.django_db
def test_2025_target_gets_its_final_verdict_after_the_deadline(
    client, steering_user, dash_world, camau
):
    from attainment.engine import attainment_recompute

    december = dt.date(2025, 12, 1)
    report = make_report(division=camau["967"], period=december)
    add_ratio(dash_world["indicator"], camau, C1, december, 81, 100, report=report)
    attainment_recompute()
    client.force_login(steering_user)
    html = client.get(URL, {"period": "2026-01"}).content.decode()
    # Judged on the 2025 value at the deadline: 81% < 90% → not met.
    row = html[html.index('data-results="2025"') :]
    assert 'data-status="not_met"' in row.split("</table>")[0]
    assert "Không đạt mục tiêu khi đến hạn" in html


@pytest.mark.django_db
def test_2025_target_with_only_older_figures_says_no_data_for_2025(
    client, steering_user, dash_world
):
    """January 2024's 40,5% is not a 2025 figure: the 2025 verdict cannot rest on it."""
    client.force_login(steering_user)
    html = client.get(URL, {"period": "2026-01"}).content.decode()
    table = html[html.index('data-results="2025"') :]
    table = table.split("</table>")[0]
    assert 'data-status="no_data"' in table and "not_met" not in table
    assert "Chưa có số liệu năm 2025" in table


@pytest.mark.django_db
def test_unreadable_month_says_so_and_falls_back_to_latest(client, steering_user, dash_world):
    client.force_login(steering_user)
    response = client.get(URL, {"period": "tháng 13"})
    assert response.status_code == 200
    assert "Không đọc được kỳ" in response.content.decode()
    assert response.context["choice"].period == Attainment.objects.latest("period").period


@pytest.mark.django_db
def test_provisional_switch_shows_submitted_values_marked(client, steering_user, dash_world, camau):
    ind = dash_world["indicator"]
    submitted = make_report(division=camau["967"], period=FEB, status=ReportStatus.SUBMITTED)
    add_ratio(ind, camau, C1, FEB, 95, 100, report=submitted)
    from attainment.engine import attainment_recompute

    attainment_recompute()
    province = camau["96"]
    approved = Attainment.objects.get(
        indicator=ind, division=province, period=FEB, provisional=False, target_key__gt=0
    )
    provisional = Attainment.objects.get(
        indicator=ind, division=province, period=FEB, provisional=True, target_key__gt=0
    )
    assert provisional.actual != approved.actual
    client.force_login(steering_user)

    plain = card(client.get(URL, {"period": "2024-02"}).content.decode(), "work_records_online")
    assert "tạm tính" not in plain
    assert f"{approved.actual:.1f}".replace(".", ",") + "%" in plain

    marked = card(
        client.get(URL, {"period": "2024-02", "provisional": "1"}).content.decode(),
        "work_records_online",
    )
    assert "data-provisional" in marked and "tạm tính" in marked
    assert f"{provisional.actual:.1f}".replace(".", ",") + "%" in marked


@pytest.mark.django_db
def test_pending_recompute_is_announced(client, steering_user, dash_world):
    RecomputeRequest.objects.create(
        division_path="96/", period_from=JAN, period_to=JAN, reason="approval"
    )
    client.force_login(steering_user)
    assert "đang chờ tính lại" in client.get(URL).content.decode()


@pytest.mark.django_db
def test_officer_reads_the_province_overview_and_user_without_role_is_refused(
    client, officer_b, no_role_user, dash_world
):
    client.force_login(officer_b)
    assert "40,5%" in client.get(URL, {"period": "2024-01"}).content.decode()
    client.force_login(no_role_user)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_empty_dashboard_says_nothing_computed_yet(client, steering_user, camau):
    client.force_login(steering_user)
    html = client.get(URL).content.decode()
    assert "Chưa có kết quả tính cho kỳ này." in html


@pytest.mark.django_db
def test_overview_query_count_is_pinned_and_constant_in_data_size(
    client, steering_user, dash_world, camau, count_queries, django_assert_max_num_queries
):
    client.force_login(steering_user)
    url = f"{URL}?period=2024-01&provisional=1"
    with django_assert_max_num_queries(12):
        _, before = count_queries(url)
    grow(camau, dash_world)
    assert Attainment.objects.count() > 3 * 100
    _, after = count_queries(url)
    assert after == before
    _, latest = count_queries(f"{URL}?period=2024-09&provisional=1")
    assert latest == before


@pytest.mark.django_db
def test_every_province_target_of_the_catalogue_has_a_card_even_without_figures(
    client, steering_user, camau, catalogue
):
    from targets.models import ScopeLevel, Target

    client.force_login(steering_user)
    response = client.get(URL)
    overview = response.context["overview"]
    cards = overview.cards + overview.result_cards
    expected = Target.objects.filter(scope_level=ScopeLevel.PROVINCE).count()
    assert expected > 5 and len(cards) == expected
    assert {c.status for c in cards} == {"no_data"}
    html = response.content.decode()
    assert html.count('data-status="no_data"') >= expected
    assert "Chưa có số liệu đã duyệt." in html

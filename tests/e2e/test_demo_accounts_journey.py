"""Browser journey over the demo of `make run`: the real seed commands fill the live server's
database, every demo account signs in and its landing page leads to work it can do this month;
then the month's work is done: the officer of a new commune-level unit (Xã Biển Bạch) and the
provincial agency's officer enter and submit the last closed month, steering staff return one
with a reason and approve the other, the dashboard shows the approved figure; the commune answers
the return, steering approves it and the commune's dashboard shows it too."""

from __future__ import annotations

import os

import pytest

from attainment.models import Attainment
from core import months as periods
from devtools.management.commands.seed_accounts import DEMO_PASSWORD
from reports.models import DataValue, Report, ReportStatus
from tests.e2e.conftest import login, shot, swapped

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.e2e

COMMUNE, PROVINCE = "32069", "96"
COMMUNE_RATIO, PROVINCE_RATIO = "work_records_online", "dvctt_level4_multichannel"
RETURN_REASON = "Mẫu số hồ sơ công việc chưa khớp với hệ thống quản lý văn bản, đề nghị kiểm tra."


def run_journey(browser, live_server, journey, sessions: dict) -> None:
    """`journey(open_as)` on the session's browser, signing in with the demo accounts'
    password; every page it opened is closed afterwards.

    An account signed in by an earlier journey of the test opens its home page in that
    session (`sessions`: username → storage state) instead of signing in again."""
    contexts = []

    def open_as(username: str):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1366, "height": 900},
            storage_state=sessions.get(username),
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.console_errors = []
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        # "Gửi báo cáo" and "Duyệt và khoá" ask for confirmation: say yes.
        page.on("dialog", lambda dialog: dialog.accept())
        if username in sessions:
            page.goto("/")
        else:
            login(page, username, DEMO_PASSWORD)
            sessions[username] = context.storage_state()
        return page

    try:
        journey(open_as)
    finally:
        for context in contexts:
            context.close()


def assert_real_page(page) -> None:
    text = page.content()
    assert "Không tìm thấy" not in page.title() and "404" not in page.title(), page.url
    assert "Bạn không có quyền" not in text, page.url


def landing_pages(open_as, slug: str) -> None:
    expected = {
        "xa_bienbach": ("#work-report", f"/reports/{COMMUNE}/{slug}/"),
        "phuong_anxuyen": ("#work-report", f"/reports/32002/{slug}/"),
        "so_khcn": ("#work-report", f"/reports/{PROVINCE}/{slug}/"),
        "bcd": ("#work-review", "/reports/board/"),
        "xem": ("#work-dashboard", "/dashboard/"),
    }
    for username, (anchor, path) in expected.items():
        page = open_as(username)
        assert page.url.endswith("/"), page.url  # signed in: the home page
        page.click(anchor)
        page.wait_for_load_state()
        assert page.url.endswith(path), (username, page.url)
        assert_real_page(page)
        if anchor == "#work-report":
            assert page.locator("button:has-text('Gửi báo cáo')").count() == 1, username
        page.context.close()
    leader = open_as("totruong")
    leader.click("#work-teams a")
    leader.wait_for_load_state()
    assert "/teams/" in leader.url and "Xã Biển Bạch" in leader.content()
    assert_real_page(leader)
    leader.context.close()
    for username in ("huyen_thoibinh", "huyen_umin"):
        page = open_as(username)
        assert "Tài khoản lịch sử" in page.locator("#history-banner").inner_text()
        page.click("#home-work li a >> nth=0")
        page.wait_for_load_state()
        assert "/2025-06/" in page.url
        assert_real_page(page)
        assert page.locator("button:has-text('Gửi báo cáo')").count() == 0
        assert page.locator("#history-banner").count() == 1
        page.context.close()


def enter_and_submit(page, unit: str, code: str, numerator: str, denominator: str) -> None:
    page.click("#work-report")
    page.wait_for_load_state()
    row = page.locator(f"#row-{unit}")
    row.locator(f'input[name="{code}__{unit}__numerator"]').fill(numerator)
    row.locator(f'input[name="{code}__{unit}__denominator"]').fill(denominator)
    with swapped(page, f"#row-{unit}"):
        row.locator("button", has_text="Lưu số liệu").click()
    try:
        page.wait_for_selector(f"#row-{unit} .badge", state="visible")
    except Exception as exc:  # say what the row shows instead of a bare timeout
        shot(page, f"demo-row-{unit}-not-saved")
        raise AssertionError(page.locator(f"#row-{unit}").inner_text()[:3000]) from exc
    assert "Đã lưu" in page.locator(f"#row-{unit}").inner_text()
    page.click("text=Gửi báo cáo")
    page.wait_for_load_state()
    assert "Đã gửi báo cáo" in page.content()


def month_of_work(open_as, slug: str, seen: list[str]) -> None:
    commune = open_as("xa_bienbach")
    enter_and_submit(commune, COMMUNE, COMMUNE_RATIO, "45", "60")
    shot(commune, "demo-commune-submitted")
    agency = open_as("so_khcn")
    enter_and_submit(agency, PROVINCE, PROVINCE_RATIO, "199", "200")

    steering = open_as("bcd")
    steering.click("#work-review")
    steering.wait_for_load_state()
    steering.click(f'#board a[href="/reports/{COMMUNE}/{slug}/"]')
    steering.wait_for_load_state()
    steering.fill("input[name=reason]", RETURN_REASON)
    steering.click("button:has-text('Trả lại')")
    steering.wait_for_load_state()
    steering.goto("/reports/board/")
    steering.click(f'#board a[href="/reports/{PROVINCE}/{slug}/"]')
    steering.wait_for_load_state()
    steering.click("button:has-text('Duyệt và khoá')")
    steering.wait_for_load_state()
    assert "đã khoá" in steering.content()

    # The commune officer's landing page now leads to the returned report, with the reason;
    # they answer it and send it again, and steering staff approve it too.
    commune.goto("/")
    assert RETURN_REASON in commune.locator("#home-work").inner_text()
    enter_and_submit(commune, COMMUNE, COMMUNE_RATIO, "48", "60")
    steering.goto(f"/reports/{COMMUNE}/{slug}/")
    steering.click("button:has-text('Duyệt và khoá')")
    steering.wait_for_load_state()
    assert "đã khoá" in steering.content()
    steering.goto(f"/dashboard/indicator/{COMMUNE_RATIO}/?division={COMMUNE}&period={slug}")
    seen.append(steering.locator("main").inner_text())
    steering.goto(f"/dashboard/?period={slug}")
    assert "99,5%" in steering.locator(f'[data-card="{PROVINCE_RATIO}"]').first.inner_text()
    shot(steering, "demo-dashboard-approved-province-figure")
    for page in (commune, agency, steering):
        assert page.console_errors == [], page.console_errors


@pytest.mark.django_db(transaction=True)
def test_demo_accounts_land_on_work_and_do_the_months_work(browser, live_server, make_run_demo):
    last = periods.previous_month(periods.current_month())
    slug = f"{last:%Y-%m}"
    sessions: dict = {}
    run_journey(browser, live_server, lambda open_as: landing_pages(open_as, slug), sessions)
    commune_card: list[str] = []
    run_journey(
        browser,
        live_server,
        lambda open_as: month_of_work(open_as, slug, commune_card),
        sessions,
    )

    reports = {
        r.division.code: r
        for r in Report.objects.filter(period=last, division__code__in=[COMMUNE, PROVINCE])
        .select_related("division")
        .filter(division__valid_to__isnull=True)
    }
    assert reports[COMMUNE].status == ReportStatus.APPROVED
    transitions = list(reports[COMMUNE].transitions.values_list("to_status", "reason"))
    assert (ReportStatus.RETURNED, RETURN_REASON) in transitions
    # The commune's indicator page shows its approved year-to-date share, as the attainment
    # row has it.
    actual = set(
        Attainment.objects.filter(
            indicator__code=COMMUNE_RATIO,
            division=reports[COMMUNE].division,
            period=last,
            provisional=False,
        ).values_list("actual", flat=True)
    )
    assert len(actual) == 1, actual
    shown = f"{actual.pop():.1f}".replace(".", ",").removesuffix(",0")
    assert shown in commune_card[0], (shown, commune_card)
    assert reports[PROVINCE].status == ReportStatus.APPROVED
    figure = DataValue.objects.get(
        indicator__code=PROVINCE_RATIO, division__code=PROVINCE, period=last
    )
    assert (figure.numerator, figure.denominator) == (199, 200)
    assert figure.updated_by.username == "so_khcn"

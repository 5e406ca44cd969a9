"""Browser checks of the report entry page over the demo of `make run`: every role's report
page fits a 375 px phone and a 1,366 px laptop without horizontal scrolling, and a commune
officer enters and submits a whole report with the keyboard alone, seeing where the focus is."""

from __future__ import annotations

import os

import pytest

from core import months as periods
from devtools.management.commands.seed_accounts import DEMO_PASSWORD
from reports.models import DataValue, Report, ReportStatus
from tests.e2e.conftest import login, shot, swapped

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 900}
COMMUNE, PROVINCE = "32069", "96"
NUMBER_FIELDS = ("__value", "__numerator", "__denominator")


def open_as(browser, live_server, username: str, viewport: dict, sessions: dict):
    """A page of its own for `username`, signed in; an account signed in earlier in the test
    reuses that session (`sessions`: username → storage state) rather than signing in again."""
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, storage_state=sessions.get(username)
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("dialog", lambda dialog: dialog.accept())
    if username not in sessions:
        login(page, username, DEMO_PASSWORD)
        sessions[username] = context.storage_state()
    return page


def overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def last_slug() -> str:
    return f"{periods.previous_month(periods.current_month()):%Y-%m}"


@pytest.mark.django_db(transaction=True)
def test_report_pages_fit_the_screen_then_a_report_is_entered_by_keyboard(
    browser, live_server, make_run_demo
):
    # One test: the demo is loaded once (a second transactional load would redo it all).
    sessions: dict = {}
    for viewport in (PHONE, LAPTOP):
        fits_the_screen(browser, live_server, viewport, sessions)
    keyboard_only_entry(browser, live_server, sessions)


def fits_the_screen(browser, live_server, viewport, sessions: dict) -> None:
    slug = last_slug()
    pages = {
        "xa_bienbach": [f"/reports/{COMMUNE}/{slug}/"],
        "phuong_anxuyen": ["/reports/"],  # its returned report first
        "so_khcn": [f"/reports/{PROVINCE}/{slug}/"],
        "bcd": [
            f"/reports/{COMMUNE}/{slug}/",
            f"/reports/{PROVINCE}/{slug}/",
            "/reports/967/2025-06/",
        ],
    }
    for username, paths in pages.items():
        page = open_as(browser, live_server, username, viewport, sessions)
        for path in paths:
            page.goto(path)
            assert page.locator("#grid-form").count() == 1, (username, page.url)
            width, screen = overflow(page)
            if width > screen:
                shot(page, f"report-overflow-{username}-{viewport['width']}")
            assert width <= screen, (username, page.url, width, screen)
        if username == "xa_bienbach":
            # A one-unit report is a form of indicators grouped by pillar, not a wide table.
            assert page.locator(".report-grid").count() == 0
            assert page.locator(".pillar-group h2").count() >= 2
            shot(page, f"reports-entry-form-{viewport['width']}")
        page.context.close()


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName, name: el.name || "", id: el.id || "", text: el.innerText || "",
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== "none",
            };
        }"""
    )


def typed_value(name: str) -> str:
    """Values every rule accepts: a ratio of 45/60, counts above any stock of last month."""
    if name.endswith("__numerator"):
        return "45"
    if name.endswith("__denominator"):
        return "60"
    return "900"


def keyboard_only_entry(browser, live_server, sessions: dict) -> None:
    """Tab, typing and Enter only: every number of the month, saved, then submitted."""
    slug = last_slug()
    page = open_as(browser, live_server, "xa_bienbach", PHONE, sessions)
    page.goto(f"/reports/{COMMUNE}/{slug}/")
    numbers = page.locator("#grid-form input.num")
    expected = {n: typed_value(n) for n in numbers.evaluate_all("els => els.map(e => e.name)")}
    assert len(expected) >= 5
    typed, last_number = [], ""
    for _step in range(400):  # Tab through the page from its top, typing into each number
        page.keyboard.press("Tab")
        now = focused(page)
        if now["name"].endswith(NUMBER_FIELDS):
            assert now["outline"] or now["shadow"], now  # visible focus
            page.keyboard.press("Control+A")
            page.keyboard.type(expected[now["name"]])
            typed.append(now["name"])
            last_number = now["name"]
        if len(typed) == len(expected):
            break
    assert sorted(typed) == sorted(expected), typed
    # Enter in a number saves the whole form (htmx) and keeps the focus in that number.
    with swapped(page, f"#row-{COMMUNE}"):
        page.keyboard.press("Enter")
    page.wait_for_selector(f"#row-{COMMUNE} .badge", state="visible")
    assert "Đã lưu" in page.locator(f"#row-{COMMUNE}").inner_text()
    assert focused(page)["name"] == last_number
    saved = DataValue.objects.filter(division__code=COMMUNE, period=f"{slug}-01", source="manual")
    assert saved.count() == len({n.rsplit("__", 1)[0] for n in expected})
    for _step in range(40):  # on to "Gửi báo cáo", past the notes and the save button
        page.keyboard.press("Tab")
        now = focused(page)
        if "Gửi báo cáo" in now["text"]:
            break
    assert now["tag"] == "BUTTON" and (now["outline"] or now["shadow"]), now
    shot(page, "reports-entry-keyboard-submit-focus")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Đã gửi báo cáo" in page.content()
    report = Report.objects.get(
        division__code=COMMUNE, division__valid_to__isnull=True, period=f"{slug}-01"
    )
    assert report.status == ReportStatus.SUBMITTED
    assert page.console_errors == []
    page.context.close()

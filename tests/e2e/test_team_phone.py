"""The Tổ CNSCĐ pages on a 375×812 phone, over the demo of `make run`: the team leader finds
"record an activity" on the first screen, the team page stays a few screens tall (recent months
compact, older ones folded), and no teams page of any role scrolls sideways."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from devtools.management.commands.seed_accounts import DEMO_PASSWORD
from teams.models import Team
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
# A few phone screens: the team page once was 16,700 px with the 44-month table on top.
MAX_TEAM_PAGE_HEIGHT = 6 * PHONE["height"]


def phone_375(browser, live_server):
    """A 375×812 touch page of its own (one per account: separate sign-ins)."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return context, page


def fits(page, url: str, name: str) -> int:
    """Open `url`, screenshot it, assert no sideways scrolling; returns the page height."""
    response = page.goto(url)
    assert response.status == 200, f"{url}: HTTP {response.status}"
    shot(page, f"teams-375-{name}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} is {width}px wide on a 375px phone"
    return page.evaluate("document.documentElement.scrollHeight")


# One test for every role: the demo world is loaded once (each load costs about a minute).
@pytest.mark.django_db(transaction=True)
def test_teams_pages_fit_a_375px_phone_for_every_role(live_server, make_run_demo, browser):
    context, page = phone_375(browser, live_server)
    try:
        leader_pages(page, make_run_demo["totruong"])
    finally:
        context.close()
    team = Team.objects.filter(commune__code="32069").order_by("pk").first()
    for username in ("xa_bienbach", "bcd", "xem"):
        context, page = phone_375(browser, live_server)
        try:
            role_pages(page, username, team)
        finally:
            context.close()


def leader_pages(page, leader) -> None:
    team = Team.objects.led_by(leader).get()
    member = team.members.filter(left_on__isnull=True).first()
    activity = team.activities.order_by("-date").first()
    assert team.activities.dates("date", "month").count() > 12  # the demo has long history
    login(page, "totruong", DEMO_PASSWORD)

    height = fits(page, f"/teams/{team.pk}/", "team")
    assert height <= MAX_TEAM_PAGE_HEIGHT, f"team page is {height}px tall"
    # The most used action is on the first screen, before the member list.
    action = page.locator("#activity-add").bounding_box()
    assert action["y"] + action["height"] <= PHONE["height"]
    assert action["y"] < page.locator("#member-list").bounding_box()["y"]
    # Recent months compact; every month one tap away.
    recent = page.locator("#monthly-totals tbody tr")
    assert 1 <= recent.count() <= 12
    page.locator("#monthly-all summary").click()
    assert (
        page.locator("#monthly-all tbody tr").count()
        == team.activities.dates("date", "month").count()
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    for url, name in [
        ("/teams/", "list"),
        (f"/teams/{team.pk}/activities/new/", "activity-form"),
        (f"/teams/{team.pk}/members/new/", "member-form"),
        (f"/teams/{team.pk}/members/import/", "member-import"),
        (f"/teams/members/{member.pk}/edit/", "member-edit"),
        (f"/teams/members/{member.pk}/leave/", "member-leave"),
        (f"/teams/activities/{activity.pk}/edit/", "activity-edit"),
        (f"/teams/{team.pk}/?activities=all", "team-all-activities"),
        ("/teams/pilot/", "pilot"),
    ]:
        fits(page, url, f"leader-{name}")
    import_through_libreoffice(page, team)
    assert page.console_errors == []


def role_pages(page, username: str, team: Team) -> None:
    login(page, username, DEMO_PASSWORD)
    fits(page, "/teams/", f"{username}-list")
    fits(page, "/teams/?commune=32069", f"{username}-list-commune")
    height = fits(page, f"/teams/{team.pk}/", f"{username}-team")
    assert height <= MAX_TEAM_PAGE_HEIGHT, f"team page is {height}px tall for {username}"
    fits(page, "/teams/pilot/", f"{username}-pilot")
    if username != "xem":
        fits(page, f"/teams/{team.pk}/edit/", f"{username}-team-edit")
        fits(page, "/teams/new/", f"{username}-team-new")
    assert page.console_errors == []


def import_through_libreoffice(page, team: Team) -> None:
    """A members CSV saved by LibreOffice: phone without its 0, date as dd/mm/yy."""
    fits(page, f"/teams/{team.pk}/members/import/", "leader-import-before")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "thanh-vien.csv"
        path.write_text(
            '"Họ và tên","Vai trò","Đơn vị, đoàn thể","Số điện thoại","Ngày tham gia","Ghi chú"\n'
            "Lâm Thị Mỹ Xuyên,Tổ viên,Hội Liên hiệp Phụ nữ,912345679,15/03/25,\n",
            encoding="utf-8",
        )
        page.set_input_files("input[name=file]", str(path))
        page.click("button:has-text('Xem trước')")
        page.wait_for_selector("#import-preview")
    preview = page.locator("#import-preview").inner_text()
    assert "Hội Liên hiệp Phụ nữ" in preview and "0912 345 679" in preview
    assert "15/03/2025" in preview and "thêm số 0" in preview
    shot(page, "teams-375-leader-import-preview")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"import preview is {width}px wide"

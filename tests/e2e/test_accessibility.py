"""Accessibility in the browser: axe-core (vendored in static/vendor/axe-core) over every page
each role can reach from its home page, at laptop and phone size, on the demo of `make run`;
keyboard focus is drawn; the home page's actions look like links.

"Every page" is found by following the links a role sees, from the home page, once per URL
pattern (a page per view: one indicator page stands for all). Downloads, the admin (Django's
own markup) and the API are left out.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import Resolver404, resolve

from devtools.management.commands.seed_accounts import DEMO_PASSWORD
from tests.e2e.conftest import _new_page, login, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.e2e

AXE_PATH = finders.find("vendor/axe-core/axe.min.js")
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
LAPTOP = {"viewport": {"width": 1366, "height": 900}}
ROLES = {
    "anonymous": None,
    "steering": "bcd",
    "province_officer": "so_khcn",
    "commune_officer": "xa_bienbach",
    "team_leader": "totruong",
    "viewer": "xem",
}
SKIPPED_PREFIXES = ("/admin/", "/api/", "/i18n/", "/static/", "/accounts/logout/")
SKIPPED_SUFFIXES = (".xlsx", ".csv")
MAX_PAGES = 60

# Violations in pages other engineers own, reported to them, waiting for their fix:
# (view name, axe rule id). Remove an entry when its page is fixed.
PENDING: set[tuple[str, str]] = set()

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


def view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def page_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    links = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_SUFFIXES):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def check(page, role: str, size: str, name: str, address: str, violations: list) -> None:
    """axe over the page open at `address` (`name` its view); the serious or critical
    violations not pending are added to `violations`; the key screens are photographed."""
    for violation in page.evaluate(RUN_AXE):
        if (name, violation["id"]) not in PENDING:
            violations.append((size, address, violation))
    if name in ("home", "dashboards:province", "dashboards:open_data"):
        shot(page, f"a11y-{role}-{size}-{name.replace(':', '-')}")


def crawl_and_check(page, role: str, size: str, violations: list) -> dict[str, str]:
    """{view name: first address seen} of the pages reachable from the home page; every link
    followed opens (a dead link is a stumble too). Each page is checked while it is open for
    its links, rather than opened a second time for axe."""
    found, queue, broken, checked = {"home": "/"}, [("home", "/")], [], set()
    while queue and len(found) <= MAX_PAGES:
        name, address = queue.pop(0)
        response = page.goto(address)
        if response.status >= 400:
            broken.append((page.url, response.status))
            continue
        for link in page_links(page):
            link_name = view_name(urlsplit(link).path)
            if link_name and link_name not in found:
                found[link_name] = link
                queue.append((link_name, link))
        check(page, role, size, name, address, violations)
        checked.add(name)
    assert not broken, broken
    for name, address in found.items():  # found but not followed: past MAX_PAGES
        if name not in checked:
            page.goto(address)
            check(page, role, size, name, address, violations)
    return found


def axe_page(browser, live_server, options: dict, **context_kwargs):
    """A page of a context that has axe-core in every document it opens, put there before the
    page's own scripts run (the Content-Security-Policy does not apply): no request for the
    script and no script tag per page. The pages load nothing after their `load` event (no
    htmx requests on load), so axe runs once `goto` returns."""
    context, page = _new_page(browser, live_server, **options, **context_kwargs)
    context.add_init_script(path=AXE_PATH)
    return context, page


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_has_no_serious_axe_violation(
    role, browser, live_server, make_run_demo
):
    violations = []
    context, page = axe_page(browser, live_server, LAPTOP)
    if ROLES[role]:
        login(page, ROLES[role], DEMO_PASSWORD)
    found = crawl_and_check(page, role, "laptop", violations)
    # The phone opens the same pages in the same session (one sign-in per role).
    signed_in = context.storage_state()
    context.close()
    context, page = axe_page(browser, live_server, PHONE, storage_state=signed_in)
    for name, address in found.items():
        page.goto(address)
        check(page, role, "phone", name, address, violations)
    context.close()
    assert len(found) > 3, found
    assert not violations, "\n".join(map(str, violations))


def test_keyboard_reaches_the_main_nav_with_a_visible_focus_ring(page, make_run_demo):
    login(page, "xa_bienbach", DEMO_PASSWORD)
    page.goto("/")
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate(
                """() => { const el = document.activeElement, style = getComputedStyle(el);
                return {inNav: !!el.closest('nav.navbar') && el.matches('a.nav-link'),
                        outline: style.outlineStyle, width: parseFloat(style.outlineWidth)}; }"""
            )
        )
    in_nav = [f for f in focused if f["inNav"]]
    assert in_nav, focused
    assert in_nav[0]["outline"] == "solid" and in_nav[0]["width"] >= 2, in_nav[0]
    shot(page, "a11y-keyboard-focus-nav")


def test_home_page_actions_look_like_links(page, make_run_demo):
    login(page, "xa_bienbach", DEMO_PASSWORD)
    page.goto("/")
    styles = page.evaluate(
        """() => { const probe = document.createElement('a'); probe.href = '#';
        document.querySelector('main').appendChild(probe);
        const link = getComputedStyle(probe).color;
        return [...document.querySelectorAll('#home-links a')].map(a => {
          const s = getComputedStyle(a);
          return {text: a.textContent.trim(), link: s.color === link,
                  underline: s.textDecorationLine.includes('underline')}; }); }"""
    )
    assert styles, "no home-page actions"
    assert all(s["link"] and s["underline"] for s in styles), styles

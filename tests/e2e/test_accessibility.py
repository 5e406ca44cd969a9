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
from django.urls import Resolver404, resolve

from devtools.management.commands.seed_accounts import DEMO_PASSWORD
from tests.e2e.conftest import _new_page, login, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.e2e

AXE = "/static/vendor/axe-core/axe.min.js"
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


def crawl(page) -> dict[str, str]:
    """{view name: first address seen} of the pages reachable from the home page; every link
    followed opens (a dead link is a stumble too)."""
    found, queue, broken = {"home": "/"}, ["/"], []
    while queue and len(found) <= MAX_PAGES:
        response = page.goto(queue.pop(0))
        if response.status >= 400:
            broken.append((page.url, response.status))
            continue
        for link in page_links(page):
            name = view_name(urlsplit(link).path)
            if name and name not in found:
                found[name] = link
                queue.append(link)
    assert not broken, broken
    return found


def axe_violations(page, address: str) -> list[dict]:
    # The pages load nothing after their `load` event (no htmx requests on load), so waiting
    # for the network to idle (500 ms per page, hundreds of pages) would buy nothing.
    page.goto(address, wait_until="load")
    page.add_script_tag(url=AXE)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_has_no_serious_axe_violation(
    role, browser, live_server, make_run_demo
):
    found, violations = {}, []
    for size, options in (("laptop", LAPTOP), ("phone", PHONE)):
        context, page = _new_page(browser, live_server, **options)
        if ROLES[role]:
            login(page, ROLES[role], DEMO_PASSWORD)
        found = found or crawl(page)
        for name, address in found.items():
            for violation in axe_violations(page, address):
                if (name, violation["id"]) not in PENDING:
                    violations.append((size, address, violation))
            if name in ("home", "dashboards:province", "dashboards:open_data"):
                shot(page, f"a11y-{role}-{size}-{name.replace(':', '-')}")
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

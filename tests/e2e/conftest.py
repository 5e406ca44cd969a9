"""Browser journeys: Playwright (Python) driving Debian's Chromium against the live server.

Screenshots of key screens go to tests/e2e/screenshots/ (CI lists them at the end of its run).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django must allow ORM calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


def _new_page(browser, live_server, **context_kwargs):
    context = browser.new_context(base_url=live_server.url, **context_kwargs)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A laptop-sized page; its console errors are collected in `page.console_errors`."""
    context, p = _new_page(browser, live_server, viewport={"width": 1366, "height": 900})
    yield p
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page (390×844, touch)."""
    context, p = _new_page(
        browser, live_server, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    yield p
    context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot of a key screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    # The click returns once the answer's page has replaced the form (Playwright waits for the
    # navigation it starts); the pages load nothing after their `load` event, so waiting for
    # the network to idle as well would add half a second to every sign-in.
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


@contextmanager
def swapped(page, box: str):
    """Wait, after the block, until htmx has put the server's answer in place of `box`.

    A save swaps its box whole (outerHTML). The old copy may already show a "saved" badge
    from an earlier save, so waiting for the badge alone can return before the swap, and
    the next keystrokes then land in a row that is about to be replaced.
    """
    page.locator(box).evaluate("el => el.setAttribute('data-stale', '')")
    yield
    page.wait_for_selector(f"{box}:not([data-stale])", state="attached")

from __future__ import annotations

import pytest

from tests.divisions.factories import PASSWORD
from tests.e2e.conftest import login, shot


@pytest.mark.django_db(transaction=True)
def test_officer_logs_in_sees_own_district_and_switches_language(page, officer_a):
    login(page, "officer_a", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Cán bộ cấp huyện" in page.content()
    shot(page, "foundation-home-vi")

    page.click("text=Đơn vị hành chính trong phạm vi của bạn")
    page.wait_for_load_state()
    tree = page.locator("#division-tree")
    assert tree.locator('li[data-level="3"]').count() == 12
    assert tree.locator('li[data-code="966"]').count() == 0
    shot(page, "foundation-division-tree")

    page.click('button[data-lang="en"]')
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Administrative units" in page.content()
    shot(page, "foundation-tree-en")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_a_vietnamese_error(page, officer_a):
    login(page, "officer_a", "sai-mat-khau")
    assert "mật khẩu chính xác" in page.locator(".alert-danger").inner_text()
    assert page.console_errors == []

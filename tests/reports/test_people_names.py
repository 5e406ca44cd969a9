"""Report pages name people by their full name (as the top bar does), not by their login."""

from __future__ import annotations

import pytest

from core.people import person_name
from reports.services import FigureInput, data_values_upsert
from tests.reports.test_review_views import client_for, url

pytestmark = pytest.mark.django_db


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def bach(steering_user):
    return named(steering_user, "Văn Bạch", "Nguyễn")


@pytest.fixture
def lan(officer_a):
    return named(officer_a, "Thị Lan", "Trần")


def test_person_name_rule():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    assert person_name(User(username="bcd", first_name="Văn Bạch", last_name="Nguyễn")) == (
        "Văn Bạch Nguyễn"
    )
    assert person_name(User(username="bcd")) == "bcd"
    assert person_name(None) == ""


def test_return_notice_names_the_steering_officer(bach, lan, report_a_submitted):
    client_for(bach).post(url("return", report_a_submitted), {"reason": "Thiếu số liệu"})
    page = client_for(lan).get(url("entry", report_a_submitted)).content.decode()
    assert "Báo cáo bị trả lại:" in page
    assert '(<span lang="vi">Văn Bạch Nguyễn</span>, ' in page
    assert "(bcd, " not in page


def test_approval_notice_names_the_steering_officer(bach, lan, report_a_submitted):
    client_for(bach).post(url("approve", report_a_submitted))
    page = client_for(lan).get(url("entry", report_a_submitted)).content.decode()
    assert 'Báo cáo đã được <span lang="vi">Văn Bạch Nguyễn</span> duyệt lúc' in page
    assert "được bcd duyệt" not in page


def _history_cells(page: str) -> str:
    """The two history tables, without the top bar (which names the signed-in user anyway)."""
    return page[page.index('id="transitions"') :]


def test_history_names_who_acted_and_who_changed_figures(bach, lan, report_a, last_month):
    data_values_upsert(user=lan, rows=[FigureInput("people_guided", "32068", last_month, value=5)])
    client_for(lan).post(url("submit", report_a))
    client_for(bach).post(url("return", report_a), {"reason": "Sai số"})
    tables = _history_cells(client_for(bach).get(url("history", report_a)).content.decode())
    assert '<td><span lang="vi">Văn Bạch Nguyễn</span></td>' in tables
    assert '<td><span lang="vi">Thị Lan Trần</span></td>' in tables
    assert "<td>bcd</td>" not in tables and "officer_a" not in tables


def test_history_falls_back_to_the_username_without_a_name(officer_a, report_a, last_month):
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", "32068", last_month, value=5)]
    )
    tables = _history_cells(client_for(officer_a).get(url("history", report_a)).content.decode())
    assert '<td><span lang="vi">officer_a</span></td>' in tables


def test_history_queries_do_not_grow_with_the_people_named(
    bach, lan, report_a, last_month, django_assert_max_num_queries
):
    data_values_upsert(user=lan, rows=[FigureInput("people_guided", "32068", last_month, value=5)])
    viewer = client_for(bach)
    viewer.get(url("history", report_a))  # warm the session
    with django_assert_max_num_queries(40) as before:
        first = viewer.get(url("history", report_a))
    assert first.status_code == 200
    # Counted now: every request clears the query log the context reads from.
    queries = len(before.captured_queries)
    client_for(lan).post(url("submit", report_a))
    client_for(bach).post(url("return", report_a), {"reason": "Sai số"})
    for value in (6, 7):
        data_values_upsert(
            user=lan, rows=[FigureInput("people_guided", "32068", last_month, value=value)]
        )
    with django_assert_max_num_queries(queries):
        page = viewer.get(url("history", report_a)).content.decode()
    assert '<td><span lang="vi">Văn Bạch Nguyễn</span></td>' in _history_cells(page)


def test_person_name_filter_marks_the_name_vietnamese_and_escapes_it():
    from django.contrib.auth import get_user_model
    from django.template import engines

    render = engines["django"].from_string("{% load people %}[{{ u|person_name|default:'—' }}]")
    User = get_user_model()
    assert render.render({"u": User(username="x", first_name="<b>Lan</b>")}) == (
        '[<span lang="vi">&lt;b&gt;Lan&lt;/b&gt;</span>]'
    )
    assert render.render({"u": None}) == "[—]"

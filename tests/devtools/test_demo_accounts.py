"""The demo of `make run` in the present: accounts of the structure in force, figures that
follow the structure of each month up to the last closed one, and landing pages that lead every
demo account to work it can do this month (never a 404 or an empty page)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from core import months as periods
from divisions import access
from divisions.models import REORG_DATE
from reports.models import DataValue, Report, ReportStatus
from tests.conftest import demo_kept_open

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    "bcd",
    "so_khcn",
    "xa_bienbach",
    "phuong_anxuyen",
    "totruong",
    "xem",
    "huyen_thoibinh",
    "huyen_umin",
]


@pytest.fixture(scope="class")
def _demo_inserted(django_db_setup, django_db_blocker, _demo_world):
    """The demo of `make run` inserted once for the class (`tests.conftest.demo_kept_open`)."""
    yield from demo_kept_open(django_db_blocker, _demo_world)


@pytest.fixture
def demo(_demo_inserted, db):
    users = get_user_model().objects.in_bulk(field_name="username")
    return {name: users[name] for name in ACCOUNTS}


def last_closed() -> dt.date:
    return periods.previous_month(periods.current_month())


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_accounts_serve_the_structure_in_force(reorganised, settings):
    settings.DEBUG = True
    call_command("seed_accounts", stdout=io.StringIO())
    users = get_user_model().objects.in_bulk(ACCOUNTS, field_name="username")
    assert set(users) == set(ACCOUNTS)
    for name in ("xa_bienbach", "totruong"):
        scope = access.get_access(users[name]).scope
        assert (scope.code, scope.valid_from) == ("32069", REORG_DATE), name
        assert scope.name == "Xã Biển Bạch"
    assert access.can_change(users["xa_bienbach"], reorganised.new["32069"])
    assert access.get_access(users["phuong_anxuyen"]).scope == reorganised.new["32002"]
    for name, code in (("huyen_thoibinh", "967"), ("huyen_umin", "966")):
        acc = access.get_access(users[name])
        assert acc.scope == reorganised.old[code] and acc.is_history
        assert acc.actions == frozenset({access.Action.VIEW})
    # Running it again rescopes nothing and creates nobody.
    call_command("seed_accounts", stdout=io.StringIO())
    assert get_user_model().objects.filter(username__in=ACCOUNTS).count() == len(ACCOUNTS)


def work_link(page: str, anchor: str) -> str:
    match = re.search(rf'id="{anchor}" href="([^"]+)"|href="([^"]+)"[^>]*id="{anchor}"', page)
    assert match, f"no #{anchor} on the home page"
    return match.group(1) or match.group(2)


class TestTheDemoOfMakeRun:
    """The tests on the demo itself, which share its insertion (`_demo_inserted`)."""

    def test_demo_follows_the_structure_of_each_month_to_the_last_closed_one(self, demo):
        last = last_closed()
        reports = Report.objects.select_related("division")
        assert not reports.filter(period__gt=last).exists()
        by_month = {}
        for r in reports.filter(period__in=[dt.date(2025, 6, 1), dt.date(2025, 7, 1), last]):
            by_month.setdefault(r.period, []).append(r)
        june = {r.division.level for r in by_month[dt.date(2025, 6, 1)]}
        july = {r.division.level for r in by_month[dt.date(2025, 7, 1)]}
        assert june == {1, 2} and july == {1, 3}  # districts until 06/2025, communes from 07/2025
        # The province's own figures in every month.
        months = periods.months_between(periods.REPORTING_START, last)
        assert reports.filter(division__code="96").count() == len(months)
        assert DataValue.objects.filter(division__code="96", period=last).exists()
        # Older months approved; the last closed one a mix with exactly one returned report.
        assert set(reports.filter(period__lt=last).values_list("status", flat=True)) == {
            ReportStatus.APPROVED
        }
        statuses = {r.division.code: r.status for r in by_month[last]}
        assert statuses["32069"] == statuses["96"] == ReportStatus.DRAFT
        assert statuses["32002"] == ReportStatus.RETURNED
        assert list(statuses.values()).count(ReportStatus.RETURNED) == 1
        assert ReportStatus.SUBMITTED in statuses.values()
        assert len(statuses) < 65  # some units have not started
        report = Report.objects.get(
            division__code="32069", division__valid_from=REORG_DATE, period=last
        )
        assert report.created_by == demo["xa_bienbach"]
        assert set(DataValue.objects.values_list("note", flat=True)) >= {"Dữ liệu minh hoạ"}

    def test_every_landing_page_leads_to_work_of_this_month(self, demo):
        last = f"{last_closed():%Y-%m}"
        expected = {
            "xa_bienbach": ("work-report", f"/reports/32069/{last}/"),
            "phuong_anxuyen": ("work-report", f"/reports/32002/{last}/"),
            "so_khcn": ("work-report", f"/reports/96/{last}/"),
            "bcd": ("work-review", "/reports/board/"),
            "xem": ("work-dashboard", "/dashboard/"),
        }
        for name, (anchor, url) in expected.items():
            c = client_for(demo[name])
            home = c.get("/").content.decode()
            assert work_link(home, anchor) == url, name
            target = c.get(url)
            assert target.status_code == 200, (name, url)
            index = c.get("/reports/", follow=True)
            assert index.status_code == 200, name
        # The returned report comes with its reason; steering sees what waits for approval.
        assert "Lý do trả lại" in client_for(demo["phuong_anxuyen"]).get("/").content.decode()
        waiting = Report.objects.filter(status=ReportStatus.SUBMITTED).count()
        home = client_for(demo["bcd"]).get("/").content.decode()
        assert f"{waiting} báo cáo đang chờ duyệt" in home and 'id="work-waiting"' in home
        # The team leader goes to their team, a team now under Xã Biển Bạch.
        c = client_for(demo["totruong"])
        team_url = re.search(
            r'id="work-teams">.*?href="(/teams/\d+/)"', c.get("/").content.decode(), re.S
        )
        assert team_url, "the team leader's home page names no team"
        assert c.get(team_url.group(1)).status_code == 200

    def test_history_accounts_land_on_their_old_reports_read_only(self, demo):
        for name, unit in (("huyen_thoibinh", "Huyện Thới Bình"), ("huyen_umin", "Huyện U Minh")):
            c = client_for(demo[name])
            home = c.get("/").content.decode()
            assert f"Tài khoản lịch sử: {unit} đã kết thúc ngày 30/06/2025" in home
            links = re.findall(r'href="(/reports/\d+/2025-0\d/)"', home)
            assert links and all(link.endswith("2025-06/") for link in links[:1])
            page = c.get(links[0])
            assert page.status_code == 200 and page.context["can_edit"] is False
            assert "Gửi báo cáo" not in page.content.decode()
            index = c.get("/reports/")
            assert index.status_code == 200 and 'id="index-history"' in index.content.decode()
            assert index.context["reports"], name


def test_landing_page_queries_do_not_grow_with_waiting_reports(
    reorganised, django_assert_max_num_queries
):
    from tests.attainment.test_attainment import make_report
    from tests.divisions.factories import make_user

    steering = make_user("steering", "96", username="bcd")
    last = last_closed()
    communes = [u for u in reorganised.new.values() if u.level == 3]
    for unit in communes[:3]:
        make_report(division=unit, period=last, status=ReportStatus.SUBMITTED)
    c = client_for(steering)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert "3 báo cáo đang chờ duyệt" in c.get("/").content.decode()
    for unit in communes[3:30]:
        make_report(division=unit, period=last, status=ReportStatus.SUBMITTED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "30 báo cáo đang chờ duyệt" in c.get("/").content.decode()

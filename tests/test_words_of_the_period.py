"""Words of the period: no page of a month after 06/2025 says "huyện" (the districts ended on
30/06/2025), except in clearly historical context.

The demo is built as `make run` builds it (the real divisions and catalogue, demo accounts,
teams and figures), then every page a present demo account reaches for a 2026 month is
rendered and read as a user reads it (visible text).
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core import mail
from django.test import Client

from core import months as periods
from reports.models import due_date_for
from reports.reminders import REMINDER_DAYS_BEFORE, reminders_send

pytestmark = pytest.mark.django_db

PRESENT_ACCOUNTS = ["bcd", "so_khcn", "xa_bienbach", "phuong_anxuyen", "totruong", "xem"]
HUYEN = re.compile(r"huyện", re.IGNORECASE)
# A sentence naming a district is fine when it says it is about the time before 07/2025.
HISTORICAL = re.compile(
    r"trước 0?7/2025|trước 01/07/2025|đến 0?6/2025|30/0?6/2025|lịch sử|cũ\b", re.IGNORECASE
)


@pytest.fixture
def demo(make_run_demo):
    """The demo of `make run`: accounts, teams, figures (the last closed month is a mix)."""
    return {name: make_run_demo[name] for name in PRESENT_ACCOUNTS}


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles or tags; the history banner is history."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r'<div[^>]*id="history-banner".*?</div>', " ", page, flags=re.S)
    page = re.sub(r"<br\s*/?>|</(p|li|tr|td|th|div|h\d|option|dd|dt|span|a)>", "\n", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def offending(text: str) -> list[str]:
    """Sentences that say "huyện" outside a historical context (a quotation «…» of the 2022
    resolution is history too)."""
    found = []
    text = re.sub(r"«[^»]*»", " ", text)
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.;!?])\s+", line):
            if HUYEN.search(sentence) and not HISTORICAL.search(sentence):
                found.append(" ".join(sentence.split())[:160])
    return found


def pages_for(username: str, scope_code: str, team_id: int | None) -> list[str]:
    """Every page the account reaches from its landing page and the menu, for the last
    closed month (2026) where the page takes a month."""
    last = periods.previous_month(periods.current_month())
    slug, year = f"{last:%Y-%m}", last.year
    commune = scope_code if scope_code != "96" else "32069"
    urls = ["/", "/reports/", "/dashboard/", f"/dashboard/?period={slug}"]
    urls += [f"/dashboard/districts/?period={slug}", f"/dashboard/districts/?period={year}-01"]
    urls += [f"/dashboard/division/{commune}/?period={slug}", "/dashboard/open-data/"]
    urls += [f"/dashboard/indicator/work_records_online/?period={slug}"]
    urls += ["/targets/methodology/", "/teams/", f"/teams/?commune={commune}"]
    urls += ["/targets/", "/targets/work_records_online/", "/targets/people_guided/"]
    urls += [f"/targets/programmes/{code}/" for code in ("05-nq-tu", "2629-qd-ttg", "0280-kh-ubnd")]
    if username in ("bcd", "xa_bienbach", "phuong_anxuyen"):
        urls.append(f"/reports/{commune}/{slug}/")
    if username in ("bcd", "so_khcn"):
        urls.append(f"/reports/96/{slug}/")
    if username == "bcd":
        urls += ["/reports/board/", "/reports/board/?months=12"]
    if team_id is not None and commune == "32069":
        urls.append(f"/teams/{team_id}/")
    return urls


def test_no_page_of_a_2026_month_says_huyen(demo):
    from teams.models import Team

    team = Team.objects.led_by(demo["totruong"]).first()
    assert team is not None, "the demo team leader leads no team"
    problems: dict[str, list[str]] = {}
    for username in PRESENT_ACCOUNTS:
        client = Client()
        client.force_login(demo[username])
        scope = demo[username].cds_scope.division.code
        for url in pages_for(username, scope, team.pk):
            response = client.get(url, follow=True)
            key = f"{username} {url}"
            if response.status_code != 200:
                problems[key] = [f"HTTP {response.status_code}"]
                continue
            found = offending(visible_text(response.content.decode()))
            if found:
                problems[key] = found
    # The reminder e-mails of the last closed month, as the officers of 2026 receive them.
    last = periods.previous_month(periods.current_month())
    due = due_date_for(last)
    reminders_send(today=due - dt.timedelta(days=REMINDER_DAYS_BEFORE[0]))
    assert mail.outbox, "no reminder e-mail was sent for the last closed month"
    for message in mail.outbox:
        found = offending(f"{message.subject}\n{message.body}")
        if found:
            problems[f"e-mail to {message.to}"] = found
    from django_celery_beat.models import PeriodicTask

    for name in PeriodicTask.objects.values_list("name", flat=True):
        if offending(name):
            problems[f"scheduled task {name}"] = [name]
    assert not problems, "\n".join(f"{k}: {v}" for k, v in sorted(problems.items()))

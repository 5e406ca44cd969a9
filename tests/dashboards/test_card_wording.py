"""Cards and open data read by the public: the bar says what it measures, every number keeps
its unit's rules, final verdicts read without a contradiction and the CSV says each status in
words beside its code. On the demo of `make run`."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def card_html(html: str, code: str) -> str:
    start = html.index(f'data-card="{code}"')
    return html[start : html.index("</article>", start)]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def viewer_client(client, demo_users):
    client.force_login(demo_users["xem"])
    return client


def test_cards_say_what_their_bar_measures(viewer_client):
    html = viewer_client.get(reverse("dashboards:province")).content.decode()
    shares = re.findall(r"<span[^>]*data-share[^>]*>(.*?)</span>", html, flags=re.S)
    assert shares
    for share in shares:
        assert "giá trị gốc" in share, share  # measured from the baseline, and says so
    # 54 services against a target of 13: no percentage of a count ("1.467%"), the bar is full.
    card = text_of(card_html(html, "data_based_services"))
    assert "54 dịch vụ" in card
    assert "đã đi hết chặng đường từ giá trị gốc đến mục tiêu" in card
    assert not re.search(r"\d\.\d{3}%", card), card


def test_a_share_under_the_target_is_a_sentence_with_the_percentage(viewer_client):
    html = viewer_client.get(reverse("dashboards:province")).content.decode()
    partial = re.findall(r"đạt (\d{1,2})% chặng đường từ giá trị gốc đến mục tiêu", html)
    assert partial, "no card on the way to its target in the demo"


def test_public_final_verdicts_read_without_a_contradiction(client, demo_users):
    html = client.get(reverse("dashboards:open_data")).content.decode()
    assert "(đã hết hạn)" not in html
    assert "đúng hạn" in html or "khi đến hạn" in html


def test_open_data_csv_says_the_status_in_words_beside_its_code(client, demo_users):
    response = client.get(reverse("dashboards:open_data_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    code, words = header.index("Mã trạng thái"), header.index("Trạng thái")
    labelled = {r[code]: r[words] for r in rows[1:] if r[code]}
    assert labelled["off_track"] == "Chậm tiến độ"
    assert all(label and "_" not in label for label in labelled.values()), labelled
    assert "(đã hết hạn)" not in "".join(labelled.values())

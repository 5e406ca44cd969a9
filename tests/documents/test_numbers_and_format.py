"""The report's numbers are the dashboard's, and its .docx has the format of Decree 30/2020
(Appendix I): page, margins, fonts, styles, the header block, dates with leading zeros."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm

from attainment.models import Attainment
from dashboards.selectors import decimals_for, fmt_value
from documents import narrative
from documents.composer import shown_value

# The demo is inserted once for the module (`demo_for_module`, tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


def stored_row(card, period):
    """The approved attainment row of the card's indicator, unit, target and month."""
    return Attainment.objects.get(
        indicator=card.indicator,
        division=card.row.division if card.row else None,
        period=period,
        provisional=False,
        target_key=card.target.pk if card.target else 0,
    )


def rounded(row, indicator):
    return Decimal(row.actual).quantize(Decimal(1).scaleb(-decimals_for(indicator)))


@pytest.mark.parametrize("which", ["province_year", "commune_month"])
def test_every_number_of_the_results_is_the_dashboards(which, request, demo):
    data, _docx = request.getfixturevalue(which)
    user = demo["bcd"]
    client = Client()
    client.force_login(user)
    last, previous = data.period.last, data.period.previous.last
    if data.division.level == 1:
        url = reverse("dashboards:province")
    else:
        url = reverse("dashboards:division", kwargs={"code": data.division.code})
    page = client.get(url, {"period": f"{last:%Y-%m}"}).content.decode()
    lines = [line for line in data.lines + data.monitoring if line.card.row is not None]
    assert len(lines) >= 5
    for line in lines:
        card, ind = line.card, line.card.indicator
        row = stored_row(card, last)
        value = fmt_value(row.actual, ind)
        sentence = narrative.line_sentence(line, data)
        assert sentence.startswith(f"{card.name}: đạt {value}"), sentence
        assert value in page, (card.name, value)
        if card.target is not None:
            assert f"mục tiêu {fmt_value(row.target_value, ind)}" in sentence
        before = Attainment.objects.filter(
            indicator=ind,
            division=row.division,
            period=previous,
            provisional=False,
            target_key=row.target_key,
        ).first()
        if before is not None and before.actual is not None:
            change = rounded(row, ind) - rounded(before, ind)
            assert line.change_previous == change
            assert shown_value(line.previous) == rounded(before, ind)


def test_a_change_of_a_percentage_is_in_percentage_points(province_year):
    data, _docx = province_year
    percentages = [
        line
        for line in data.lines
        if line.card.indicator.is_percentage and line.change_previous not in (None, 0)
    ]
    assert percentages
    sentence = narrative.line_sentence(percentages[0], data)
    amount = abs(percentages[0].change_previous)
    words = "tăng" if percentages[0].change_previous > 0 else "giảm"
    assert f"{words} {str(amount).replace('.', ',')} điểm phần trăm so với năm trước" in sentence


def paragraphs(document) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [p.text for cell in table._cells for p in cell.paragraphs]
    return texts


@pytest.mark.parametrize("which", ["province_year", "commune_month"])
def test_docx_page_margins_fonts_and_styles(which, request):
    data, docx = request.getfixturevalue(which)
    document = Document(io.BytesIO(docx))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    styles = document.styles
    body = styles["CDS Body"]
    assert body.font.name == "Times New Roman" and 13 <= body.font.size.pt <= 14
    assert body.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(body.paragraph_format.first_line_indent - Cm(1.27)) < Mm(0.1)
    assert styles["CDS Issuing Body"].font.bold
    assert (
        styles["CDS National Title"].font.bold
        and 12 <= styles["CDS National Title"].font.size.pt <= 13
    )
    assert styles["CDS Motto"].font.bold and 13 <= styles["CDS Motto"].font.size.pt <= 14
    assert styles["CDS Place Date"].font.italic
    assert styles["CDS Title"].font.bold and styles["CDS Summary"].font.bold
    # Styles, not hard formatting: no run carries its own font, size, bold or italic.
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for c in t._cells for p in c.paragraphs for r in p.runs]
    assert runs
    assert all(r.font.name is None and r.font.size is None and r.bold is None for r in runs)
    assert all(p.style.name.startswith("CDS ") for p in document.paragraphs)


def test_the_results_table_reads_across_pages(province_year):
    """The province's year table runs over pages: its heading row repeats, an indicator's row
    is never cut in two, and the names get the widest column (equal columns wrapped a name
    over a dozen lines)."""
    _data, docx = province_year
    tables = Document(io.BytesIO(docx)).tables
    table = next(t for t in tables if "Tỷ lệ đạt" in [c.text for c in t.rows[0].cells])
    heading, *rows = table.rows
    assert heading._tr.trPr.find(qn("w:tblHeader")) is not None
    assert rows and all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
    widths = [c.width for c in rows[0].cells]
    assert widths[0] == max(widths) and widths[0] >= 2 * min(widths)
    assert abs(sum(widths) - Cm(16.5)) < Mm(1)
    # An indicator with two programmes' goals has two rows, told apart by their deadlines.
    goals = [(r.cells[0].text, r.cells[2].text) for r in rows if r.cells[2].text != "—"]
    assert goals and all(" đến " in goal for _name, goal in goals)
    assert len(set(goals)) == len(goals), goals


def test_docx_header_block_title_signature_and_dates(province_year, commune_month):
    data, docx = province_year
    document = Document(io.BytesIO(docx))
    header_table = document.tables[0]
    left, right = header_table.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == [
        "UBND TỈNH CÀ MAU",
        "BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ",
    ]
    assert left.paragraphs[-1].style.name == "CDS Issuer Rule"
    assert "w:bottom" in left.paragraphs[-1].style.element.xml
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    borders = header_table._tbl.tblPr.xml
    assert 'w:val="nil"' in borders
    number, date = header_table.rows[1].cells
    assert number.text == "Số: 12/BC-BCĐ"
    assert date.text == "Cà Mau, ngày 05 tháng 01 năm 2027"
    texts = paragraphs(document)
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == "Kết quả thực hiện chuyển đổi số năm 2025 của Tỉnh Cà Mau"
    assert "Đẩy mạnh ứng dụng." in texts
    assert "Nơi nhận:" in texts and texts[texts.index("Nơi nhận:") :].count("- Lưu: VT.") == 1
    assert "TM. BAN CHỈ ĐẠO" in texts and "TRƯỞNG BAN" in texts and "Nguyễn Văn Ánh" in texts
    # Page numbers from page 2: a PAGE field in the header, the first page's header empty.
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml
    commune = Document(io.BytesIO(commune_month[1]))
    texts = paragraphs(commune)
    assert "UBND XÃ BIỂN BẠCH" in texts and "Số: 12/BC-UBND" in texts
    assert "Xã Biển Bạch, ngày 05 tháng 01 năm 2027" in texts
    assert any(t.startswith("Kết quả thực hiện chuyển đổi số tháng 10 năm 2026") for t in texts)
    assert "Đề nghị cấp thêm thiết bị." in texts


def test_a_report_without_a_date_leaves_the_blanks_for_the_clerk(demo):
    from divisions.models import Division
    from documents.periods import parse
    from tests.documents.conftest import build

    _data, docx = build(Division.objects.province(), parse("2026-Q3"), issued_on=None)
    texts = paragraphs(Document(io.BytesIO(docx)))
    assert any(re.fullmatch(r"Cà Mau, ngày\s+tháng\s+năm\s+", t) for t in texts)

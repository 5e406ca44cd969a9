"""The periodic report as a .docx in the format of Decree 30/2020/NĐ-CP, Appendix I.

This module owns the document's layout: A4, margins (top/bottom 20 mm, left 30 mm, right
15 mm), page numbers centred in the top margin from page 2, the two-column header block
without borders (parent and issuing body with a short rule, "Số: …/BC-…"; national title,
motto with a rule, place and date in italics with leading zeros), the title "BÁO CÁO" and its
summary line, the body and the signature and "Nơi nhận:" blocks. Every look comes from a named
style (`CDS …`), never from a run's own formatting, so an official edits the document the
usual way and a style change reaches every paragraph.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from documents import narrative
from documents.composer import Line, ReportData

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BODY_PT = 14
FIRST_LINE_INDENT = Cm(1.27)
LEFT_COLUMN, RIGHT_COLUMN = Cm(6), Cm(10.5)
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
TABLE_HEADERS = ("Chỉ tiêu", "Thực hiện", "Mục tiêu", "Tỷ lệ đạt", "Tình trạng", "So với kỳ trước")
# The indicator's name takes the room it needs; the numbers fit in narrow columns. Together the
# 16.5 cm between the margins.
TABLE_WIDTHS_CM = (5.7, 2.0, 2.0, 1.8, 2.5, 2.5)

Align = WD_ALIGN_PARAGRAPH
# name: (size pt, bold, italic, alignment, first-line indent, space after pt, rule inset cm)
# A rule is an empty paragraph of its own (a bottom border between indents), so the indents
# that shorten it never narrow the text above it.
PARAGRAPH_STYLES: dict[str, tuple] = {
    "CDS Parent Body": (13, False, False, Align.CENTER, None, 0, None),
    "CDS Issuing Body": (13, True, False, Align.CENTER, None, 0, None),
    "CDS Issuer Rule": (2, False, False, Align.CENTER, None, 6, 1.8),
    "CDS Number": (13, False, False, Align.CENTER, None, 0, None),
    "CDS National Title": (12, True, False, Align.CENTER, None, 0, None),
    "CDS Motto": (13, True, False, Align.CENTER, None, 0, None),
    "CDS Motto Rule": (2, False, False, Align.CENTER, None, 6, 2.6),
    "CDS Place Date": (14, False, True, Align.CENTER, None, 0, None),
    "CDS Title": (14, True, False, Align.CENTER, None, 0, None),
    "CDS Summary": (14, True, False, Align.CENTER, None, 0, None),
    "CDS Summary Rule": (2, False, False, Align.CENTER, None, 12, 6.5),
    "CDS Heading": (BODY_PT, True, False, Align.JUSTIFY, FIRST_LINE_INDENT, 6, None),
    "CDS Body": (BODY_PT, False, False, Align.JUSTIFY, FIRST_LINE_INDENT, 6, None),
    "CDS Table": (12, False, False, Align.LEFT, None, 0, None),
    "CDS Table Head": (12, True, False, Align.CENTER, None, 0, None),
    "CDS Recipients Label": (12, True, True, Align.LEFT, None, 0, None),
    "CDS Recipient": (11, False, False, Align.LEFT, None, 0, None),
    "CDS Signature": (14, True, False, Align.CENTER, None, 0, None),
    "CDS Signature Space": (14, False, False, Align.CENTER, None, 60, None),
    "CDS Page Number": (13, False, False, Align.CENTER, None, 0, None),
}


def _fonts(element, size: int | None = None) -> None:
    """Times New Roman for every script (Vietnamese letters are Latin, but Word picks the
    East Asian slot for some of them) and the Vietnamese language for spelling."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _rule_below(style, inset_cm: float) -> None:
    """A short rule under the paragraph: a bottom border between indents (the usual way to
    draw the rules of the header block in a style, without shapes)."""
    fmt = style.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(inset_cm)
    ppr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def add_styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    _fonts(normal.element)
    normal.paragraph_format.space_after = Pt(0)
    for name, (size, bold, italic, align, indent, after, rule) in PARAGRAPH_STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.name, style.font.size = FONT, Pt(size)
        style.font.bold, style.font.italic = bold, italic
        _fonts(style.element)
        fmt = style.paragraph_format
        fmt.alignment, fmt.space_after, fmt.space_before = align, Pt(after), Pt(0)
        if indent is not None:
            fmt.first_line_indent = indent
        if rule is not None:
            _rule_below(style, rule)
    # The title stands apart from the header block above it.
    document.styles["CDS Title"].paragraph_format.space_before = Pt(18)
    header_style = document.styles["Header"]
    header_style.font.name = FONT
    _fonts(header_style.element)


def set_page(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)


def add_page_numbers(section) -> None:
    """PAGE field centred in the top margin; the first page's header stays empty."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.style = "CDS Page Number"
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2")):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            placeholder = OxmlElement("w:t")
            placeholder.text = text
            run._r.append(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def borderless(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _cell(cell, lines: Iterable[tuple[str, str]]) -> None:
    """Fill a cell with (style, text) paragraphs (its first, empty paragraph reused)."""
    for index, (style, text) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.style = style
        paragraph.add_run(text)


def date_line(place: str, day: dt.date | None) -> str:
    """ "Cà Mau, ngày 05 tháng 01 năm 2027" (leading zeros); blanks for the clerk if no date."""
    if day is None:
        return f"{place}, ngày\u00a0\u00a0\u00a0\u00a0 tháng\u00a0\u00a0\u00a0\u00a0 năm\u00a0\u00a0\u00a0\u00a0"
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def add_header_block(document, data: ReportData) -> None:
    header, report = data.header, data.report
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    borderless(table)
    # Both the grid (LibreOffice reads it) and each cell (Word reads those).
    table.columns[0].width, table.columns[1].width = LEFT_COLUMN, RIGHT_COLUMN
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = LEFT_COLUMN, RIGHT_COLUMN
    top, bottom = table.rows
    _cell(
        top.cells[0],
        [
            ("CDS Parent Body", header.parent_body.upper()),
            ("CDS Issuing Body", header.issuing_body.upper()),
            ("CDS Issuer Rule", ""),
        ],
    )
    _cell(
        top.cells[1],
        [("CDS National Title", NATIONAL_TITLE), ("CDS Motto", MOTTO), ("CDS Motto Rule", "")],
    )
    _cell(bottom.cells[0], [("CDS Number", f"Số: {header.number_text(report.document_number)}")])
    _cell(bottom.cells[1], [("CDS Place Date", date_line(header.place, report.issued_on))])


def add_results_table(document, lines: list[Line], data: ReportData) -> None:
    table = document.add_table(rows=1, cols=len(TABLE_HEADERS))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, TABLE_HEADERS, strict=True):
        _cell(cell, [("CDS Table Head", text)])
    # The heading row again on every page the table runs onto.
    _row_property(table.rows[0], "w:tblHeader")
    against = narrative.previous_words(data)
    for line in lines:
        card, ind = line.card, line.card.indicator
        values = (
            card.name,
            narrative.fmt(card.actual, ind),
            # Two programmes may set the same indicator different goals: the deadline tells
            # their rows apart.
            f"{narrative.fmt(card.target_number, ind)} đến {card.deadline_month}"
            if card.target
            else "—",
            card.share_display if card.target else "—",
            narrative.status_words(line) if card.target else "theo dõi",
            narrative.change_words(line.change_previous, ind, against).split(" so với")[0],
        )
        row = table.add_row()
        _row_property(row, "w:cantSplit")  # an indicator's row is never cut by a page break
        for cell, text in zip(row.cells, values, strict=True):
            _cell(cell, [("CDS Table", text)])
    for column, width in zip(table.columns, TABLE_WIDTHS_CM, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _row_property(row, tag: str) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement(tag))


def add_signature_block(document, data: ReportData) -> None:
    header = data.header
    table = document.add_table(rows=1, cols=2)
    borderless(table)
    left, right = table.rows[0].cells
    table.columns[0].width = table.columns[1].width = Cm(8.25)
    left.width, right.width = Cm(8.25), Cm(8.25)
    recipients = [f"- {line};" for line in header.recipient_lines()] + ["- Lưu: VT."]
    _cell(
        left,
        [("CDS Recipients Label", "Nơi nhận:"), *(("CDS Recipient", r) for r in recipients)],
    )
    signing = []
    if header.authority:
        signing.append(f"{header.authority} {header.authority_body.upper()}".strip())
    signing.append(header.signer_position.upper())
    _cell(
        right,
        [
            *(("CDS Signature", line) for line in signing),
            ("CDS Signature Space", ""),
            ("CDS Signature", header.signer_name),
        ],
    )


def body(document, text: str, style: str = "CDS Body") -> None:
    document.add_paragraph(text, style=style)


def free_text(document, text: str, empty: str) -> None:
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    for paragraph in paragraphs or [empty]:
        body(document, paragraph)


def add_sections(document, data: ReportData, progress: Callable[[int, str], None]) -> None:
    body(document, f"I. KẾT QUẢ THỰC HIỆN {data.period.label().upper()}", "CDS Heading")
    body(document, narrative.summary(data))
    for number, section in enumerate(data.pillars, start=1):
        body(document, f"{number}. {section.label}", "CDS Heading")
        for line in section.lines:
            body(document, narrative.line_sentence(line, data))
        add_results_table(document, section.lines, data)
        progress(30 + 30 * number // max(len(data.pillars), 1), section.label)
    monitored = [line for line in data.monitoring if line not in data.team_lines]
    if monitored:
        body(document, f"{len(data.pillars) + 1}. Các chỉ số theo dõi", "CDS Heading")
        for line in monitored:
            body(document, narrative.line_sentence(line, data))
    body(document, "II. MỤC TIÊU ĐÃ ĐẠT VÀ MỤC TIÊU CÓ NGUY CƠ KHÔNG ĐẠT", "CDS Heading")
    body(document, "1. Mục tiêu đã đạt", "CDS Heading")
    for line in data.met or []:
        body(document, narrative.line_sentence(line, data))
    if not data.met:
        body(document, "Chưa có mục tiêu nào đạt trong kỳ.")
    body(document, "2. Mục tiêu có nguy cơ không đạt", "CDS Heading")
    for line in data.at_risk:
        body(document, narrative.risk_sentence(line, data))
    if not data.at_risk:
        body(document, "Không có mục tiêu nào có nguy cơ không đạt.")
    body(document, "III. TÌNH HÌNH GỬI BÁO CÁO", "CDS Heading")
    for sentence in narrative.completeness_sentences(data.completeness, data):
        body(document, sentence)
    body(document, "IV. HOẠT ĐỘNG CỦA TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG", "CDS Heading")
    for sentence in narrative.team_sentences(data):
        body(document, sentence)
    body(document, "V. NHIỆM VỤ, GIẢI PHÁP KỲ TỚI", "CDS Heading")
    free_text(document, data.report.tasks_ahead, "(Chưa nhập nhiệm vụ, giải pháp kỳ tới.)")
    body(document, "VI. ĐỀ XUẤT, KIẾN NGHỊ", "CDS Heading")
    free_text(document, data.report.proposals, "(Chưa có đề xuất, kiến nghị.)")


def summary_line(data: ReportData) -> str:
    return f"Kết quả thực hiện chuyển đổi số {data.period.label()} của {data.division.name}"


def render(data: ReportData, progress: Callable[[int, str], None] | None = None) -> bytes:
    """The .docx file's bytes."""
    progress = progress or (lambda _percent, _step: None)
    document = Document()
    add_styles(document)
    section = document.sections[0]
    set_page(section)
    add_page_numbers(section)
    core = document.core_properties
    core.title, core.language = f"Báo cáo {summary_line(data)}", LANGUAGE
    core.author = data.header.issuing_body
    add_header_block(document, data)
    body(document, "BÁO CÁO", "CDS Title")
    body(document, summary_line(data), "CDS Summary")
    body(document, "", "CDS Summary Rule")
    progress(30, "Mở đầu")
    add_sections(document, data, progress)
    add_signature_block(document, data)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

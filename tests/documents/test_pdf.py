"""The PDF is the .docx converted by LibreOffice for real: A4, the Times New Roman–metric font
embedded with every Vietnamese letter (no fallback), the text round-trips, page 1 renders to
PNG; the .docx re-saves in LibreOffice.

LibreOffice comes from Debian (`libreoffice-writer-nogui`, `fonts-liberation2`,
`poppler-utils`), installed by `.ci/run` and the Dockerfile. Without it locally these tests
skip; with CDS_REQUIRE_SERVICES=1 (CI) a skipped test fails the run (tests/conftest.py).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from docx import Document

from documents import pdf
from documents.docx_render import MOTTO, NATIONAL_TITLE

# Tests on the demo keep it inserted for the module (`demo_for_module`, tests/conftest.py).
pytestmark = pytest.mark.django_db
TOOLS = ("pdffonts", "pdftotext", "pdfinfo", "pdftoppm")


@pytest.fixture(autouse=True)
def _libreoffice():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if pdf.soffice() is None or missing:
        pytest.skip("LibreOffice or poppler-utils missing (apt-get install, see README)")


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603


_pdfs: dict[tuple, bytes] = {}


def converted(docx: bytes) -> bytes:
    """`pdf.convert` of a .docx, run once per document: each LibreOffice conversion costs
    seconds, and every test builds the same two reports again. The key is the package's
    parts, not its bytes: the zip stamps each part with the second it was written."""
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        parts = tuple((part.filename, package.read(part)) for part in package.infolist())
    if parts not in _pdfs:
        _pdfs[parts] = pdf.convert(docx)
    return _pdfs[parts]


def normalised(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.usefixtures("demo_for_module")
@pytest.mark.parametrize("which", ["province_year", "commune_month"])
def test_pdf_embeds_the_font_and_its_text_round_trips(which, request, tmp_path):
    data, docx = request.getfixturevalue(which)
    target = tmp_path / "report.pdf"
    target.write_bytes(converted(docx))
    fonts = run("pdffonts", str(target)).splitlines()[2:]
    assert fonts
    for line in fonts:
        # name type encoding emb sub uni: every font embedded (no Type 3, no system fallback).
        assert " yes " in line, line
        assert "LiberationSerif" in line.split()[0] or "Tinos" in line.split()[0], line
    info = run("pdfinfo", str(target))
    assert "595.3" in info and "841.89" in info  # A4 in points
    text = normalised(run("pdftotext", "-layout", str(target), "-"))
    document = Document(io.BytesIO(docx))
    expected = [p.text for p in document.paragraphs if p.text.strip()]
    expected += [NATIONAL_TITLE, MOTTO, "Nguyễn Văn Ánh", "- Lưu: VT."]
    for paragraph in expected:
        # A justified paragraph wraps; the words and their diacritics come back in order.
        assert normalised(paragraph) in text or all(w in text for w in paragraph.split()), paragraph
    assert "Cà Mau, ngày 05 tháng 01 năm 2027" in text or data.division.level != 1
    png = tmp_path / "page"
    run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(target), str(png))
    assert list(tmp_path.glob("page*.png"))


def test_every_character_of_the_text_is_in_the_embedded_font(commune_month, tmp_path):
    """The text layer holds no replacement or missing glyph: each Vietnamese letter of the
    .docx comes back from the PDF."""
    _data, docx = commune_month
    target = tmp_path / "report.pdf"
    target.write_bytes(converted(docx))
    text = run("pdftotext", str(target), "-")
    document = Document(io.BytesIO(docx))
    source = "".join(p.text for p in document.paragraphs)
    letters = {c for c in source if c.isalpha()}
    assert {"ạ", "ả", "ế", "ộ", "ư", "ơ", "đ", "Đ"} <= letters
    assert letters <= set(text), sorted(letters - set(text))
    assert "\ufffd" not in text


def test_the_docx_re_saves_in_libreoffice(province_year):
    _data, docx = province_year
    again = pdf.convert(docx, target="docx")
    reopened = Document(io.BytesIO(again))
    assert "BÁO CÁO" in [p.text for p in reopened.paragraphs]


def test_a_failed_conversion_is_reported(monkeypatch):
    with tempfile.TemporaryDirectory() as folder:
        broken = Path(folder) / "soffice"
        broken.write_text("#!/bin/sh\nexit 3\n")
        broken.chmod(0o755)
        monkeypatch.setattr(pdf, "soffice", lambda: str(broken))
        with pytest.raises(pdf.ConversionError):
            pdf.convert(b"not a document")


MM = 72 / 25.4  # points per millimetre


def word_boxes(target: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """Words of one page with their boxes in points (pdftotext -bbox), top-left origin."""
    html = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(target), "-")
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        (w, float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, w in re.findall(pattern, html)
    ]


@pytest.mark.usefixtures("demo_for_module")
@pytest.mark.parametrize("which", ["province_year", "commune_month"])
def test_the_printed_page_keeps_the_decree_margins_and_title_block(which, request, tmp_path):
    """Decree 30/2020: left 30–35 mm, right 15–20 mm, top and bottom 20–25 mm; the national
    title block on the right half, the issuing body on the left half of page 1."""
    _, docx = request.getfixturevalue(which)
    target = tmp_path / "report.pdf"
    target.write_bytes(converted(docx))
    words = word_boxes(target, 1)
    assert len(words) > 50
    width, height = 595.3, 841.89
    assert min(x0 for _, x0, _, _, _ in words) >= 30 * MM - 1
    assert max(x1 for _, _, _, x1, _ in words) <= width - 15 * MM + 1
    assert min(y0 for _, _, y0, _, _ in words) >= 20 * MM - 1
    assert max(y1 for _, _, _, _, y1 in words) <= height - 20 * MM + 1
    national = [b for b in words if b[0] in ("CỘNG", "HÒA", "NGHĨA")]
    assert national and all(x0 > width / 2 - 40 for _, x0, _, _, _ in national)
    page_one_top = min(y0 for _, _, y0, _, _ in national)
    assert page_one_top < 40 * MM  # the title block opens the page

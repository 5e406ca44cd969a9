"""Produce the LibreOffice-saved fixtures of the number-convention tests (see README.md).

Run from the repository root with Debian's LibreOffice installed
(`apt-get install -y libreoffice-calc-nogui`):  python3 tests/data/numbers/make_fixtures.py

Each sheet is written as a flat ODF spreadsheet whose number cells are real numbers with the
format "#,##0.###" (grouping, up to three decimals) and no language of their own, so LibreOffice
shows them in the locale of its profile. Each sheet is then converted by `soffice --headless
--convert-to` under a fresh profile whose locale is en-US or vi-VN, exactly as an office machine
set to that locale would save it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent
LOCALES = {"en": ("en-US", 44), "vi": ("vi-VN", 59)}  # profile locale, CSV field separator
FIGURE_HEADER = [
    "indicator_code",
    "indicator_name",
    "division_code",
    "division_name",
    "period",
    "value",
    "numerator",
    "denominator",
    "note",
    "version",
]
# (indicator, division, value, numerator, denominator); numbers are floats in the sheet.
FIGURES = [
    ("resolution_days", "967", 12.345, None, None),
    ("people_guided", "32068", 20000, None, None),
    ("people_guided", "32071", 1234567, None, None),
    ("sme_share", "967", 0.5, None, None),
    ("work_records_online", "967", None, 1500, 20000),
]
AMBIGUOUS = [FIGURES[0], FIGURES[1], FIGURES[4]]
TARGET_HEADER = [
    "indicator",
    "wording_vi",
    "deadline",
    "scope_level",
    "kind",
    "value",
    "comparator",
]
TARGETS = [
    [
        "people_guided",
        "Hướng dẫn kỹ năng số cho người dân",
        "31/12/2025",
        "1",
        "absolute",
        20000,
        "gte",
    ],
    [
        "work_records_online",
        "Hồ sơ công việc xử lý trên mạng",
        "31/12/2025",
        "1",
        "absolute",
        90.5,
        "gte",
    ],
    [
        "resolution_days",
        "Thời gian giải quyết thủ tục",
        "31/12/2025",
        "1",
        "absolute",
        12.345,
        "lte",
    ],
]

FODS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
<number:number-style style:name="N1"><number:number number:min-integer-digits="1"
 number:grouping="true" number:decimal-places="3" number:min-decimal-places="0"/></number:number-style>
<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>
</office:automatic-styles>
<office:body><office:spreadsheet><table:table table:name="So lieu">
"""
FODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document>\n"


def _cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell table:style-name="ce1" office:value-type="float" '
            f'office:value="{value!r}"><text:p>{value!r}</text:p></table:table-cell>'
        )
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def fods(rows: list[list]) -> str:
    body = "".join(
        f"<table:table-row>{''.join(_cell(v) for v in row)}</table:table-row>\n" for row in rows
    )
    return FODS_HEAD + body + FODS_TAIL


def figure_rows(figures) -> list[list]:
    rows = [FIGURE_HEADER]
    for code, division, value, numerator, denominator in figures:
        rows.append(
            [code, None, division, None, "2025-05", value, numerator, denominator, None, None]
        )
    return rows


def profile(tmp: Path, locale: str) -> str:
    user = tmp / f"profile-{locale}" / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" '
        f'oor:op="fuse"><value>{locale}</value></prop></item>\n</oor:items>\n'
    )
    return (tmp / f"profile-{locale}").as_uri()


def convert(source: Path, target: str, profile_uri: str, out: Path) -> Path:
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile_uri}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    return out / (source.stem + "." + target.split(":")[0])


def main() -> None:
    sheets = {
        "figures": figure_rows(FIGURES),
        "figures-ambiguous": figure_rows(AMBIGUOUS),
        "targets": [TARGET_HEADER, *TARGETS],
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for lang, (locale, separator) in LOCALES.items():
            uri = profile(tmp, locale)
            for name, rows in sheets.items():
                source = tmp / f"{name}-{lang}.fods"
                source.write_text(fods(rows), encoding="utf-8")
                csv_filter = f"csv:Text - txt - csv (StarCalc):{separator},34,76"
                shutil.copy(convert(source, csv_filter, uri, tmp), HERE / f"{name}-{lang}.csv")
                if name == "figures":
                    xlsx = convert(source, "xlsx:Calc MS Excel 2007 XML", uri, tmp)
                    shutil.copy(xlsx, HERE / f"{name}-{lang}.xlsx")


if __name__ == "__main__":
    main()

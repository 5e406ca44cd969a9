"""The one bounded upload reader: hostile files are refused fast, in little memory, with a
specific Vietnamese message, by every importer's reader; ordinary files read as before.

Memory and time are measured in a separate process (its own peak resident memory, VmHWM), under
an address-space cap so a regression fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core import uploads
from tests.core import hostile_files

PEAK_MB = 200
SECONDS = 5
READERS = {
    "figures": "reports.imports:read_dataset",
    "members": "teams.imports:read_rows",
    "catalogue": "targets.imports:read_rows",
}

CHILD = r"""
import importlib, json, resource, sys, time
cap = 1536 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
path, name, reader = sys.argv[1:4]
module, function = reader.split(":")
read = getattr(importlib.import_module(module), function)
data = open(path, "rb").read()
started = time.monotonic()
try:
    read(SimpleUploadedFile(name, data))
    error, message = "", ""
except BaseException as exc:
    error = type(exc).__name__
    message = " ".join(getattr(exc, "messages", [str(exc)]))
elapsed = time.monotonic() - started
# VmHWM is this program's own peak: ru_maxrss would also keep the peak of the process it
# was forked from (the test runner) across exec.
status = open("/proc/self/status").read()
peak_mb = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"error": error, "message": message, "seconds": elapsed, "peak_mb": peak_mb}))
"""

HOSTILE = {
    "huge_dimension.xlsx": (hostile_files.huge_dimension, "khai báo 1048576 dòng"),
    "wide_dimension.xlsx": (hostile_files.wide_dimension, "khai báo 16384 cột"),
    "zip_bomb.xlsx": (hostile_files.zip_bomb, "nén bất thường"),
    "many_rows.xlsx": (hostile_files.many_rows_xlsx, "Tệp có hơn"),
    "many_rows.csv": (hostile_files.many_rows_csv, "Tệp có hơn"),
}


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    for name, (build, _words) in HOSTILE.items():
        (folder / name).write_bytes(build())
    return folder


def _read_in_child(path, reader: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "camau_cds.settings.test"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), path.name, reader],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{reader} still reading {path.name} after 60 s")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("importer", sorted(READERS))
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_fast_in_little_memory(hostile_dir, name, importer):
    outcome = _read_in_child(hostile_dir / name, READERS[importer])
    assert outcome["error"] == "UploadError", outcome
    assert HOSTILE[name][1] in outcome["message"], outcome
    assert outcome["seconds"] < SECONDS, outcome
    assert outcome["peak_mb"] < PEAK_MB, outcome


# --- the reader in process: limits, messages, ordinary files ------------------------------


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _workbook(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_ordinary_workbook_reads_every_row_with_blank_rows_kept_in_place():
    data = _workbook([["a", "b"], [1, "x"], [None, None], [2.5, "y"]])
    table = uploads.read_table(_upload("t.xlsx", data), max_rows=10)
    assert table.rows == [("a", "b"), (1, "x"), (), (2.5, "y")]


def test_csv_delimiter_follows_the_expected_header():
    text = "Ghi chú: 12,5; 1.500\nindicator_code;value\nx;12,5\n"
    table = uploads.read_table(
        _upload("t.csv", text.encode()), max_rows=10, expect=("indicator_code",)
    )
    assert table.rows[1:] == [("indicator_code", "value"), ("x", "12,5")]


def test_csv_not_in_utf8_names_the_line_in_vietnamese():
    data = "Họ và tên\nGhi chú\n".encode() + "Ghi chú\n".encode("latin-1")  # 0xfa on line 3
    with pytest.raises(uploads.UploadError) as refused:
        uploads.read_table(_upload("t.csv", data), max_rows=10)
    message = refused.value.message
    assert "không dùng bảng mã UTF-8" in message and "dòng 3" in message
    assert "codec" not in message


def test_csv_field_over_the_cell_limit_is_named(settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    data = "a,b\nx," + "y" * 101 + "\n"
    with pytest.raises(uploads.UploadError, match="dòng 2, cột 2 dài 101 ký tự"):
        uploads.read_table(_upload("t.csv", data.encode()), max_rows=10)


def test_csv_field_over_the_parser_limit_is_named_not_a_python_error():
    data = "a,b\nx," + "y" * 200_000 + "\n"
    with pytest.raises(uploads.UploadError) as refused:
        uploads.read_table(_upload("t.csv", data.encode()), max_rows=10)
    assert "ký tự" in refused.value.message and "field limit" not in refused.value.message


def test_csv_with_too_many_columns_is_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 5
    data = "a,b\n" + ",".join("x" * 6) + "\n"
    with pytest.raises(uploads.UploadError, match="Dòng 2 có hơn 5 cột"):
        uploads.read_table(_upload("t.csv", data.encode()), max_rows=10)


def test_rows_past_the_limit_are_refused_naming_the_limit():
    data = "\n".join(["h", *["x"] * 20]).encode()
    with pytest.raises(uploads.UploadError, match="Tệp có hơn 10 dòng"):
        uploads.read_table(_upload("t.csv", data), max_rows=10)


def test_declared_cells_over_the_limit_are_refused(settings):
    settings.IMPORT_MAX_CELLS = 1000
    data = hostile_files.xlsx([["a"]], dimension="A1:J200")
    with pytest.raises(uploads.UploadError, match="khai báo 2000 ô"):
        uploads.read_table(_upload("t.xlsx", data), max_rows=1000)


def test_sheet_cell_far_right_is_refused_even_without_a_dimension(settings):
    data = _cell_far_right()
    with pytest.raises(uploads.UploadError, match="có hơn"):
        uploads.read_table(_upload("t.xlsx", data), max_rows=10)


def _cell_far_right() -> bytes:
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{hostile_files.MAIN}"><sheetData>'
        '<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    )
    return hostile_files._zipped([sheet.encode()])


def test_file_over_the_size_limit_is_refused_before_reading(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    with pytest.raises(uploads.UploadError, match="Tệp quá lớn"):
        uploads.read_table(_upload("t.csv", b"a\n" * 100), max_rows=1000)


def test_wrong_format_and_damaged_workbook_are_refused():
    with pytest.raises(uploads.UploadError, match="Chỉ nhận tệp Excel"):
        uploads.read_table(_upload("t.pdf", b"%PDF"), max_rows=10)
    with pytest.raises(uploads.UploadError, match="không phải là bảng tính Excel hợp lệ"):
        uploads.read_table(_upload("t.xlsx", b"PK\x03\x04 broken"), max_rows=10)


def test_error_list_is_capped_with_the_count_of_the_rest():
    shown, more = uploads.capped(list(range(120)))
    assert shown == list(range(50))
    assert more == "và 70 lỗi khác"
    assert uploads.capped([1, 2]) == ([1, 2], "")


def test_workbook_read_back_equals_the_csv_of_the_same_rows():
    rows = [["code", "value"], ["a", "1"], ["b", "2"]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    from_csv = uploads.read_table(_upload("t.csv", buffer.getvalue().encode()), max_rows=10)
    from_xlsx = uploads.read_table(_upload("t.xlsx", _workbook(rows)), max_rows=10)
    assert from_csv.rows == from_xlsx.rows == [tuple(r) for r in rows]

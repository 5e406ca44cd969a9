"""The PDF of a report: the same .docx converted by LibreOffice headless.

LibreOffice comes from Debian (`libreoffice-writer-nogui`, installed by the Dockerfile and
.ci/run) with `fonts-liberation2`: Liberation Serif has Times New Roman's metrics and every
Vietnamese letter, and fontconfig substitutes it for Times New Roman, so the PDF embeds it and
the lines break as in Word. Each conversion runs in its own temporary profile directory, so
two workers converting at once do not share (and lock) one LibreOffice profile.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 120
CANDIDATES = ("soffice", "libreoffice")


class ConversionError(RuntimeError):
    pass


def soffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def _run(command: list[str], *, cwd: Path) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - a fixed executable and our own temporary files
            command, cwd=cwd, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise ConversionError(f"LibreOffice did not finish in {TIMEOUT_SECONDS} s") from error
    if done.returncode != 0:
        raise ConversionError(done.stderr.decode(errors="replace")[-500:])


def convert(data: bytes, *, source: str = "docx", target: str = "pdf") -> bytes:
    """Convert a document's bytes with LibreOffice (docx → pdf; docx → docx re-saves)."""
    executable = soffice()
    if executable is None:
        raise ConversionError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="cds-documents-") as folder:
        work = Path(folder)
        (work / "in").mkdir()
        (work / "out").mkdir()
        (work / "in" / f"report.{source}").write_bytes(data)
        _run(
            [
                executable,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(work / "out"),
                str(work / "in" / f"report.{source}"),
            ],
            cwd=work,
        )
        produced = work / "out" / f"report.{target}"
        if not produced.exists():
            raise ConversionError("LibreOffice produced no file")
        return produced.read_bytes()

"""The reports as PDF: the DOCX converted by LibreOffice headless.

LibreOffice lays Thai out with the ICU dictionary (lines break between words), places tone marks
with the font's own positioning, embeds the font and writes a text layer from which the Thai words
copy and search exactly. (WeasyPrint draws Thai well, but its text layer loses characters:
ดำเนินงาน extracts as ดาเนินงาน.)

The DOCX for the PDF is written in Laksaman, the TH Sarabun clone that Debian's
fonts-thai-tlwg-ttf installs, at sizes scaled to match TH Sarabun New (see word.py): the server
has no TH Sarabun New to embed.

Each conversion gets a LibreOffice profile of its own (`-env:UserInstallation`): two conversions
sharing a profile make one PDF between them, silently.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tracker.services.reports.data import Report
from tracker.services.reports.docx import write_docx
from tracker.services.reports.word import LAKSAMAN

TIMEOUT_SECONDS = 120
INSTALL_HINT = "ติดตั้งด้วย scripts/install-system-deps.sh (แพ็กเกจ libreoffice-writer-nogui)"


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_pdf(report: Report, template: bytes | None = None, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The report as PDF. Raises RuntimeError (in Thai) when LibreOffice is missing or fails."""
    return docx_to_pdf(write_docx(report, template, font=LAKSAMAN), timeout=timeout)


def docx_to_pdf(document: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    soffice = find_soffice()
    if soffice is None:
        raise RuntimeError(f"สร้างไฟล์ PDF ไม่ได้: ไม่พบโปรแกรม LibreOffice (soffice) บนเครื่องแม่ข่าย {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="ita-pdf-") as folder:
        work = Path(folder)
        source = work / "report.docx"
        source.write_bytes(document)
        out = work / "out"
        command = [
            soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck",
            "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), str(source),
        ]
        # its own session, so that a timeout ends soffice.bin too and not only the wrapper script
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=folder,
                                   start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise RuntimeError(
                f"สร้างไฟล์ PDF ไม่สำเร็จ: LibreOffice แปลงเอกสารไม่เสร็จภายใน {timeout:g} วินาที") from None
        pdf = out / "report.pdf"
        if process.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            detail = (stderr or stdout).decode("utf-8", "replace").strip()[-500:]
            raise RuntimeError(
                f"สร้างไฟล์ PDF ไม่สำเร็จ: LibreOffice แปลงเอกสารไม่ได้ (รหัส {process.returncode})"
                + (f": {detail}" if detail else ""))
        return pdf.read_bytes()


def _kill_group(process: subprocess.Popen) -> None:
    """End the conversion we started: its process group, by the id we were given."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass

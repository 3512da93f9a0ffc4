"""The reports as PDF: the DOCX converted by LibreOffice headless.

LibreOffice lays Thai out with the ICU dictionary (lines break between words), places tone marks
with the font's own positioning, embeds the font and writes a text layer from which the Thai words
copy and search exactly. (WeasyPrint draws Thai well, but its text layer loses characters:
ดำเนินงาน extracts as ดาเนินงาน.)

The DOCX for the PDF is written in Laksaman, the TH Sarabun clone that Debian's
fonts-thai-tlwg-ttf installs, at sizes scaled to match TH Sarabun New (see word.py): the server
has no TH Sarabun New to embed.

Each conversion gets a LibreOffice profile of its own (`-env:UserInstallation`): two conversions
sharing a profile make one PDF between them, silently. LibreOffice's start-up is most of a
conversion's time, and a profile's first start adds half a second more (it fills the profile and runs
its graphics tests), so after the first conversion of a process its profile is kept, and each later
conversion starts from a copy of it.
"""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from tracker.services.reports.data import Report

TIMEOUT_SECONDS = 120
INSTALL_HINT = "ติดตั้งด้วย scripts/install-system-deps.sh (แพ็กเกจ libreoffice-writer-nogui)"


class WarmProfile:
    """A LibreOffice profile a successful conversion has set up, to start later conversions from."""

    def __init__(self):
        self.path: Path | None = None
        self._lock = threading.Lock()

    def copy_to(self, target: Path) -> None:
        # `path` is set only once its copy is complete, so reading it needs no lock
        if self.path is not None:
            shutil.copytree(self.path, target, symlinks=True)

    def keep(self, profile: Path) -> None:
        """Keep a copy of this profile, unless one is kept already (two first conversions at once)."""
        with self._lock:
            if self.path is not None:
                return
            folder = Path(tempfile.mkdtemp(prefix="ita-pdf-profile-"))
            shutil.copytree(profile, folder / "profile", symlinks=True)
            atexit.register(_remove_own_folder, folder, os.getpid())
            self.path = folder / "profile"


def _remove_own_folder(folder: Path, owner: int) -> None:
    """At exit, in the process that made it (a forked worker inherits the atexit list, not the folder)."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


warm_profile = WarmProfile()


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_pdf(report: Report, template: bytes | None = None, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The report as PDF. Raises RuntimeError (in Thai) when LibreOffice is missing or fails. It takes
    seconds: web requests queue a PdfJob of word_for_pdf instead (services/pdf_jobs.py)."""
    return docx_to_pdf(word_for_pdf(report, template), timeout=timeout)


def word_for_pdf(report: Report, template: bytes | None = None) -> bytes:
    """The Word file the report's PDF is converted from: in Laksaman, the font the PDF embeds."""
    from tracker.services.reports.docx import write_docx  # python-docx loads when a document is written
    from tracker.services.reports.word import LAKSAMAN
    return write_docx(report, template, font=LAKSAMAN)


def docx_to_pdf(document: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    soffice = find_soffice()
    if soffice is None:
        raise RuntimeError(f"สร้างไฟล์ PDF ไม่ได้: ไม่พบโปรแกรม LibreOffice (soffice) บนเครื่องแม่ข่าย {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="ita-pdf-") as folder:
        work = Path(folder)
        source = work / "report.docx"
        source.write_bytes(document)
        out = work / "out"
        profile = work / "profile"
        warm_profile.copy_to(profile)
        command = [
            soffice, f"-env:UserInstallation={profile.as_uri()}",
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
        if profile.is_dir():
            warm_profile.keep(profile)
        return pdf.read_bytes()


def _kill_group(process: subprocess.Popen) -> None:
    """End the conversion we started: its process group, by the id we were given."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass

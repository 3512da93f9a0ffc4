"""The PDFs: LibreOffice headless converts the DOCX; poppler reads them back. The Thai words must come
out of the text layer exactly and the Thai font must be embedded (a missing family falls back silently).

Needs Debian's libreoffice-writer-nogui and poppler-utils (scripts/install-system-deps.sh)."""
import re
import shutil
import subprocess
import threading
import time
from datetime import date
from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from tracker.services.plan import get_fiscal_year
from tracker.services.reports import data, pdf
from tracker.services.reports.pdf import write_pdf

AS_OF = date(2025, 3, 31)
SIGNERS = [
    data.Signer("ผู้รายงาน", "สมศรี ใจดี", "นักวิเคราะห์นโยบายและแผน"),
    data.Signer("ทราบ", "ประเสริฐ พิชัยกุล", "นายกองค์การบริหารส่วนตำบลพิชัย"),
]
A4 = (595, 842)  # points, rounded


@pytest.fixture(autouse=True)
def tools():
    missing = [tool for tool in ("pdftotext", "pdffonts", "pdfinfo") if not shutil.which(tool)]
    if pdf.find_soffice() is None:
        missing.append("soffice")
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run scripts/install-system-deps.sh", pytrace=False)


@pytest.fixture
def fiscal_year(app, demo):
    return get_fiscal_year(demo.id, 2568)


@pytest.fixture
def o35(fiscal_year):
    return data.results_report(fiscal_year, AS_OF, "ควรเร่งรัดหน่วยงานที่ยังไม่เริ่มดำเนินการ", SIGNERS)


@pytest.fixture
def o34(fiscal_year):
    return data.measures_document(fiscal_year, date(2024, 10, 1), "", SIGNERS[1:])


def poppler(tool: str, content: bytes, *args: str) -> str:
    return subprocess.run([tool, *args, "-", "-"] if tool == "pdftotext" else [tool, "-"], input=content,
                          capture_output=True, check=True).stdout.decode("utf-8")


def text_layer(content: bytes) -> str:
    """The text in the order the PDF draws it (-raw). pdftotext's default layout mode re-sorts glyphs
    by position, which splits a tone mark stacked on an upper vowel (สิ้น) off its syllable."""
    return poppler("pdftotext", content, "-raw")


def joined(text: str) -> str:
    """Lines joined: Thai wraps between words without a space."""
    return text.replace("\n", "")


def page_size(content: bytes) -> tuple[int, int]:
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", poppler("pdfinfo", content))
    return round(float(match.group(1))), round(float(match.group(2)))


def embedded_fonts(content: bytes) -> list[tuple[str, str]]:
    """(font name without its subset prefix, embedded yes/no) for each font of the PDF."""
    rows = poppler("pdffonts", content).splitlines()[2:]
    return [(row.split()[0].split("+")[-1], row.split()[-5]) for row in rows]


def test_o35_pdf_text_layer_has_the_thai_words_exactly(o35):
    content = write_pdf(o35)
    assert content.startswith(b"%PDF-")
    assert page_size(content) == A4
    text = text_layer(content)
    whole = joined(text)
    assert "ดาเนินงาน" not in text  # the lossy text layer of other routes
    for words in ("รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "รอบ 6 เดือน",
                  "ปีงบประมาณ พ.ศ. 2568", "ข้อมูล ณ วันที่ 31 มีนาคม 2568", "องค์การบริหารส่วนตำบลพิชัย",
                  "กองการศึกษา ศาสนาและวัฒนธรรม", "เสร็จสิ้น", "กำลังดำเนินการ", "ยังไม่เริ่ม", "ผู้รับผิดชอบ",
                  "ขั้นตอนหรือวิธีการปฏิบัติ", "ปัญหาอุปสรรค", "ข้อเสนอแนะ", "(ประเสริฐ พิชัยกุล)"):
        assert words in text, words
    for topic in o35.topics:
        for measure in topic.measures:
            assert measure.title in whole, measure.title
    assert "แจ้งเวียนระเบียบการใช้ทรัพย์สินของทางราชการ และตรวจสอบการยืมพัสดุประจำไตรมาส" in whole
    assert "สำนักปลัด 5 1 1 3 0 0" in text  # the summary row, figures in their columns
    layout = poppler("pdftotext", content)  # pdftotext's layout mode too keeps these words whole
    assert "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน" in layout
    assert "ดำเนินงาน" in layout


def test_pdf_embeds_the_thai_font_and_no_fallback(o35, o34):
    for report in (o35, o34):
        fonts = embedded_fonts(write_pdf(report))
        assert {name for name, _ in fonts} <= {"Laksaman", "Laksaman-Bold"}, fonts
        assert ("Laksaman", "yes") in fonts and ("Laksaman-Bold", "yes") in fonts
        assert all(embedded == "yes" for _, embedded in fonts)


def test_o34_pdf_is_landscape_with_the_seeds_columns(o34):
    content = write_pdf(o34)
    assert page_size(content) == A4[::-1]
    text = text_layer(content)
    whole = joined(text)
    for header in ("ประเด็น", "ข้อคำถาม ITA", "ผลคะแนน", "การวิเคราะห์ผลการประเมิน", "มาตรการหรือกิจกรรม",
                   "ขั้นตอนหรือวิธีการปฏิบัติ", "ช่วงระยะเวลาในการดำเนินการ", "ผู้รับผิดชอบ"):
        assert header in whole, header
    assert "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน" in text
    assert "ในปี พ.ศ. 2567" in text and "การกำกับติดตามและรายงานผลต่อผู้บริหาร" in text
    assert "การเผยแพร่หลักเกณฑ์การใช้ทรัพย์สินของทางราชการ และการกำกับดูแล" in whole
    for code, score in (("O8 แผนและความก้าวหน้า", "50"), ("O9 รายงานผลการดำเนินงาน", "0"),
                        ("e9 หน่วยงานใช้งานระบบการให้", "98.15")):
        lines = text[text.index(code):].splitlines()  # the item's title, wrapped, then its score
        scores = (re.match(r"(\d+(?:\.\d+)?)(?:\s|$)", line) for line in lines)
        assert next(match.group(1) for match in scores if match) == score, code
    layout = poppler("pdftotext", content)  # pdftotext's layout mode too keeps these words whole
    assert "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน" in layout and "ดำเนินงาน" in layout


def test_pdf_keeps_the_letterhead_and_draws_its_th_sarabun_in_the_embedded_font(o35):
    template = Document()
    section = template.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    run = section.header.paragraphs[0].add_run("ที่ ลป 12345 องค์การบริหารส่วนตำบลพิชัย")
    run.font.name, run.font.size = "TH SarabunIT๙", Pt(16)
    run._r.rPr.rFonts.set(qn("w:cs"), "TH SarabunIT๙")
    out = BytesIO()
    template.save(out)
    content = write_pdf(o35, out.getvalue())
    assert text_layer(content).count("ที่ ลป 12345 องค์การบริหารส่วนตำบลพิชัย") >= 2  # on every page
    assert {name for name, _ in embedded_fonts(content)} == {"Laksaman", "Laksaman-Bold"}


def test_two_conversions_at_once_each_get_their_pdf(o35, o34):
    results = {}

    def convert(name, report):
        results[name] = write_pdf(report)

    threads = [threading.Thread(target=convert, args=(name, report)) for name, report in (("results", o35), ("measures", o34))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert page_size(results["results"]) == A4 and page_size(results["measures"]) == A4[::-1]


def test_missing_libreoffice_is_said_in_thai(o35, monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="ไม่พบโปรแกรม LibreOffice"):
        write_pdf(o35)


def test_failed_conversion_is_said_in_thai(o35, monkeypatch, tmp_path):
    broken = tmp_path / "soffice"
    broken.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(broken))
    with pytest.raises(RuntimeError, match="แปลงเอกสารไม่ได้ .*source file could not be loaded"):
        write_pdf(o35)


def test_a_hung_conversion_is_stopped(o35, monkeypatch, tmp_path):
    """The timeout ends the whole conversion, children too (a child holding the pipes would block)."""
    hung = tmp_path / "soffice"
    hung.write_text("#!/bin/sh\nsleep 60 &\nwait\n")
    hung.chmod(0o755)
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(hung))
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="ไม่เสร็จภายใน 1 วินาที"):
        write_pdf(o35, timeout=1)
    assert time.monotonic() - started < 10


def test_later_conversions_start_from_a_copy_of_the_first_ones_profile(o35, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "warm_profile", pdf.WarmProfile())
    assert "รายงานผล" in joined(text_layer(write_pdf(o35)))
    kept = pdf.warm_profile.path / "user" / "registrymodifications.xcu"
    settings = kept.read_bytes()  # what LibreOffice's first start wrote
    # a stand-in for LibreOffice that hands back the settings its profile starts with, and changes them
    copying = tmp_path / "soffice"
    copying.write_text('#!/bin/sh\nprofile="${1#-env:UserInstallation=file://}/user/registrymodifications.xcu"\n'
                       'while [ "$1" != "--outdir" ]; do shift; done\n'
                       'mkdir -p "$2" && cp "$profile" "$2/report.pdf" && echo changed >> "$profile"\n')
    copying.chmod(0o755)
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(copying))
    assert write_pdf(o35) == settings
    assert write_pdf(o35) == settings  # each conversion changed its own copy only
    assert kept.read_bytes() == settings

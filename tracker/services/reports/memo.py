"""The cover memo (บันทึกข้อความ) a request for approval travels with, as the office writes it:
ส่วนราชการ, ที่, วันที่, เรื่อง, เรียน, the text, and the signer. A pure function of a `Memo`, in
Word; the PDF is the same file in Laksaman, converted by LibreOffice in the background (PdfJob)."""
from dataclasses import dataclass, field
from datetime import date, datetime, time

from tracker.services.reports.word import BODY, LAKSAMAN, TH_SARABUN_NEW, ThaiFont, WordDocument
from tracker.thai import format_date

MEMO_TITLE = 29  # points, as the ระเบียบงานสารบรรณ sets "บันทึกข้อความ"


@dataclass
class Memo:
    organization: str
    department: str  # ส่วนราชการ: the sender's division and agency
    number: str  # ที่: the office's own number, or blank to be written in
    dated: date
    subject: str  # เรื่อง
    to: str  # เรียน
    paragraphs: list[str]
    signer_name: str
    signer_position: str
    enclosures: list[str] = field(default_factory=list)  # สิ่งที่ส่งมาด้วย


class _MemoWriter:
    def __init__(self, memo: Memo, font: ThaiFont):
        self.memo = memo
        self.word = WordDocument(font, page_numbers=False)
        properties = self.word.doc.core_properties
        properties.title, properties.author = memo.subject, memo.organization
        properties.created = properties.modified = datetime.combine(memo.dated, time(9, 0))
        properties.language = "th-TH"

    def write(self) -> bytes:
        m = self.memo
        self.word.para("บันทึกข้อความ", size=MEMO_TITLE, bold=True, align="center", after=6)
        self.heading_line([("ส่วนราชการ", m.department)])
        self.heading_line([("ที่", m.number or "...................................."),
                           ("วันที่", format_date(m.dated, long=True))])
        self.heading_line([("เรื่อง", m.subject)], after=6)
        self.heading_line([("เรียน", m.to)], after=6)
        if m.enclosures:
            self.heading_line([("สิ่งที่ส่งมาด้วย", "  ".join(m.enclosures))], after=6)
        for text in m.paragraphs:
            self.word.para(text, indent_first=2.5, justify=True, after=6)
        for line in ("", "", f"({m.signer_name or '..................................................'})",
                     m.signer_position or "ตำแหน่ง .................................................."):
            self.word.para(line, indent_left=8.0, align=None, after=0)
        return self.word.to_bytes()

    def heading_line(self, pairs: list[tuple[str, str]], after: float = 2) -> None:
        paragraph = self.word.para("", after=after)
        for index, (label, value) in enumerate(pairs):
            self.word.run(paragraph, ("\t\t" if index else "") + label + "  ", BODY, bold=True)
            self.word.run(paragraph, value, BODY)


def write_memo_docx(memo: Memo, font: ThaiFont = TH_SARABUN_NEW) -> bytes:
    return _MemoWriter(memo, font).write()


def memo_word_for_pdf(memo: Memo) -> bytes:
    """The Word file the memo's PDF is converted from: in Laksaman, the font the PDF embeds."""
    return write_memo_docx(memo, LAKSAMAN)

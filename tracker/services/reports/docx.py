"""The measures document and the results report as Word files (python-docx).

A pure function of a `Report`: nothing here reads the database.

The font
--------
Thai is a complex script: Word and LibreOffice take the font, size and weight of Thai text from
`w:rFonts/@w:cs`, `w:szCs` and `w:bCs`, and the language from `w:lang/@w:bidi`. Setting only
`font.name` makes them draw Thai in another font at another size, so every run written here carries
all of these (python-docx has no API for them).

Thai government documents are set in TH Sarabun New (or TH SarabunPSK) at 16 pt, and that is what
the officials' Word has installed, so the DOCX an agency downloads and edits names **TH Sarabun New**
at the usual sizes (16 pt text, 14 pt tables).

TH Sarabun New is in no package registry, so the server cannot embed it in a PDF. The PDF route
(pdf.py) writes the same document with **Laksaman** instead: Debian's `fonts-thai-tlwg-ttf` (which
`scripts/install-system-deps.sh` installs) ships it as a clone of TH Sarabun, with the same glyph
design but drawn ~1.5× larger, which is why tlwg's own fontconfig rule synthesises "TH Sarabun" as
Laksaman scaled by 0.66. LibreOffice does not apply that fontconfig matrix, so we scale the point
sizes ourselves (`ThaiFont.scale`): 16 pt TH Sarabun New becomes 10.5 pt Laksaman, and the PDF lines
break where Word would break them with the real font. Laksaman is GPL-licensed with the font
exception, so embedding it in a PDF is allowed. (PyPI's `fontpkg-sarabun`, Google's Sarabun, would
need the same scaling and a fontconfig set-up of the project's own; Laksaman is already on every
machine that runs the tests, so it costs nothing.) Where an agency's letterhead names a TH Sarabun
font, the PDF route gives those runs Laksaman at scaled sizes as well.

The letterhead
--------------
With `template`, the report is appended to the agency's own DOCX (python-docx opens it; a .dotx is
accepted too), so its header, footer, logo and page setup stay; the measures pages are turned landscape.
A file that is not a Word document raises ValueError with a Thai message.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import datetime, time
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt

from tracker.services.documents import MEASURES
from tracker.services.reports.data import MeasureResult, Report, Signer, TaskResult, TopicResult
from tracker.thai import format_baht, format_date, format_score


@dataclass(frozen=True)
class ThaiFont:
    """A font family and the factor from TH Sarabun New point sizes to this font's."""
    family: str
    scale: float = 1.0

    def half_points(self, points: float) -> int:
        return round(points * self.scale * 2)


TH_SARABUN_NEW = ThaiFont("TH Sarabun New")
LAKSAMAN = ThaiFont("Laksaman", 0.66)

# Sizes in TH Sarabun New points, as Thai official documents use them.
TITLE, HEADING, BODY, TABLE, SMALL = 18, 16, 16, 14, 12
A4_SHORT, A4_LONG = Cm(21.0), Cm(29.7)

MEASURES_COLUMNS = ("ประเด็น", "ข้อคำถาม ITA", "ผลคะแนน", "การวิเคราะห์ผลการประเมิน", "มาตรการหรือกิจกรรม",
                    "ขั้นตอนหรือวิธีการปฏิบัติ", "ช่วงระยะเวลาในการดำเนินการ", "ผู้รับผิดชอบ")
MEASURES_WIDTHS = (2.6, 4.4, 1.4, 5.7, 3.4, 4.6, 2.6, 2.0)  # cm on landscape A4, in proportion to the text width
BUDGET_COLUMN, BUDGET_WIDTH = "งบประมาณ", 1.8
INDICATOR_COLUMNS, INDICATOR_WIDTHS = ("ตัวชี้วัด", "ค่าเป้าหมาย"), (2.2, 1.6)
SUMMARY_COLUMNS = ("กอง / หน่วยงาน", "จำนวนงาน", "เสร็จสิ้น", "กำลังดำเนินการ", "ยังไม่เริ่ม", "ล่าช้า", "ยกเลิก")
SUMMARY_WIDTHS = (4.8, 2.0, 1.7, 2.4, 1.9, 1.6, 1.6)
RESULT_COLUMNS = ("หน่วยงาน", "ผลการดำเนินงาน", "สถานะ", "ร้อยละ", "หลักฐาน", "ปัญหาอุปสรรค")
RESULT_WIDTHS = (2.8, 4.3, 2.5, 1.2, 2.7, 2.5)

MONITORING_DEFAULT = (
    "ผู้รับผิดชอบแต่ละมาตรการรายงานความก้าวหน้าการดำเนินงานเป็นประจำทุกเดือน ผู้ประสานงานรวบรวมผล"
    "และรายงานผลการดำเนินการต่อผู้บริหารเพื่อทราบและพิจารณาสั่งการ รอบ 6 เดือน และเมื่อสิ้นปีงบประมาณ"
)
TH_SARABUN_PREFIX = "TH Sarabun"
_TEXT_PARTS = ("/word/document", "/word/header", "/word/footer", "/word/styles")
HEADER_FILL = "D9E2F3"
TOTAL_FILL = "F2F2F2"
# w:rPr children in schema order (CT_RPr in ECMA-376 part 1, 17.3.2.28)
_RPR_ORDER = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
              "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
              "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
              "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
              "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")


def write_docx(report: Report, template: bytes | None = None, *, font: ThaiFont = TH_SARABUN_NEW) -> bytes:
    """The report as a DOCX. With `template` (the agency's letterhead DOCX), the report is written
    into it, so its header, footer and page setup stay; the measures document is turned landscape."""
    writer = Writer(report, template, font)
    if report.kind == MEASURES:
        writer.measures_document()
    else:
        writer.results_report()
    out = BytesIO()
    writer.doc.save(out)
    return out.getvalue()


def _open_template(template: bytes):
    """python-docx opens .docx; a Word template (.dotx) differs only in its main content type."""
    try:
        with zipfile.ZipFile(BytesIO(template)) as source:
            types = source.read("[Content_Types].xml")
            if b"wordprocessingml.template.main+xml" in types:
                out = BytesIO()
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                    for info in source.infolist():
                        content = source.read(info.filename)
                        if info.filename == "[Content_Types].xml":
                            content = content.replace(b"wordprocessingml.template.main+xml",
                                                      b"wordprocessingml.document.main+xml")
                        target.writestr(info, content)
                template = out.getvalue()
        return Document(BytesIO(template))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ValueError("ไฟล์หัวจดหมายไม่ใช่เอกสาร Word (.docx) ที่เปิดได้") from error


class Writer:
    def __init__(self, report: Report, template: bytes | None, font: ThaiFont):
        self.report = report
        self.font = font
        self.landscape = report.kind == MEASURES
        if template:
            self.doc = _open_template(template)
            self._drop_trailing_empty_paragraphs()
            self._orient_template()
            self._adopt_template_fonts()
        else:
            self.doc = Document()
            self._page_setup()
            self._defaults()
            self._page_numbers()
        self._properties()

    # ----- the two documents -----

    def measures_document(self) -> None:
        r = self.report
        year = r.assessment_year or r.fiscal_year - 1
        self.para(r.title, size=TITLE, bold=True, align="center")
        if r.role.item_line:
            self.para(r.role.item_line, size=HEADING, align="center")
        self.para("แสดงผลการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
                  f"ในปี พ.ศ. {year}", size=HEADING, bold=True, align="center")
        self.para(f"ประจำปีงบประมาณ พ.ศ. {r.fiscal_year}", size=HEADING, bold=True, align="center")
        self.para(" ".join(part for part in (r.organization, r.place) if part), size=HEADING, bold=True,
                  align="center", after=8)
        self.measures_table()
        self.para("การกำกับติดตามและรายงานผลต่อผู้บริหาร", size=HEADING, bold=True, before=12, after=2,
                  keep_next=True)
        for line in _lines(r.monitoring or MONITORING_DEFAULT):
            self.para(line, indent_first=1.25, after=2, justify=True, keep_next=True)
        self.signatures(f"ประกาศ ณ วันที่ {r.issued_text}")

    def results_report(self) -> None:
        r = self.report
        label = r.round.label
        until = min(r.as_of, r.fiscal_year_end)
        self.para(r.title, size=TITLE, bold=True, align="center")
        if r.role.item_line:
            self.para(r.role.item_line, size=HEADING, align="center")
        self.para(f"{label} ({format_date(r.fiscal_year_start, long=True)} – {format_date(until, long=True)})",
                  size=HEADING, bold=True, align="center")
        self.para(f"ปีงบประมาณ พ.ศ. {r.fiscal_year}", size=HEADING, bold=True, align="center")
        self.para(" ".join(part for part in (r.organization, r.place) if part), size=HEADING, bold=True,
                  align="center")
        self.para(f"ข้อมูล ณ วันที่ {r.as_of_text}", align="center", after=10)
        measures = sum(len(t.measures) for t in r.topics)
        basis = f" จากผลการประเมิน ITA ปี พ.ศ. {r.assessment_year}" if r.assessment_year else ""
        self.para(f"ตามที่{r.organization}ได้จัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน "
                  f"ประจำปีงบประมาณ พ.ศ. {r.fiscal_year}{basis} จำนวน {len(r.topics)} ประเด็น {measures} มาตรการ "
                  f"บัดนี้ได้รวบรวมผลการดำเนินการ{label} ข้อมูล ณ วันที่ {r.as_of_text} ดังนี้",
                  indent_first=1.25, after=6, justify=True)

        self.para("1. สรุปผลการดำเนินงานตามมาตรการ จำแนกตามหน่วยงาน", size=HEADING, bold=True, after=4,
                  keep_next=True)
        self.summary_table()
        total = r.totals
        if total.total:
            share = total.done * 100 / total.total
            n = "\u00a0งาน"  # no line break between a number and its unit
            self.para(f"รวมทั้งสิ้น {total.total}{n} เสร็จสิ้น {total.done}{n} (ร้อยละ\u00a0{share:.1f}) "
                      f"กำลังดำเนินการ {total.in_progress}{n} ยังไม่เริ่ม {total.not_started}{n} "
                      f"ล่าช้า {total.late}{n} ยกเลิก {total.cancelled}{n}",
                      indent_first=1.25, before=4)

        self.para("2. ผลการดำเนินการตามมาตรการ", size=HEADING, bold=True, before=12, after=2, keep_next=True)
        for topic in r.topics:
            self.topic_results(topic)

        self.para("3. ปัญหาอุปสรรคและข้อเสนอแนะ", size=HEADING, bold=True, before=12, after=2, keep_next=True)
        self.para("ปัญหาและอุปสรรค", bold=True, indent_left=0.6, keep_next=True)
        problems = [(t.division, m.title, text) for topic in r.topics for m in topic.measures for t in m.tasks
                    for text in t.problems]
        if problems:
            for division, measure, text in problems:
                self.para(f"–\t{division} ({measure}): {text}", indent_left=1.2, hanging=0.6)
        else:
            self.para("ไม่มีหน่วยงานรายงานปัญหาอุปสรรคในรอบนี้", indent_left=1.2)
        self.para("ข้อเสนอแนะ", bold=True, indent_left=0.6, before=4, keep_next=True)
        for line in _lines(r.suggestions) or ["–"]:
            self.para(line, indent_left=1.2, justify=True, keep_next=True)
        self.signatures(f"รายงาน ณ วันที่ {r.issued_text}")

    # ----- the measures document -----

    def measures_columns(self) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """The table's columns; budget and indicator only when some measure has them."""
        titles, widths = list(MEASURES_COLUMNS), list(MEASURES_WIDTHS)
        if self.report.has_budget:
            titles.append(BUDGET_COLUMN)
            widths.append(BUDGET_WIDTH)
        if self.report.has_indicator:
            titles.extend(INDICATOR_COLUMNS)
            widths.extend(INDICATOR_WIDTHS)
        return tuple(titles), tuple(widths)

    def measures_table(self) -> None:
        titles, widths = self.measures_columns()
        table = self.table(widths)
        self.header_row(table, titles)
        for topic in self.report.topics:
            self.measures_topic(table, topic)

    def measures_topic(self, table, topic: TopicResult) -> None:
        """One row per item; the topic's title and analysis span them all, each measure (with its steps,
        period and who is responsible) spans its share of them, as the agency's own table does."""
        measures = topic.measures
        count = max(len(topic.items), len(measures), 1)
        first = len(table.rows)
        rows = [table.add_row() for _ in range(count)]
        for row in rows:
            _cant_split(row)  # an item's title stays on one page; the spanning cells flow on
        for index, item in enumerate(topic.items):
            cells = rows[index].cells
            self.fill(cells[1], [f"{item.code} {item.title}"], size=TABLE)
            self.fill(cells[2], [format_score(item.score)], size=TABLE, align="center")
        last = first + count - 1
        self.fill(self.span(table, first, last, 0), [f"({topic.number}) {topic.title}"], size=TABLE)
        self.fill(self.span(table, first, last, 3), _lines(topic.analysis), size=TABLE, justify=True)
        for position, measure in enumerate(measures):
            top = first + position * count // len(measures)
            bottom = first + (position + 1) * count // len(measures) - 1
            self.measures_row(table, top, bottom, measure, position + 1 if len(measures) > 1 else None)

    def measures_row(self, table, top: int, bottom: int, measure: MeasureResult, number: int | None) -> None:
        title = f"{number}. {measure.title}" if number else measure.title
        cell = self.span(table, top, bottom, 4)
        self.fill(cell, [title, *_lines(measure.details)], size=TABLE)
        self.fill(self.span(table, top, bottom, 5), [f"{n}.\t{s}" for n, s in enumerate(measure.steps, 1)],
                  size=TABLE, hanging=0.5)
        self.fill(self.span(table, top, bottom, 6), [measure.period], size=TABLE, align="center")
        self.fill(self.span(table, top, bottom, 7), [measure.responsible], size=TABLE, align="center")
        column = 8
        if self.report.has_budget:
            self.fill(self.span(table, top, bottom, column), [measure.budget or "–"], size=TABLE, align="center")
            column += 1
        if self.report.has_indicator:
            self.fill(self.span(table, top, bottom, column), [measure.indicator or "–"], size=TABLE)
            self.fill(self.span(table, top, bottom, column + 1), [measure.target or "–"], size=TABLE, align="center")

    # ----- the results report -----

    def summary_table(self) -> None:
        table = self.table(SUMMARY_WIDTHS)
        self.header_row(table, SUMMARY_COLUMNS)
        fields = ("total", "done", "in_progress", "not_started", "late", "cancelled")
        for row in [*self.report.summary, self.report.totals]:
            is_total = row.division == "รวม"
            cells = table.add_row().cells
            _cant_split(table.rows[-1])
            self.fill(cells[0], [row.division], size=TABLE, bold=is_total, align="center" if is_total else None)
            for cell, name in zip(cells[1:], fields, strict=True):
                self.fill(cell, [str(getattr(row, name))], size=TABLE, bold=is_total, align="center")
            if is_total:
                for cell in cells:
                    _shade(cell, TOTAL_FILL)

    def topic_results(self, topic: TopicResult) -> None:
        self.para(f"ประเด็นที่ {topic.number} {topic.title}", bold=True, before=8, after=2, keep_next=True)
        if not topic.measures:
            self.para("ไม่มีมาตรการในประเด็นนี้", indent_left=0.6)
        for position, measure in enumerate(topic.measures, 1):
            self.measure_results(f"{topic.number}.{position}", measure)

    def measure_results(self, number: str, measure: MeasureResult) -> None:
        self.para(f"มาตรการที่ {number} {measure.title}", bold=True, indent_left=0.6, before=6,
                  keep_next=True)
        for line in _lines(measure.details):
            self.para(line, indent_left=1.2, keep_next=True)
        if measure.steps:
            self.para("ขั้นตอนหรือวิธีการปฏิบัติ:", bold=True, indent_left=1.2, keep_next=True)
            for n, step in enumerate(measure.steps, 1):
                self.para(f"{n}.\t{step}", indent_left=1.8, hanging=0.6, keep_next=True)
        self.label_para("ช่วงระยะเวลาดำเนินการ", measure.period)
        divisions = ", ".join(t.division for t in measure.tasks)
        responsible = measure.responsible or divisions
        if divisions and divisions != responsible:
            responsible = f"{responsible} ({divisions})"
        self.label_para("ผู้รับผิดชอบ", responsible)
        for label, value in _results_against_plan(measure):
            self.label_para(label, value)
        self.para("", size=SMALL, keep_next=True)
        table = self.table(RESULT_WIDTHS)
        self.header_row(table, RESULT_COLUMNS)
        for task in measure.tasks:
            self.task_row(table, task)
        if not measure.tasks:
            cells = table.add_row().cells
            self.fill(cells[0].merge(cells[-1]), ["ยังไม่ได้มอบหมายหน่วยงาน"], size=TABLE, align="center")

    def task_row(self, table, task: TaskResult) -> None:
        row = table.add_row()
        _cant_split(row)
        cells = row.cells
        self.fill(cells[0], [task.division], size=TABLE)
        if len(task.done) > 1:
            self.fill(cells[1], [f"–\t{text}" for text in task.done], size=TABLE, hanging=0.4)
        else:
            self.fill(cells[1], task.done or ["–"], size=TABLE, align=None if task.done else "center")
        self.fill(cells[2], [task.status], size=TABLE, align="center", bold=task.late)
        if task.last_reported:
            paragraph = cells[2].add_paragraph()
            self.format_paragraph(paragraph, SMALL, align="center")
            self.run(paragraph, f"รายงาน {_unbroken(format_date(task.last_reported))}", SMALL)
        self.fill(cells[3], [str(task.percent)], size=TABLE, align="center")
        self.evidence(cells[4], task.evidence)
        self.fill(cells[5], task.problems or ["–"], size=TABLE, align=None if task.problems else "center")

    def evidence(self, cell, evidence: list[str]) -> None:
        if not evidence:
            self.fill(cell, ["–"], size=TABLE, align="center")
            return
        for index, entry in enumerate(evidence):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            self.format_paragraph(paragraph, TABLE)
            if entry.startswith(("http://", "https://")):
                self.hyperlink(paragraph, entry, entry, TABLE)
            else:
                self.run(paragraph, entry, TABLE)

    # ----- sign-off -----

    def signatures(self, dated: str) -> None:
        signers = self.report.signers or [Signer("ผู้รายงาน", "", ""), Signer("ผู้บริหาร", "", "")]
        self.para(dated, before=12, after=6, indent_left=0 if self.landscape else 8.0,
                  align="center" if self.landscape else None, keep_next=True)
        per_row = 3 if self.landscape else 2
        chunks = [signers[i:i + per_row] for i in range(0, len(signers), per_row)]
        for index, chunk in enumerate(chunks):
            table = self.table([1] * len(chunk), borders=False)
            cells = table.add_row().cells
            _cant_split(table.rows[-1])
            for cell, signer in zip(cells, chunk, strict=True):
                lines = [
                    signer.caption,
                    "",
                    "ลงชื่อ ..................................................",
                    f"({signer.name})" if signer.name else "(..................................................)",
                    signer.position or "ตำแหน่ง ..................................................",
                ] + ([signer.signed] if signer.signed else [])
                self.fill(cell, lines, size=BODY, align="center", keep_next=index < len(chunks) - 1, after=0)
            if index < len(chunks) - 1:
                self.para("", size=SMALL, keep_next=True)

    # ----- building blocks -----

    def text_width(self) -> Emu:
        section = self.doc.sections[-1]
        return Emu(section.page_width - section.left_margin - section.right_margin)

    def table(self, widths, borders: bool = True):
        """A fixed-layout table filling the text width, its columns in proportion to `widths`."""
        available = self.text_width()
        widths = [Emu(int(available * w / sum(widths))) for w in widths]
        table = self.doc.add_table(rows=0, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is None:
            tbl_w = OxmlElement("w:tblW")
            tbl_pr.append(tbl_w)
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(int(sum(w.twips for w in widths))))
        if borders:
            tbl_pr.append(_borders("w:tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV")))
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), "85")
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        tbl_pr.append(margins)
        _order_tbl_pr(tbl_pr)
        for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = width  # rows added later take their cells' widths from the grid
        return table

    def header_row(self, table, titles) -> None:
        row = table.add_row()
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page
        for cell, title in zip(row.cells, titles, strict=True):
            self.fill(cell, [title], size=TABLE, bold=True, align="center")
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _shade(cell, HEADER_FILL)

    def span(self, table, top: int, bottom: int, column: int):
        cell = table.cell(top, column)
        return cell.merge(table.cell(bottom, column)) if bottom > top else cell

    def fill(self, cell, lines: list[str], *, size: float = TABLE, bold: bool = False, align: str | None = None,
             justify: bool = False, hanging: float | None = None, keep_next: bool = False,
             after: float = 1) -> None:
        """Write lines into a table cell, one paragraph each; the cell's own empty paragraph is the first."""
        for index, line in enumerate(lines or [""]):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            self.format_paragraph(paragraph, size, align=align, justify=justify, hanging=hanging,
                                  keep_next=keep_next, after=after if index < len(lines) - 1 else 0)
            if line:
                self.run(paragraph, line, size, bold=bold)

    def para(self, text: str, *, size: float = BODY, bold: bool = False, underline: bool = False,
             align: str | None = None, justify: bool = False, before: float = 0, after: float = 0,
             indent_left: float = 0, indent_first: float = 0, hanging: float | None = None,
             keep_next: bool = False):
        paragraph = self.doc.add_paragraph()
        self.format_paragraph(paragraph, size, align=align, justify=justify, before=before, after=after,
                              indent_left=indent_left, indent_first=indent_first, hanging=hanging,
                              keep_next=keep_next)
        if text:
            self.run(paragraph, text, size, bold=bold, underline=underline)
        return paragraph

    def label_para(self, label: str, value: str, after: float = 0) -> None:
        paragraph = self.para("", indent_left=1.2, after=after, keep_next=True)
        self.run(paragraph, f"{label}: ", BODY, bold=True)
        self.run(paragraph, value, BODY)

    def format_paragraph(self, paragraph, size: float, *, align: str | None = None, justify: bool = False,
                         before: float = 0, after: float = 0, indent_left: float = 0, indent_first: float = 0,
                         hanging: float | None = None, keep_next: bool = False) -> None:
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        fmt.line_spacing = 1.0
        fmt.widow_control = True
        if keep_next:
            fmt.keep_with_next = True
        if align == "center":
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif justify:
            # Thai has no spaces between words: "distribute" justification would stretch letters;
            # THAI_JUSTIFY is Word's, LibreOffice reads it as plain justify.
            fmt.alignment = WD_ALIGN_PARAGRAPH.THAI_JUSTIFY
        else:
            fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if hanging:
            fmt.left_indent = Cm(indent_left + hanging)
            fmt.first_line_indent = Cm(-hanging)
            fmt.tab_stops.add_tab_stop(Cm(indent_left + hanging))
        else:
            if indent_left:
                fmt.left_indent = Cm(indent_left)
            if indent_first:
                fmt.first_line_indent = Cm(indent_first)
        # the paragraph mark's font sets the height of an empty line
        p_pr = paragraph._p.get_or_add_pPr()
        mark = p_pr.find(qn("w:rPr"))
        if mark is None:
            mark = OxmlElement("w:rPr")
            p_pr.insert_element_before(mark, "w:sectPr", "w:pPrChange")
        self.style_rpr(mark, size)

    def run(self, paragraph, text: str, size: float, *, bold: bool = False, underline: bool = False):
        run = paragraph.add_run(text)
        self.style_rpr(run._r.get_or_add_rPr(), size, bold=bold)
        if underline:
            run.underline = True
        return run

    def hyperlink(self, paragraph, url: str, text: str, size: float) -> None:
        r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), r_id)
        run = OxmlElement("w:r")
        r_pr = OxmlElement("w:rPr")
        run.append(r_pr)
        self.style_rpr(r_pr, size)
        color = OxmlElement("w:color")
        color.set(qn("w:val"), "0563C1")
        _insert_rpr(r_pr, color)
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        _insert_rpr(r_pr, underline)
        t = OxmlElement("w:t")
        t.text = text
        t.set(qn("xml:space"), "preserve")
        run.append(t)
        link.append(run)
        paragraph._p.append(link)

    def style_rpr(self, r_pr, size: float, bold: bool = False) -> None:
        """The font for every script (ascii, hAnsi, eastAsia and cs for Thai), the size for both
        (sz, szCs), bold for both (b, bCs), and Thai as the complex-script language."""
        fonts = r_pr.get_or_add_rFonts()
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        for name in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(name), self.font.family)
        if bold:
            _set_rpr(r_pr, "w:b")
            _set_rpr(r_pr, "w:bCs")
        half_points = str(self.font.half_points(size))
        _set_rpr(r_pr, "w:sz", half_points)
        _set_rpr(r_pr, "w:szCs", half_points)
        # Thai is the complex-script language; Latin words keep an English one, so that LibreOffice
        # breaks "Facebook" or "E-Service" as words and not letter by letter.
        lang = _set_rpr(r_pr, "w:lang", "en-US")
        lang.set(qn("w:bidi"), "th-TH")

    # ----- the document around the content -----

    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        if self.landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = A4_LONG, A4_SHORT
            section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.5)
            section.left_margin, section.right_margin = Cm(1.5), Cm(1.5)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = A4_SHORT, A4_LONG
            # Thai official documents: 3 cm on the left for binding, 2 cm on the right
            section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
            section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
        section.header_distance = section.footer_distance = Cm(1.0)

    def _orient_template(self) -> None:
        """Keep the letterhead's page setup; the wide measures table needs its pages landscape."""
        if not self.landscape:
            return
        for section in self.doc.sections:
            if section.page_width < section.page_height:
                section.page_width, section.page_height = section.page_height, section.page_width
                section.orientation = WD_ORIENT.LANDSCAPE

    def _adopt_template_fonts(self) -> None:
        """A letterhead set in TH Sarabun (New, PSK, IT๙) takes this font too, at the same scaled
        sizes, where its runs or styles name the font (the server has no TH Sarabun)."""
        if self.font.family.startswith(TH_SARABUN_PREFIX):
            return
        for part in self.doc.part.package.iter_parts():
            element = getattr(part, "_element", None)
            if element is None or not str(part.partname).startswith(_TEXT_PARTS):
                continue
            for fonts in element.iter(qn("w:rFonts")):
                names = [qn(f"w:{name}") for name in ("ascii", "hAnsi", "eastAsia", "cs")]
                if not any((fonts.get(name) or "").startswith(TH_SARABUN_PREFIX) for name in names):
                    continue
                for name in names:
                    if (fonts.get(name) or "").startswith(TH_SARABUN_PREFIX):
                        fonts.set(name, self.font.family)
                for size in (fonts.getparent().find(qn("w:sz")), fonts.getparent().find(qn("w:szCs"))):
                    if size is not None and (size.get(qn("w:val")) or "").isdecimal():
                        size.set(qn("w:val"), str(round(int(size.get(qn("w:val"))) * self.font.scale)))

    def _drop_trailing_empty_paragraphs(self) -> None:
        body = self.doc.element.body
        for element in reversed(list(body)):
            if element.tag == qn("w:sectPr"):
                continue
            has_content = (element.tag != qn("w:p") or "".join(element.itertext()).strip()
                           or element.xpath(".//w:drawing|.//w:pict|.//w:object|.//w:sectPr"))
            if has_content:
                break
            body.remove(element)

    def _defaults(self) -> None:
        """The document's default font, so that text an official adds in Word matches."""
        styles = self.doc.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        self.style_rpr(r_pr, BODY)
        r_pr.find(qn("w:lang")).attrib.pop(qn("w:eastAsia"), None)
        spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")

    def _page_numbers(self) -> None:
        paragraph = self.doc.sections[0].footer.paragraphs[0]
        self.format_paragraph(paragraph, SMALL, align="center")
        self.run(paragraph, "หน้า ", SMALL)
        self._field(paragraph, "PAGE", "1")
        self.run(paragraph, " / ", SMALL)
        self._field(paragraph, "NUMPAGES", "1")

    def _field(self, paragraph, instruction: str, shown: str) -> None:
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), f" {instruction} ")
        run = OxmlElement("w:r")
        r_pr = OxmlElement("w:rPr")
        run.append(r_pr)
        self.style_rpr(r_pr, SMALL)
        t = OxmlElement("w:t")
        t.text = shown
        run.append(t)
        field.append(run)
        paragraph._p.append(field)

    def _properties(self) -> None:
        r = self.report
        props = self.doc.core_properties
        props.title = r.title
        props.subject = f"ปีงบประมาณ พ.ศ. {r.fiscal_year}"
        props.author = props.last_modified_by = r.organization
        props.keywords = f"ITA, {r.role.code}" if r.role.code else "ITA"
        props.comments = ""
        props.created = props.modified = datetime.combine(r.as_of, time(9, 0))
        props.revision = 1
        props.language = "th-TH"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _unbroken(text: str) -> str:
    """No line break inside a date or between a number and its unit."""
    return text.replace(" ", "\u00a0")


def _results_against_plan(measure: MeasureResult) -> list[tuple[str, str]]:
    """The indicator with its target beside what each division reached, and the budget beside what
    was spent: the lines a results report gives a measure that has them."""
    lines = []
    if measure.indicator or measure.target:
        lines.append(("ตัวชี้วัด / ค่าเป้าหมาย", " – ".join(part for part in (measure.indicator, measure.target) if part)))
        reached = [f"{t.division} {t.indicator_value}" for t in measure.tasks if t.indicator_value]
        lines.append(("ผลตามตัวชี้วัด", ", ".join(reached) or "ยังไม่ได้รายงาน"))
    if measure.budget:
        spent = measure.budget_spent
        used = f" ใช้ไปแล้ว {format_baht(spent)}" if spent is not None else ""
        lines.append(("งบประมาณ", measure.budget + used))
    return lines


def _insert_rpr(r_pr, element):
    """Insert a run property where the schema wants it (Word rejects out-of-order children)."""
    tag = element.tag
    existing = r_pr.find(tag)
    if existing is not None:
        r_pr.replace(existing, element)
        return element
    short = "w:" + tag.split("}")[1]
    successors = _RPR_ORDER[_RPR_ORDER.index(short) + 1:]
    r_pr.insert_element_before(element, *successors)
    return element


def _set_rpr(r_pr, tag: str, value: str | None = None):
    element = r_pr.find(qn(tag))
    if element is None:
        element = _insert_rpr(r_pr, OxmlElement(tag))
    if value is not None:
        element.set(qn("w:val"), value)
    return element


def _borders(tag: str, sides, size: int = 4, color: str = "000000"):
    borders = OxmlElement(tag)
    for side in sides:
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "single")
        border.set(qn("w:sz"), str(size))
        border.set(qn("w:space"), "0")
        border.set(qn("w:color"), color)
        borders.append(border)
    return borders


_TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                 "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
                 "tblLook", "tblCaption", "tblDescription")


def _order_tbl_pr(tbl_pr) -> None:
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    children = sorted(tbl_pr, key=lambda child: _TBL_PR_ORDER.index(child.tag.split("}")[1]))
    for child in children:
        tbl_pr.append(child)  # moves it: the children end in schema order


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    # tcPr order: tcW, gridSpan, vMerge, tcBorders, shd, noWrap, tcMar, textDirection, tcFitText, vAlign, hideMark
    tc_pr.insert_element_before(shading, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                                "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")


def _cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.append(OxmlElement("w:cantSplit"))

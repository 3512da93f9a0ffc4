"""What the measures document and the results report say, as Word files: the headings, the measures
table with its topics, items, scores and analysis, the summary by division, each measure's results
table, problems and suggestions, and the sign-off. A pure function of a `Report`: nothing here reads
the database. The Word plumbing (the font Thai needs, paragraphs, tables, page setup, the agency's
letterhead) is in word.py.
"""
from __future__ import annotations

from datetime import datetime, time

from tracker.services.documents import MEASURES
from tracker.services.reports.data import MeasureResult, Report, Signer, TaskResult, TopicResult
from tracker.services.reports.word import (
    BODY, HEADING, SMALL, TABLE, TH_SARABUN_NEW, TITLE, ThaiFont, WordDocument, merge_down, shade,
)
from tracker.thai import format_baht, format_date, format_score

MEASURES_COLUMNS = ("ประเด็น", "ข้อคำถาม ITA", "ผลคะแนน", "การวิเคราะห์ผลการประเมิน", "มาตรการหรือกิจกรรม",
                    "ขั้นตอนหรือวิธีการปฏิบัติ", "ช่วงระยะเวลาในการดำเนินการ", "ผู้รับผิดชอบ")
MEASURES_WIDTHS = (2.6, 4.4, 1.4, 5.7, 3.4, 4.6, 2.6, 2.0)  # cm on landscape A4, in proportion to the text width
BUDGET_COLUMN, BUDGET_WIDTH = "งบประมาณ", 1.8
INDICATOR_COLUMNS, INDICATOR_WIDTHS = ("ตัวชี้วัด", "ค่าเป้าหมาย"), (2.2, 1.6)
SUMMARY_COLUMNS = ("กอง / หน่วยงาน", "จำนวนงาน", "เสร็จสิ้น", "กำลังดำเนินการ", "ยังไม่เริ่ม", "ล่าช้า", "ยกเลิก")
SUMMARY_WIDTHS = (4.8, 2.0, 1.7, 2.4, 1.9, 1.6, 1.6)
RESULT_COLUMNS = ("หน่วยงาน", "ผลการดำเนินงาน", "สถานะ", "ร้อยละ", "หลักฐาน", "ปัญหาอุปสรรค")
RESULT_WIDTHS = (2.8, 4.3, 2.5, 1.2, 2.7, 2.5)
TOTAL_FILL = "F2F2F2"

MONITORING_DEFAULT = (
    "ผู้รับผิดชอบแต่ละมาตรการรายงานความก้าวหน้าการดำเนินงานเป็นประจำทุกเดือน ผู้ประสานงานรวบรวมผล"
    "และรายงานผลการดำเนินการต่อผู้บริหารเพื่อทราบและพิจารณาสั่งการ รอบ 6 เดือน และเมื่อสิ้นปีงบประมาณ"
)


def write_docx(report: Report, template: bytes | None = None, *, font: ThaiFont = TH_SARABUN_NEW) -> bytes:
    """The report as a DOCX. With `template` (the agency's letterhead DOCX), the report is written
    into it, so its header, footer and page setup stay; the measures document is turned landscape."""
    writer = Writer(report, template, font)
    if report.kind == MEASURES:
        writer.measures_document()
    else:
        writer.results_report()
    return writer.word.to_bytes()


class Writer:
    def __init__(self, report: Report, template: bytes | None, font: ThaiFont):
        self.report = report
        self.landscape = report.kind == MEASURES
        self.word = WordDocument(font, landscape=self.landscape, template=template)
        self._properties()

    # ----- the two documents -----

    def measures_document(self) -> None:
        r = self.report
        year = r.assessment_year or r.fiscal_year - 1
        self.word.para(r.title, size=TITLE, bold=True, align="center")
        if r.role.item_line:
            self.word.para(r.role.item_line, size=HEADING, align="center")
        self.word.para("แสดงผลการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
                       f"ในปี พ.ศ. {year}", size=HEADING, bold=True, align="center")
        self.word.para(f"ประจำปีงบประมาณ พ.ศ. {r.fiscal_year}", size=HEADING, bold=True, align="center")
        self.word.para(" ".join(part for part in (r.organization, r.place) if part), size=HEADING, bold=True,
                       align="center", after=8)
        self.measures_table()
        self.word.para("การกำกับติดตามและรายงานผลต่อผู้บริหาร", size=HEADING, bold=True, before=12, after=2,
                       keep_next=True)
        for line in _lines(r.monitoring or MONITORING_DEFAULT):
            self.word.para(line, indent_first=1.25, after=2, justify=True, keep_next=True)
        self.signatures(f"ประกาศ ณ วันที่ {r.issued_text}")

    def results_report(self) -> None:
        r = self.report
        label = r.round.label
        until = min(r.as_of, r.fiscal_year_end)
        self.word.para(r.title, size=TITLE, bold=True, align="center")
        if r.role.item_line:
            self.word.para(r.role.item_line, size=HEADING, align="center")
        self.word.para(f"{label} ({format_date(r.fiscal_year_start, long=True)} – {format_date(until, long=True)})",
                       size=HEADING, bold=True, align="center")
        self.word.para(f"ปีงบประมาณ พ.ศ. {r.fiscal_year}", size=HEADING, bold=True, align="center")
        self.word.para(" ".join(part for part in (r.organization, r.place) if part), size=HEADING, bold=True,
                       align="center")
        self.word.para(f"ข้อมูล ณ วันที่ {r.as_of_text}", align="center", after=10)
        measures = sum(len(t.measures) for t in r.topics)
        basis = f" จากผลการประเมิน ITA ปี พ.ศ. {r.assessment_year}" if r.assessment_year else ""
        self.word.para(f"ตามที่{r.organization}ได้จัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน "
                       f"ประจำปีงบประมาณ พ.ศ. {r.fiscal_year}{basis} จำนวน {len(r.topics)} ประเด็น {measures} มาตรการ "
                       f"บัดนี้ได้รวบรวมผลการดำเนินการ{label} ข้อมูล ณ วันที่ {r.as_of_text} ดังนี้",
                       indent_first=1.25, after=6, justify=True)

        self.word.para("1. สรุปผลการดำเนินงานตามมาตรการ จำแนกตามหน่วยงาน", size=HEADING, bold=True, after=4,
                       keep_next=True)
        self.summary_table()
        total = r.totals
        if total.total:
            share = total.done * 100 / total.total
            n = "\u00a0งาน"  # no line break between a number and its unit
            self.word.para(f"รวมทั้งสิ้น {total.total}{n} เสร็จสิ้น {total.done}{n} (ร้อยละ\u00a0{share:.1f}) "
                      f"กำลังดำเนินการ {total.in_progress}{n} ยังไม่เริ่ม {total.not_started}{n} "
                      f"ล่าช้า {total.late}{n} ยกเลิก {total.cancelled}{n}",
                      indent_first=1.25, before=4)

        self.word.para("2. ผลการดำเนินการตามมาตรการ", size=HEADING, bold=True, before=12, after=2, keep_next=True)
        for topic in r.topics:
            self.topic_results(topic)

        self.word.para("3. ปัญหาอุปสรรคและข้อเสนอแนะ", size=HEADING, bold=True, before=12, after=2, keep_next=True)
        self.word.para("ปัญหาและอุปสรรค", bold=True, indent_left=0.6, keep_next=True)
        problems = [(t.division, m.title, text) for topic in r.topics for m in topic.measures for t in m.tasks
                    for text in t.problems]
        if problems:
            for division, measure, text in problems:
                self.word.para(f"–\t{division} ({measure}): {text}", indent_left=1.2, hanging=0.6)
        else:
            self.word.para("ไม่มีหน่วยงานรายงานปัญหาอุปสรรคในรอบนี้", indent_left=1.2)
        self.word.para("ข้อเสนอแนะ", bold=True, indent_left=0.6, before=4, keep_next=True)
        for line in _lines(r.suggestions) or ["–"]:
            self.word.para(line, indent_left=1.2, justify=True, keep_next=True)
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
        table = self.word.table(widths)
        self.word.header_row(table, titles)
        for topic in self.report.topics:
            self.measures_topic(table, topic)

    def measures_topic(self, table, topic: TopicResult) -> None:
        """One row per item; the topic's title and analysis span them all, each measure (with its steps,
        period and who is responsible) spans its share of them, as the agency's own table does."""
        measures = topic.measures
        count = max(len(topic.items), len(measures), 1)
        rows = [self.word.add_row(table) for _ in range(count)]  # an item's title stays on one page
        for cells, item in zip(rows, topic.items):
            self.word.fill(cells[1], [f"{item.code} {item.title}"], size=TABLE)
            self.word.fill(cells[2], [format_score(item.score)], size=TABLE, align="center")
        self.word.fill(merge_down(rows, 0), [f"({topic.number}) {topic.title}"], size=TABLE)
        self.word.fill(merge_down(rows, 3), _lines(topic.analysis), size=TABLE, justify=True)
        for position, measure in enumerate(measures):
            share = rows[position * count // len(measures):(position + 1) * count // len(measures)]
            self.measures_row(share, measure, position + 1 if len(measures) > 1 else None)

    def measures_row(self, rows, measure: MeasureResult, number: int | None) -> None:
        """A measure's cells, each spanning the measure's share of its topic's rows."""
        title = f"{number}. {measure.title}" if number else measure.title
        fill = self.word.fill
        fill(merge_down(rows, 4), [title, *_lines(measure.details)], size=TABLE)
        fill(merge_down(rows, 5), [f"{n}.\t{s}" for n, s in enumerate(measure.steps, 1)], size=TABLE, hanging=0.5)
        fill(merge_down(rows, 6), [measure.period], size=TABLE, align="center")
        fill(merge_down(rows, 7), [measure.responsible], size=TABLE, align="center")
        column = 8
        if self.report.has_budget:
            fill(merge_down(rows, column), [measure.budget or "–"], size=TABLE, align="center")
            column += 1
        if self.report.has_indicator:
            fill(merge_down(rows, column), [measure.indicator or "–"], size=TABLE)
            fill(merge_down(rows, column + 1), [measure.target or "–"], size=TABLE, align="center")

    # ----- the results report -----

    def summary_table(self) -> None:
        table = self.word.table(SUMMARY_WIDTHS)
        self.word.header_row(table, SUMMARY_COLUMNS)
        fields = ("total", "done", "in_progress", "not_started", "late", "cancelled")
        for row in [*self.report.summary, self.report.totals]:
            is_total = row.division == "รวม"
            cells = self.word.add_row(table)
            self.word.fill(cells[0], [row.division], size=TABLE, bold=is_total, align="center" if is_total else None)
            for cell, name in zip(cells[1:], fields, strict=True):
                self.word.fill(cell, [str(getattr(row, name))], size=TABLE, bold=is_total, align="center")
            if is_total:
                for cell in cells:
                    shade(cell, TOTAL_FILL)

    def topic_results(self, topic: TopicResult) -> None:
        self.word.para(f"ประเด็นที่ {topic.number} {topic.title}", bold=True, before=8, after=2, keep_next=True)
        if not topic.measures:
            self.word.para("ไม่มีมาตรการในประเด็นนี้", indent_left=0.6)
        for position, measure in enumerate(topic.measures, 1):
            self.measure_results(f"{topic.number}.{position}", measure)

    def measure_results(self, number: str, measure: MeasureResult) -> None:
        self.word.para(f"มาตรการที่ {number} {measure.title}", bold=True, indent_left=0.6, before=6,
                       keep_next=True)
        for line in _lines(measure.details):
            self.word.para(line, indent_left=1.2, keep_next=True)
        if measure.steps:
            self.word.para("ขั้นตอนหรือวิธีการปฏิบัติ:", bold=True, indent_left=1.2, keep_next=True)
            for n, step in enumerate(measure.steps, 1):
                self.word.para(f"{n}.\t{step}", indent_left=1.8, hanging=0.6, keep_next=True)
        self.label_para("ช่วงระยะเวลาดำเนินการ", measure.period)
        divisions = ", ".join(t.division for t in measure.tasks)
        responsible = measure.responsible or divisions
        if divisions and divisions != responsible:
            responsible = f"{responsible} ({divisions})"
        self.label_para("ผู้รับผิดชอบ", responsible)
        for label, value in _results_against_plan(measure):
            self.label_para(label, value)
        self.word.para("", size=SMALL, keep_next=True)
        table = self.word.table(RESULT_WIDTHS)
        self.word.header_row(table, RESULT_COLUMNS)
        for task in measure.tasks:
            self.task_row(table, task)
        if not measure.tasks:
            cells = self.word.add_row(table, cant_split=False)
            self.word.fill(cells[0].merge(cells[-1]), ["ยังไม่ได้มอบหมายหน่วยงาน"], size=TABLE, align="center")

    def task_row(self, table, task: TaskResult) -> None:
        cells = self.word.add_row(table)
        self.word.fill(cells[0], [task.division], size=TABLE)
        if len(task.done) > 1:
            self.word.fill(cells[1], [f"–\t{text}" for text in task.done], size=TABLE, hanging=0.4)
        else:
            self.word.fill(cells[1], task.done or ["–"], size=TABLE, align=None if task.done else "center")
        self.word.fill(cells[2], [task.status], size=TABLE, align="center", bold=task.late)
        if task.last_reported:
            paragraph = cells[2].add_paragraph()
            self.word.format_paragraph(paragraph, SMALL, align="center")
            self.word.run(paragraph, f"รายงาน {_unbroken(format_date(task.last_reported))}", SMALL)
        self.word.fill(cells[3], [str(task.percent)], size=TABLE, align="center")
        self.evidence(cells[4], task.evidence)
        self.word.fill(cells[5], task.problems or ["–"], size=TABLE, align=None if task.problems else "center")

    def evidence(self, cell, evidence: list[str]) -> None:
        if not evidence:
            self.word.fill(cell, ["–"], size=TABLE, align="center")
            return
        for index, entry in enumerate(evidence):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            self.word.format_paragraph(paragraph, TABLE)
            if entry.startswith(("http://", "https://")):
                self.word.hyperlink(paragraph, entry, entry, TABLE)
            else:
                self.word.run(paragraph, entry, TABLE)

    # ----- sign-off -----

    def signatures(self, dated: str) -> None:
        signers = self.report.signers or [Signer("ผู้รายงาน", "", ""), Signer("ผู้บริหาร", "", "")]
        self.word.para(dated, before=12, after=6, indent_left=0 if self.landscape else 8.0,
                       align="center" if self.landscape else None, keep_next=True)
        per_row = 3 if self.landscape else 2
        chunks = [signers[i:i + per_row] for i in range(0, len(signers), per_row)]
        for index, chunk in enumerate(chunks):
            table = self.word.table([1] * len(chunk), borders=False)
            cells = self.word.add_row(table)
            for cell, signer in zip(cells, chunk, strict=True):
                lines = [
                    signer.caption,
                    "",
                    "ลงชื่อ ..................................................",
                    f"({signer.name})" if signer.name else "(..................................................)",
                    signer.position or "ตำแหน่ง ..................................................",
                ] + ([signer.signed] if signer.signed else [])
                self.word.fill(cell, lines, size=BODY, align="center", keep_next=index < len(chunks) - 1, after=0)
            if index < len(chunks) - 1:
                self.word.para("", size=SMALL, keep_next=True)

    def label_para(self, label: str, value: str, after: float = 0) -> None:
        paragraph = self.word.para("", indent_left=1.2, after=after, keep_next=True)
        self.word.run(paragraph, f"{label}: ", BODY, bold=True)
        self.word.run(paragraph, value, BODY)

    def _properties(self) -> None:
        r = self.report
        props = self.word.doc.core_properties
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

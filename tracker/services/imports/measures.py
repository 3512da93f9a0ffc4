"""The measures import: check the drafts a measures table makes against the plan, the year's item
list and the agency's divisions, show a preview, and save all of it or nothing.

A measure without a period or responsible division of its own has those of the measure above it in
the same topic (its budget, indicator and target are its own: a blank one is not stated). The period
is kept as the agency wrote it, as the measure's own wording; who is responsible is kept as written
only where it says more than the chosen divisions would print. Topics already in the plan are never changed: the file's topics are added beside
them, and a file topic whose number the plan already has is an error, so the same file cannot be
imported twice."""
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AssessmentItem, Division, FiscalYear, Topic, User
from tracker.services import plan, wording
from tracker.services.errors import ServiceError
from tracker.services.imports.codes import CodeError, item_codes, normalise_code
from tracker.services.imports.files import ImportFileError
from tracker.services.imports.measure_cells import read_budget, split_steps
from tracker.services.imports.measures_table import (
    MAX_FILE_BYTES, MeasureDraft, Reading, RowError, SourceRow, TopicDraft, group, read_rows,
)
from tracker.thai import format_date, parse_period

NO_DIVISIONS = "หน่วยงานยังไม่มีรายชื่อกอง กรุณาเพิ่มกองที่เมนู จัดการกอง ก่อนนำเข้ามาตรการ"
LIMITS = {"topic": 500, "analysis": 20000, "measure": 2000, "details": 5000, "period": 200, "responsible": 300,
          "indicator": 2000, "target": 300}
_RESPONSIBLE_SEPARATOR = re.compile(r"\s*(?:[,/;、\n]|(?<=\s)และ)\s*")  # not the และ inside a name


@dataclass
class Preview:
    fiscal_year_id: int
    year: int
    topics: list[TopicDraft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the file as a whole
    row_errors: list[RowError] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # the file's header cells that name no column
    skipped_tables: list[int] = field(default_factory=list)  # Word tables that are no part of it

    @property
    def ok(self) -> bool:
        return not self.errors and not self.row_errors and bool(self.topics)

    @property
    def measures(self) -> list[MeasureDraft]:
        return [measure for topic in self.topics for measure in topic.measures]

    @property
    def task_count(self) -> int:
        return sum(measure.task_count for measure in self.measures)

    def error_lines(self) -> list[str]:
        """Every problem as one Thai line, for the command line and flash messages."""
        return self.errors + [f"{error.place}: {error.message}" for error in self.row_errors]


# --- checking against the plan, the item list and the divisions ------------------------------------

def existing_topic_numbers(fiscal_year: FiscalYear) -> list[int]:
    return list(db.session.scalars(
        select(Topic.number).where(Topic.organization_id == fiscal_year.organization_id,
                                   Topic.fiscal_year_id == fiscal_year.id).order_by(Topic.number)))


def _too_long(what: str, text: str, limit_key: str) -> str | None:
    limit = LIMITS[limit_key]
    return f"{what}ยาวเกิน {limit:,} ตัวอักษร" if len(text) > limit else None


class _Checker:
    """Checks drafts in file order, remembering what later rows are compared with."""

    def __init__(self, fiscal_year: FiscalYear, errors: list[RowError]):
        self.fiscal_year = fiscal_year
        self.errors = errors
        self.items = {item.code: item for item in plan.assessment_items(fiscal_year)}
        self.divisions = plan.divisions(fiscal_year.organization_id)
        self.taken = set(existing_topic_numbers(fiscal_year))
        self.seen: dict[int, str] = {}
        self.last_number = max(self.taken, default=0)

    def error(self, where: SourceRow | TopicDraft | MeasureDraft, message: str | None) -> None:
        if message:
            self.errors.append(RowError(where.order, where.place, message))

    def topic(self, topic: TopicDraft) -> None:
        if topic.number is None:
            topic.number = self.last_number + 1
        self.last_number = topic.number
        year = self.fiscal_year.year
        if not topic.title:
            self.error(topic, "ช่องประเด็นไม่มีชื่อประเด็น")
        self.error(topic, _too_long("ชื่อประเด็น", topic.title, "topic"))
        self.error(topic, _too_long("การวิเคราะห์ผลการประเมิน", topic.analysis, "analysis"))
        if not 1 <= topic.number <= 99:
            self.error(topic, "ลำดับประเด็นต้องอยู่ระหว่าง 1 ถึง 99")
        elif topic.number in self.seen:
            self.error(topic, f"ประเด็นลำดับที่ {topic.number} ซ้ำกับประเด็นใน{self.seen[topic.number]}")
        elif topic.number in self.taken:
            self.error(topic, f"แผนปีงบประมาณ พ.ศ. {year} มีประเด็นลำดับที่ {topic.number} อยู่แล้ว "
                              "(การนำเข้าไม่แก้ไขประเด็นเดิม)")
        self.seen.setdefault(topic.number, topic.place)
        self.topic_items(topic)
        previous = None
        for measure in topic.measures:
            self.measure(measure, previous)
            previous = measure

    def topic_items(self, topic: TopicDraft) -> None:
        chosen: dict[str, AssessmentItem] = {}
        assessment_year = self.fiscal_year.assessment_year
        for row, lines in topic.item_cells:
            if assessment_year is None:
                self.error(row, f"ปีงบประมาณ พ.ศ. {self.fiscal_year.year} ยังไม่ได้ผูกกับผลการประเมิน ITA "
                                "จึงอ้างอิงข้อคำถามไม่ได้")
                return
            codes_of_lines = [self.codes(row, line) for line in lines]
            if codes_of_lines[0] is None:
                self.error(row, f"อ่านรหัสข้อคำถามจาก “{lines[0]}” ไม่ได้ ให้ขึ้นต้นด้วยรหัสข้อ เช่น O7, i10, e9")
            for codes in codes_of_lines:
                for typed in codes or []:
                    code = normalise_code(typed, self.items)
                    if code is None:
                        self.error(row, f"ไม่พบข้อ “{typed}” ในรายการข้อคำถามปี {assessment_year.year}")
                    else:
                        chosen.setdefault(code, self.items[code])
        topic.items = sorted(chosen.values(), key=lambda item: item.position)

    def codes(self, row: SourceRow, line: str) -> list[str] | None:
        try:
            return item_codes(line)
        except CodeError as problem:
            self.error(row, str(problem))
            return []

    def measure(self, measure: MeasureDraft, previous: MeasureDraft | None) -> None:
        self.error(measure, _too_long("ชื่อมาตรการ", measure.title, "measure"))
        self.error(measure, _too_long("รายละเอียดมาตรการ", measure.details, "details"))
        measure.steps = split_steps(measure.step_lines)
        if not measure.steps:
            self.error(measure, f"มาตรการ “{measure.title}” ไม่มีขั้นตอนหรือวิธีการปฏิบัติ")
        self.period(measure, previous)
        self.responsible(measure, previous)
        self.budget_and_indicator(measure)

    def period(self, measure: MeasureDraft, previous: MeasureDraft | None) -> None:
        if not measure.period_lines and not measure.period_dates and previous is not None:
            measure.period_lines, measure.period_dates = previous.period_lines, previous.period_dates
        measure.period_text = " ".join(measure.period_lines)
        try:
            measure.start_date, measure.end_date = self.read_period(measure)
        except ValueError as problem:
            self.error(measure, str(problem))
        self.error(measure, _too_long("ช่วงระยะเวลา", measure.period_text, "period"))

    def read_period(self, measure: MeasureDraft) -> tuple[date, date]:
        """From its text, or from a sheet's date cell (that one day; its data prints it, so no own
        wording). Raises ValueError with a Thai message."""
        days = ", ".join(format_date(day) for day in measure.period_dates)
        if measure.period_text and days:
            raise ValueError(f"ช่วงระยะเวลามีทั้งข้อความ “{measure.period_text}” และวันที่ {days} กรุณาเหลือไว้แบบเดียว")
        if len(measure.period_dates) > 1:
            raise ValueError(f"ช่วงระยะเวลามีหลายวันที่ ({days}) กรุณาเขียนเป็นช่วง เช่น 1 ต.ค. 67 – 30 ก.ย. 68")
        if measure.period_dates:
            day = measure.period_dates[0]
            return _within_year(format_date(day), day, day, self.fiscal_year)
        if not measure.period_text:
            raise ValueError("ไม่ได้ระบุช่วงระยะเวลาในการดำเนินการ")
        return _read_period(measure.period_text, self.fiscal_year)

    def responsible(self, measure: MeasureDraft, previous: MeasureDraft | None) -> None:
        if not measure.responsible_lines and previous is not None:
            measure.responsible_lines = previous.responsible_lines
        measure.responsible_text = ", ".join(measure.responsible_lines)
        if not measure.responsible_text:
            self.error(measure, "ไม่ได้ระบุผู้รับผิดชอบ")
            return
        self.error(measure, _too_long("ผู้รับผิดชอบ", measure.responsible_text, "responsible"))
        names = [name for name in _RESPONSIBLE_SEPARATOR.split("\n".join(measure.responsible_lines)) if name]
        if "ยกเว้น" in measure.responsible_text:  # "ทุกกอง ยกเว้นกองช่าง" is not every division
            self.error(measure, f"ผู้รับผิดชอบ “{measure.responsible_text}” มีข้อยกเว้น "
                                "กรุณาระบุชื่อกองที่รับผิดชอบแทน")
            return
        if any(_division_key(name).startswith("ทุก") for name in [measure.responsible_text, *names]):
            measure.all_divisions, measure.task_count = True, len(self.divisions)
            measure.own_responsible = _own_wording(measure)
            return
        if not self.divisions:
            return  # the file-level NO_DIVISIONS says it once
        unknown = []
        for name in names:
            found = self.match_divisions(name)
            if found is None:
                unknown.append(name)
            measure.divisions += [d for d in found or [] if d not in measure.divisions]
        if unknown:
            known = ", ".join(division.name for division in self.divisions)
            self.error(measure, "ไม่พบกอง " + ", ".join(f"“{name}”" for name in unknown)
                       + f" ในรายชื่อกองของหน่วยงาน (มี {known})")
        measure.divisions.sort(key=lambda division: division.position)
        measure.task_count = len(measure.divisions)
        measure.own_responsible = _own_wording(measure)

    def budget_and_indicator(self, measure: MeasureDraft) -> None:
        try:
            measure.budget_amount, measure.no_budget = read_budget(" ".join(measure.budget_lines))
        except ValueError as problem:
            self.error(measure, str(problem))
        measure.indicator = "\n".join(measure.indicator_lines)
        measure.target = "\n".join(measure.target_lines)
        self.error(measure, _too_long("ตัวชี้วัด", measure.indicator, "indicator"))
        self.error(measure, _too_long("ค่าเป้าหมาย", measure.target, "target"))

    def match_divisions(self, name: str) -> list[Division] | None:
        """The division(s) a name means: its name (spaces and a remark in brackets aside), a unique
        abbreviation ending in "ฯ" ("กองการศึกษาฯ"), or several names without separators."""
        key = _division_key(name)
        by_key = {_division_key(division.name): division for division in self.divisions}
        if key in by_key:
            return [by_key[key]]
        if key.endswith("ฯ"):
            found = [division for k, division in by_key.items() if k.startswith(key[:-1])]
            return found if len(found) == 1 else None
        found = []
        while key:  # "สำนักปลัด กองคลัง": the longest name that starts the rest, again and again
            match = next((k for k in sorted(by_key, key=len, reverse=True) if key.startswith(k)), None)
            if match is None:
                return None
            found.append(by_key[match])
            key = key[len(match):]
        return found


def _read_period(text: str, fiscal_year: FiscalYear) -> tuple[date, date]:
    """The period's first and last day, inside the fiscal year. Raises ValueError with a Thai message."""
    try:
        start, end = parse_period(text, fiscal_year.year)
    except ValueError:
        raise ValueError(f"อ่านช่วงระยะเวลา “{text}” ไม่ได้ "
                         "(ตัวอย่าง: 1 ต.ค. 67 – 30 ก.ย. 68 หรือ ปีงบประมาณ พ.ศ. 2568)") from None
    if start > end:
        raise ValueError(f"ช่วงระยะเวลา “{text}” มีวันเริ่มอยู่หลังวันสิ้นสุด")
    return _within_year(text, start, end, fiscal_year)


def _within_year(text: str, start: date, end: date, fiscal_year: FiscalYear) -> tuple[date, date]:
    if not (fiscal_year.contains(start) and fiscal_year.contains(end)):
        raise ValueError(f"ช่วงระยะเวลา “{text}” อยู่นอกปีงบประมาณ พ.ศ. {fiscal_year.year} "
                         f"({format_date(fiscal_year.start_date)} – {format_date(fiscal_year.end_date)})")
    return start, end


def _division_key(name: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"\(.*?\)", "", name))


def _own_wording(measure: MeasureDraft) -> str:
    """Who is responsible as written, or "" where that is exactly what the chosen divisions print."""
    printed = wording.ALL_DIVISIONS_TEXT if measure.all_divisions else ", ".join(d.name for d in measure.divisions)
    return "" if measure.responsible_text == printed else measure.responsible_text


def check(fiscal_year: FiscalYear, reading: Reading) -> Preview:
    """The topics and measures the file's rows make, each checked, and what is wrong with them (in Thai)."""
    preview = Preview(fiscal_year_id=fiscal_year.id, year=fiscal_year.year, unused=reading.unused,
                      skipped_tables=reading.skipped_tables)
    preview.topics, preview.row_errors = group(reading.rows)
    if not preview.topics and not preview.row_errors:
        preview.errors.append("ไม่พบประเด็นหรือมาตรการในตาราง")
    checker = _Checker(fiscal_year, preview.row_errors)
    if not checker.divisions:
        preview.errors.append(NO_DIVISIONS)
    for topic in preview.topics:
        checker.topic(topic)
    preview.row_errors.sort(key=lambda error: error.order)
    return preview


def preview_file(fiscal_year: FiscalYear, filename: str, data: bytes) -> Preview:
    """Read and check a file; a file that cannot be read gives a preview with a file-level error."""
    try:
        reading = read_rows(filename, data)
    except ImportFileError as error:
        return Preview(fiscal_year_id=fiscal_year.id, year=fiscal_year.year, errors=[str(error)])
    return check(fiscal_year, reading)


# --- saving ------------------------------------------------------------------------------------------

def apply(preview: Preview, fiscal_year: FiscalYear, actor: User | None) -> list[Topic]:
    """Create every topic and measure of a good preview through the plan services (so tasks fan out and
    the audit trail is written), in one transaction: a failure on the way saves nothing."""
    if preview.fiscal_year_id != fiscal_year.id:
        raise ServiceError("ผลตรวจสอบนี้เป็นของปีงบประมาณอื่น")
    if not preview.ok:
        raise ServiceError("นำเข้าไม่ได้ เพราะยังมีแถวที่ไม่ถูกต้อง: " + "; ".join(preview.error_lines()))
    created = []
    for draft in preview.topics:
        topic = plan.create_topic(fiscal_year, plan.TopicInput(
            number=draft.number, title=draft.title, analysis=draft.analysis,
            item_ids=[item.id for item in draft.items]), actor)
        for measure in draft.measures:
            plan.create_measure(topic, plan.MeasureInput(
                title=measure.title, details=measure.details, steps=measure.steps,
                start_date=measure.start_date, end_date=measure.end_date, period_text=measure.period_text,
                responsible_text=measure.own_responsible, all_divisions=measure.all_divisions,
                division_ids=[division.id for division in measure.divisions],
                budget_amount=measure.budget_amount, no_budget=measure.no_budget, indicator=measure.indicator,
                target=measure.target), actor)
        created.append(topic)
    return created

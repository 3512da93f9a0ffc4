"""Readiness before publishing: the measures of a fiscal year held against each element of the
measures document's criteria, and the results report against its own, each met or missing with
the place to fix it. Each document is named by the code its ITA year gives it (documents.py).

The elements and their wording are data (tracker/data/ita/<year>.json, per assessment year); each
names one of the checks below. The rules, as the detail sentences say them:

The measures document (as of any day)
- topics_analysed: there is at least one topic; every topic has analysis text and at least one
  assessment item, and every linked item has a score.
- weak_items_covered: the ITA result has scores, and every weak item (below its tool's mark, which
  the agency sets per assessment year: OIT 100, IIT/EIT 85 by default) belongs to a topic that has
  at least one measure.
- topics_have_measures: every topic has at least one measure.
- measures_have_steps: every measure has at least one non-blank step.
- measures_have_divisions: every measure has a responsible active division ("ทุกกอง" counts when
  the agency has an active division), and the coordinator's own wording of who is responsible, if
  any, still names those divisions (wording.responsible_matches).
- periods_in_year: every measure starts and ends inside the fiscal year, start before end, and the
  coordinator's own wording of the period, if any, still reads as those dates.
- monitoring_set: the report settings hold the monitoring text (การกำกับติดตาม).
- approved_for_year: the fiscal year answers last year's ITA (assessment year = fiscal year − 1),
  and the executive approved a version of the measures document that the plan still matches
  (approvals.is_current): an edit after the approval asks for a new one.
- measures_published: that approved version is published on the agency's public pages.

The results report (as of a date). Which report that is follows the year's roles: this fiscal
year's, as of the day asked, or, where the roles say the assessors read the year-end report of the
year before (ITA 2569), that year's as of its last day. The round is ita_calendar.round_of: the
6-month round up to 31 Mar, else the year-end round. Only tasks of divisions still responsible
(not archived) whose measure has started by as_of are held to account.
- tasks_report_results: every such task has a progress update by as_of saying what was done.
- tasks_report_progress: every such task was reported on (status and percent) within the round.
- problems_and_suggestions: every task late by as_of (past due, not done or cancelled in its last
  update), and at the year-end every unfinished one, has problems text in an update by as_of; and
  the suggestions text is set.
- acknowledged_for_period: the executive acknowledged a version of the round's results report (as
  of 31 Mar, or 30 Sep) that the data still matches.
- results_published: that acknowledged version is published on the agency's public pages.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from functools import cached_property

from sqlalchemy import Row, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import (
    AssessmentItem, Division, DocumentVersion, FiscalYear, Measure, ProgressUpdate, ReportSettings, Task, Topic,
)
from tracker.models.ita import DEFAULT_THRESHOLDS, TOOLS
from tracker.models.task import CLOSED_STATUSES
from tracker.services import approvals, documents, item_banks, ita_calendar, plan, versions, wording
from tracker.services.documents import MEASURES, RESULTS
from tracker.services.errors import NotFound
from tracker.services.reports import compile as reports
from tracker.thai import bangkok_to_utc, format_date, local_datetime

SHOWN = 5  # offenders named in a detail sentence; the rest are counted, and all are in `fixes`


class Target(StrEnum):
    """Where something is fixed, in the domain's words; the web layer (web/readiness.py) turns each
    into a page's address, so that a renamed route cannot leave a check pointing nowhere."""
    TASK = "task"  # of: task
    MEASURE = "measure"  # of: measure
    TOPIC = "topic"  # of: topic
    NEW_TOPIC = "new_topic"  # of: fiscal_year, and the item it is for (optional)
    NEW_MEASURE = "new_measure"  # of: topic
    ITA_RESULT = "ita_result"  # of: fiscal_year
    PLAN = "plan"  # of: fiscal_year
    REPORT_SETTINGS = "report_settings"
    APPROVAL_REQUEST = "approval_request"  # of: fiscal_year, document (its slug)
    DOCUMENT_VERSION = "document_version"  # of: version
    APPROVALS = "approvals"  # of: fiscal_year


@dataclass
class Fix:
    """A place to fix something: a Thai label, and the target with the ids that name it."""
    label: str
    target: Target
    of: dict = field(default_factory=dict)  # e.g. {"fiscal_year": 2568, "item": 12}


@dataclass
class ElementResult:
    document: str  # MEASURES or RESULTS
    element: str  # the criteria's element id, e.g. "approved"
    title: str  # Thai
    met: bool
    detail: str  # Thai: what is there, or what is missing and where to fix it
    fixes: list[Fix] = field(default_factory=list)  # every place to fix

    @property
    def first_fix(self) -> Fix | None:
        """Where to start fixing a missing element, for its link."""
        return None if self.met or not self.fixes else self.fixes[0]


@dataclass
class _Facts:
    """Everything the checks read, each part loaded when a check first asks for it, in a fixed number
    of queries: the measures document's checks never load the tasks, the results report's never the
    topics."""
    fiscal_year: FiscalYear
    as_of: date
    thresholds: dict[str, float]
    _versions: dict = field(default_factory=dict)

    @cached_property
    def topics(self) -> list[Topic]:
        return plan.plan_topics(self.fiscal_year, with_origins=False)

    @cached_property
    def items(self) -> list[AssessmentItem]:
        return plan.assessment_items(self.fiscal_year)

    @cached_property
    def divisions(self) -> list[Division]:
        return plan.divisions(self.fiscal_year.organization_id)

    @cached_property
    def settings(self) -> ReportSettings:
        return reports.settings_for(self.fiscal_year.organization_id)

    @cached_property
    def tasks(self) -> list[Task]:
        """Active, of measures started by as_of."""
        return list(db.session.scalars(
            select(Task).join(Task.measure).join(Measure.topic)
            .where(Task.organization_id == self.fiscal_year.organization_id,
                   Topic.fiscal_year_id == self.fiscal_year.id, Task.archived_at.is_(None),
                   Measure.start_date <= self.as_of)
            .order_by(Topic.number, Measure.position, Task.division_id)
            .options(joinedload(Task.division), joinedload(Task.measure).joinedload(Measure.topic))))

    @cached_property
    def updates(self) -> dict[int, list[Row]]:
        """The tasks' updates up to as_of, by task id, oldest first: rows of what the checks read
        (created_at, status, done_text, problems), not whole updates."""
        until = bangkok_to_utc(datetime.combine(self.as_of, time.max))
        updates: dict[int, list[Row]] = {task.id: [] for task in self.tasks}
        for update in db.session.execute(
                select(ProgressUpdate.task_id, ProgressUpdate.created_at, ProgressUpdate.status,
                       ProgressUpdate.done_text, ProgressUpdate.problems)
                .where(ProgressUpdate.task_id.in_(list(updates)), ProgressUpdate.created_at <= until,
                       ProgressUpdate.is_live)
                .order_by(ProgressUpdate.id)):
            updates[update.task_id].append(update)
        return updates

    @property
    def year(self) -> dict:
        return {"fiscal_year": self.fiscal_year.year}

    @property
    def measures(self) -> list[Measure]:
        return [m for t in self.topics for m in t.measures]

    @cached_property
    def round(self) -> ita_calendar.Round:
        return ita_calendar.round_of(self.fiscal_year, self.as_of)

    @property
    def round_label(self) -> str:
        return self.round.label

    @property
    def round_start(self) -> date:
        return self.round.start

    @property
    def round_end(self) -> date:
        return self.round.end

    def approved(self, kind: str) -> tuple[DocumentVersion | None, bool]:
        """The newest approved version of the measures document (kind MEASURES) or of this round's
        results report, and whether the plan still matches it. Loaded once per kind."""
        if kind not in self._versions:
            period = "" if kind == MEASURES else self.round.kind
            version = versions.latest_approved(self.fiscal_year, kind, period)
            current = version is not None and approvals.is_current(
                version, reports.build(kind, self.fiscal_year, version.as_of))
            self._versions[kind] = (version, current)
        return self._versions[kind]


Outcome = tuple[bool, str, list[Fix]]


# --- criteria (data) -----------------------------------------------------------------------------

def criteria_for(fiscal_year: FiscalYear) -> dict:
    """The criteria of the ITA that assesses this year's documents: the newest shipped item bank with
    criteria not after the fiscal year (the ITA 2567 handbook for fiscal year 2568 until a 2568 one
    with criteria is added)."""
    return item_banks.criteria_for_year(fiscal_year.year)


def _thresholds(fiscal_year: FiscalYear) -> dict[str, float]:
    """The marks of the ITA result the measures answer, as the agency set them."""
    assessment_year = fiscal_year.assessment_year
    marks = assessment_year.threshold if assessment_year else DEFAULT_THRESHOLDS.get
    return {tool: float(marks(tool)) for tool in TOOLS}


# --- wording helpers -----------------------------------------------------------------------------

def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _names(labels: list[str]) -> str:
    shown = ", ".join(labels[:SHOWN])
    return shown + (f" และอีก {len(labels) - SHOWN} รายการ" if len(labels) > SHOWN else "")


def _topic_label(topic: Topic) -> str:
    return f"ประเด็นที่ {topic.number} «{_short(topic.title)}»"


def _measure_label(measure: Measure) -> str:
    return f"มาตรการ «{_short(measure.title)}» (ประเด็นที่ {measure.topic.number})"


def _task_label(task: Task) -> str:
    return f"{task.division.name}: {_measure_label(task.measure)}"


def _task_fix(task: Task) -> Fix:
    return Fix(_task_label(task), Target.TASK, {"task": task.id})


def _measure_fix(measure: Measure) -> Fix:
    return Fix(_measure_label(measure), Target.MEASURE, {"measure": measure.id})


def _no_topics(facts: _Facts) -> Outcome:
    return (False, f"ยังไม่มีประเด็นหรือมาตรการในปีงบประมาณ {facts.fiscal_year.year} "
                   "เพิ่มประเด็นและมาตรการที่หน้าแผนมาตรการ",
            [Fix("เพิ่มประเด็น", Target.NEW_TOPIC, facts.year)])


# --- the measures document's checks ----------------------------------------------------------------------------------

def topics_analysed(facts: _Facts) -> Outcome:
    if not facts.topics:
        return _no_topics(facts)
    problems, fixes = [], []
    for topic in facts.topics:
        lacking = []
        if not topic.analysis.strip():
            lacking.append("ยังไม่มีผลการวิเคราะห์")
        if not topic.items:
            lacking.append("ยังไม่ได้เลือกข้อการประเมิน")
        if lacking:
            problems.append(f"{_topic_label(topic)} {' และ'.join(lacking)}")
            fixes.append(Fix(_topic_label(topic), Target.TOPIC, {"topic": topic.id}))
    unscored = sorted({item.code for topic in facts.topics for item in topic.items if item.score is None})
    if unscored:
        problems.append(f"ข้อ {', '.join(unscored)} ยังไม่มีคะแนน")
        fixes.append(Fix("ผลการประเมิน ITA", Target.ITA_RESULT, facts.year))
    if problems:
        return False, _names(problems) + " แก้ไขที่หน้าแก้ไขประเด็น หรือบันทึกคะแนนที่หน้าผลการประเมิน", fixes
    return True, f"ทุกประเด็น ({len(facts.topics)} ประเด็น) มีผลการวิเคราะห์ และข้อการประเมินพร้อมคะแนน", []


def weak_items_covered(facts: _Facts) -> Outcome:
    scored = [item for item in facts.items if item.score is not None]
    if not scored:
        return (False, "ยังไม่มีผลคะแนน ITA ของปีที่วิเคราะห์ จึงระบุประเด็นที่ต้องแก้ไขเร่งด่วนไม่ได้ "
                       "บันทึกคะแนนที่หน้าผลการประเมิน", [Fix("ผลการประเมิน ITA", Target.ITA_RESULT, facts.year)])
    weak = [item for item in scored if item.is_weak]
    topics_of: dict[int, list[Topic]] = {}
    for topic in facts.topics:
        for item in topic.items:
            topics_of.setdefault(item.id, []).append(topic)
    uncovered, fixes = [], []
    for item in weak:
        topics = topics_of.get(item.id, [])
        if any(topic.measures for topic in topics):
            continue
        if topics:
            uncovered.append(f"{item.code} ({_topic_label(topics[0])} ยังไม่มีมาตรการ)")
            fixes.append(Fix(f"เพิ่มมาตรการใน{_topic_label(topics[0])}", Target.NEW_MEASURE,
                             {"topic": topics[0].id}))
        else:
            uncovered.append(f"{item.code} (ยังไม่อยู่ในประเด็นใด)")
            fixes.append(Fix(f"เริ่มประเด็นสำหรับข้อ {item.code}", Target.NEW_TOPIC, {**facts.year, "item": item.id}))
    rule = "OIT ต่ำกว่า {OIT:g}, IIT ต่ำกว่า {IIT:g}, EIT ต่ำกว่า {EIT:g}".format(**facts.thresholds)
    if uncovered:
        return (False, f"ข้อที่ต่ำกว่าเกณฑ์ ({rule}) ยังไม่มีมาตรการรองรับ: {_names(uncovered)} "
                       "เพิ่มมาตรการในประเด็นนั้น หรือเพิ่มข้อนั้นเข้าประเด็นที่มีมาตรการ", fixes)
    if not weak:
        return True, f"ไม่มีข้อที่ต่ำกว่าเกณฑ์ ({rule})", []
    return True, (f"ข้อที่ต่ำกว่าเกณฑ์ ({rule}) ทุกข้อ ({', '.join(item.code for item in weak)}) "
                  "อยู่ในประเด็นที่มีมาตรการรองรับ"), []


def topics_have_measures(facts: _Facts) -> Outcome:
    if not facts.topics:
        return _no_topics(facts)
    empty = [topic for topic in facts.topics if not topic.measures]
    if empty:
        return (False, f"ยังไม่มีมาตรการใน {_names([_topic_label(t) for t in empty])} เพิ่มมาตรการในประเด็นนั้น",
                [Fix(f"เพิ่มมาตรการใน{_topic_label(t)}", Target.NEW_MEASURE, {"topic": t.id}) for t in empty])
    return True, f"ทุกประเด็นมีมาตรการ รวม {len(facts.measures)} มาตรการ", []


def _each_measure(facts: _Facts, ok, missing_text: str, met_text: str) -> Outcome:
    """Hold every measure to `ok(measure)`; with no measures at all the element is missing."""
    if not facts.measures:
        return _no_topics(facts)
    failing = [m for m in facts.measures if not ok(m)]
    if failing:
        return (False, f"{_names([_measure_label(m) for m in failing])} {missing_text} แก้ไขที่หน้าแก้ไขมาตรการ",
                [_measure_fix(m) for m in failing])
    return True, met_text, []


def measures_have_steps(facts: _Facts) -> Outcome:
    return _each_measure(facts, lambda m: any(step.text.strip() for step in m.steps),
                         "ยังไม่มีขั้นตอนหรือวิธีการปฏิบัติ", "ทุกมาตรการมีขั้นตอนหรือวิธีการปฏิบัติ")


def measures_have_divisions(facts: _Facts) -> Outcome:
    def responsible(measure: Measure) -> bool:
        return bool(facts.divisions) if measure.all_divisions else any(d.active for d in measure.divisions)
    names = [d.name for d in facts.divisions]
    outcome = _each_measure(facts, responsible, "ยังไม่มีกองผู้รับผิดชอบ", "ทุกมาตรการระบุกองผู้รับผิดชอบ")
    return _and(outcome, _each_measure(
        facts, lambda m: wording.responsible_matches(m, names),
        "เขียนผู้รับผิดชอบในเอกสารไม่ตรงกับกองที่เลือกไว้ (แก้ข้อความ หรือเว้นว่างให้ระบบเขียนจากกองที่เลือก)", ""))


def periods_in_year(facts: _Facts) -> Outcome:
    year = facts.fiscal_year
    outcome = _each_measure(
        facts, lambda m: m.start_date <= m.end_date and year.contains(m.start_date) and year.contains(m.end_date),
        f"มีช่วงเวลาดำเนินการอยู่นอกปีงบประมาณ {year.year} "
        f"({format_date(year.start_date)} – {format_date(year.end_date)}) หรือวันเริ่มหลังวันสิ้นสุด",
        f"ทุกมาตรการมีช่วงเวลาดำเนินการภายในปีงบประมาณ {year.year}")
    return _and(outcome, _each_measure(
        facts, wording.period_matches,
        "เขียนช่วงระยะเวลาในเอกสารไม่ตรงกับวันเริ่มและวันสิ้นสุด (แก้ข้อความ หรือเว้นว่างให้ระบบเขียนจากวันที่)", ""))


def _and(first: Outcome, second: Outcome) -> Outcome:
    """Both rules: the first's sentence when both are met, else every problem and every fix."""
    if (first[0] and second[0]) or first[1] == second[1]:
        return first
    failed = [outcome for outcome in (first, second) if not outcome[0]]
    return False, " ".join(outcome[1] for outcome in failed), [fix for outcome in failed for fix in outcome[2]]


def monitoring_set(facts: _Facts) -> Outcome:
    if facts.settings.monitoring.strip():
        return True, "มีข้อความการกำกับติดตามและการรายงานผลต่อผู้บริหาร", []
    return (False, "ยังไม่ได้ระบุการกำกับติดตามการนำมาตรการไปสู่การปฏิบัติ กรอกที่หน้าตั้งค่ารายงาน",
            [Fix("ตั้งค่ารายงาน", Target.REPORT_SETTINGS)])


def approved_for_year(facts: _Facts) -> Outcome:
    problems, fixes = [], []
    year = facts.fiscal_year
    answered = year.assessment_year.year if year.assessment_year else None
    if answered != year.year - 1:
        problems.append(f"ปีงบประมาณ {year.year} ยังไม่ได้ผูกกับผลการประเมิน ITA {year.year - 1}")
        fixes.append(Fix("ผลการประเมิน ITA", Target.ITA_RESULT, facts.year))
    version, current = facts.approved(MEASURES)
    if version is None:
        problems.append("ผู้บริหารยังไม่ได้อนุมัติเอกสารมาตรการ ส่งขออนุมัติที่หน้าอนุมัติและเผยแพร่")
        fixes.append(Fix("ขออนุมัติเอกสารมาตรการ", Target.APPROVAL_REQUEST, {**facts.year, "document": "measures"}))
    elif not current:
        problems.append(f"แผนมาตรการมีการแก้ไขหลังผู้บริหารอนุมัติฉบับที่ {version.number} ส่งขออนุมัติฉบับใหม่")
        fixes.append(Fix(f"ดูสิ่งที่เปลี่ยนหลังฉบับที่ {version.number}", Target.DOCUMENT_VERSION, {"version": version.id}))
    if problems:
        return False, " ".join(problems), fixes
    approver = version.decided_by.name if version.decided_by else "ผู้บริหาร"
    return True, (f"มาตรการปีงบประมาณ {year.year} จากผลการประเมิน ITA {answered} "
                  f"ฉบับที่ {version.number} อนุมัติโดย {approver} "
                  f"เมื่อ {format_date(local_datetime(version.decided_at).date())}"), []


def _published(facts: _Facts, kind: str, word: str) -> Outcome:
    version, current = facts.approved(kind)
    if version is None or not current:
        return (False, f"ยังไม่มีฉบับที่ผู้บริหาร{word}ซึ่งตรงกับข้อมูลปัจจุบัน จึงยังเผยแพร่ไม่ได้",
                [Fix("อนุมัติและเผยแพร่", Target.APPROVALS, facts.year)])
    if not version.is_published:
        return (False, f"ฉบับที่ {version.number} ที่ผู้บริหาร{word}แล้วยังไม่ได้เผยแพร่ เผยแพร่ที่หน้าคำขอ",
                [Fix(f"เผยแพร่ฉบับที่ {version.number}", Target.DOCUMENT_VERSION, {"version": version.id})])
    return True, (f"เผยแพร่ฉบับที่ {version.number} บนหน้าสาธารณะของหน่วยงานแล้ว "
                  f"เมื่อ {format_date(local_datetime(version.published_at).date())}"), []


def measures_published(facts: _Facts) -> Outcome:
    return _published(facts, MEASURES, "อนุมัติ")


def results_published(facts: _Facts) -> Outcome:
    return _published(facts, RESULTS, "รับทราบ")


# --- the results report's checks ----------------------------------------------------------------------------------

def _no_tasks(facts: _Facts) -> Outcome:
    return (False, f"ยังไม่มีงานของกองใดที่เริ่มแล้ว ณ วันที่ {format_date(facts.as_of)} "
                   "ตรวจมาตรการและกองผู้รับผิดชอบที่หน้าแผนมาตรการ", [Fix("แผนมาตรการ", Target.PLAN, facts.year)])


def tasks_report_results(facts: _Facts) -> Outcome:
    if not facts.tasks:
        return _no_tasks(facts)
    silent = [t for t in facts.tasks if not any(u.done_text.strip() for u in facts.updates[t.id])]
    if silent:
        return (False, f"ยังไม่มีรายงานสิ่งที่ได้ดำเนินการภายในวันที่ {format_date(facts.as_of)} "
                       f"{len(silent)} งาน: {_names([_task_label(t) for t in silent])} "
                       "ให้กองบันทึกความก้าวหน้าที่หน้างาน", [_task_fix(t) for t in silent])
    return True, f"ทุกงาน ({len(facts.tasks)} งาน) มีรายงานสิ่งที่ได้ดำเนินการ", []


def tasks_report_progress(facts: _Facts) -> Outcome:
    if not facts.tasks:
        return _no_tasks(facts)
    stale = [t for t in facts.tasks
             if not any(local_datetime(u.created_at).date() >= facts.round_start for u in facts.updates[t.id])]
    if stale:
        return (False, f"ยังไม่ได้รายงานความก้าวหน้า{facts.round_label} (ตั้งแต่ {format_date(facts.round_start)} "
                       f"ถึง {format_date(facts.as_of)}) {len(stale)} งาน: {_names([_task_label(t) for t in stale])} "
                       "ให้กองบันทึกสถานะและร้อยละที่หน้างาน", [_task_fix(t) for t in stale])
    return True, f"ทุกงานรายงานความก้าวหน้า{facts.round_label}แล้ว", []


def problems_and_suggestions(facts: _Facts) -> Outcome:
    year_end = facts.as_of >= facts.fiscal_year.end_date
    unexplained = []
    for task in facts.tasks:
        updates = facts.updates[task.id]
        closed = bool(updates) and updates[-1].status in CLOSED_STATUSES
        behind = not closed and (year_end or task.due_date < facts.as_of)
        if behind and not any(u.problems.strip() for u in updates):
            unexplained.append(task)
    problems, fixes = [], [_task_fix(t) for t in unexplained]
    if unexplained:
        which = "ยังไม่แล้วเสร็จเมื่อสิ้นปี" if year_end else "ล่าช้า"
        problems.append(f"งานที่{which} {len(unexplained)} งานยังไม่ได้ระบุปัญหาอุปสรรค: "
                        f"{_names([_task_label(t) for t in unexplained])} ให้กองระบุที่หน้างาน")
    if not facts.settings.suggestions.strip():
        problems.append("ยังไม่ได้เขียนข้อเสนอแนะของรายงาน กรอกที่หน้าตั้งค่ารายงาน")
        fixes.append(Fix("ตั้งค่ารายงาน", Target.REPORT_SETTINGS))
    if problems:
        return False, " ".join(problems), fixes
    return True, "งานที่ล่าช้าหรือยังไม่แล้วเสร็จระบุปัญหาอุปสรรคครบ และมีข้อเสนอแนะ", []


def acknowledged_for_period(facts: _Facts) -> Outcome:
    version, current = facts.approved(RESULTS)
    round_name = f"รายงาน{facts.round_label} (ข้อมูล ณ {format_date(facts.round_end)})"
    if version is None:
        return (False, f"ผู้บริหารยังไม่ได้รับทราบ{round_name} เสนอผู้บริหารที่หน้าอนุมัติและเผยแพร่",
                [Fix(f"เสนอ{round_name}", Target.APPROVAL_REQUEST, {**facts.year, "document": _results_slug(facts)})])
    if not current:
        return (False, f"ข้อมูลของ{round_name}เปลี่ยนไปหลังผู้บริหารรับทราบฉบับที่ {version.number} "
                       "เสนอฉบับใหม่ให้ผู้บริหารรับทราบ",
                [Fix(f"ดูฉบับที่ {version.number}", Target.DOCUMENT_VERSION, {"version": version.id})])
    approver = version.decided_by.name if version.decided_by else "ผู้บริหาร"
    return True, (f"{approver}รับทราบ{round_name} ฉบับที่ {version.number} "
                  f"เมื่อ {format_date(local_datetime(version.decided_at).date())}"), []


def _results_slug(facts: _Facts) -> str:
    return versions.Document(RESULTS, facts.round.kind).slug


CHECKS = {check.__name__: check for check in (
    topics_analysed, weak_items_covered, topics_have_measures, measures_have_steps, measures_have_divisions,
    periods_in_year, monitoring_set, approved_for_year, measures_published,
    tasks_report_results, tasks_report_progress, problems_and_suggestions, acknowledged_for_period,
    results_published,
)}


def results_scope(fiscal_year: FiscalYear, as_of: date) -> tuple[int, FiscalYear | None, date]:
    """The results report published beside this year's measures: (its fiscal year's number, that
    year in the plan or None, the day it speaks of)."""
    covers = documents.roles_for(fiscal_year).results_covers
    year, round_kind = ita_calendar.assessed_results(fiscal_year.year, covers)
    if year == fiscal_year.year:
        return year, fiscal_year, as_of
    try:
        earlier = plan.get_fiscal_year(fiscal_year.organization_id, year)
    except NotFound:
        return year, None, ita_calendar.fiscal_year_bounds(year)[1]
    return year, earlier, ita_calendar.round_end(earlier, round_kind)


def _no_plan_of(year: int, as_of: date) -> Outcome:
    return (False, f"รายงานผลที่ผู้ประเมินตรวจปีนี้คือรายงานประจำปีของปีงบประมาณ {year} (ข้อมูล ณ {format_date(as_of)}) "
                   f"แต่ยังไม่มีแผนปีงบประมาณ {year} ในระบบ จัดทำรายงานนั้นนอกระบบ "
                   "หรือเปลี่ยนรอบของรายงานผลที่หน้ารายการข้อคำถาม", [])


def check(fiscal_year: FiscalYear, as_of: date, scope: tuple | None = None) -> list[ElementResult]:
    """Every element of the criteria of the year's two documents, in the criteria's order; `scope`
    is results_scope(fiscal_year, as_of) when the caller has it already."""
    criteria = criteria_for(fiscal_year)
    facts = _Facts(fiscal_year, as_of, _thresholds(fiscal_year))
    results_year, results_fiscal_year, results_as_of = scope or results_scope(fiscal_year, as_of)
    results_facts = facts if results_fiscal_year is fiscal_year else (
        _Facts(results_fiscal_year, results_as_of, _thresholds(results_fiscal_year)) if results_fiscal_year else None)
    results = []
    for kind, kind_facts in ((MEASURES, facts), (RESULTS, results_facts)):
        for element in criteria[kind]["elements"]:
            if kind_facts is None:
                met, detail, fixes = _no_plan_of(results_year, results_as_of)
            else:
                met, detail, fixes = CHECKS[element["check"]](kind_facts)
            results.append(ElementResult(kind, element["id"], element["title"], met, detail, fixes))
    return results

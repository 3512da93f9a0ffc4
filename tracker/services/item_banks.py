"""Item banks: the question items of each ITA assessment year. The years we know ship as data files
(tracker/data/ita/<year>.json, with which items are the measures document and the results report,
and the criteria for them); an agency's own copy of a year is rows (AssessmentYear, AssessmentItem),
made from the shipped file, or from a list the coordinator uploads (CSV/XLSX with code, tool, title)
for a year that ships none or to correct one, or copied from the latest known list for a year that
nobody has published yet, to be checked. Saving is all or none."""
import csv
import io
import json
import re
from decimal import Decimal
from difflib import SequenceMatcher
from functools import cache, lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import AssessmentItem, AssessmentYear, ItemScore, User
from tracker.models.ita import CURRENT_MIDYEAR, DEFAULT_THRESHOLDS, PREVIOUS_YEAREND, RESULTS_COVERS, TOOLS
from tracker.services import audit
from tracker.services.errors import ServiceError
from tracker.services.imports import codes

BANK_DIR = Path(__file__).resolve().parent.parent / "data" / "ita"
YEARS = range(2500, 2700)  # the BE years an assessment or a fiscal year may have


# --- shipped banks ---------------------------------------------------------------------------------

@cache
def _shipped() -> dict[int, dict]:
    banks = {}
    for path in sorted(BANK_DIR.glob("*.json")):
        bank = json.loads(path.read_text(encoding="utf-8"))
        banks[int(bank["year"])] = bank
    return banks


def shipped_years() -> list[int]:
    return sorted(_shipped())


def shipped_bank(year: int) -> dict | None:
    return _shipped().get(year)


def tool_counts(items) -> dict[str, int]:
    """How many items of each tool a list has (rows or a shipped bank's dicts), IIT, EIT, OIT in order."""
    tools = [item["tool"] if isinstance(item, dict) else item.tool for item in items]
    return {tool: tools.count(tool) for tool in TOOLS}


def missing_tools(items) -> list[str]:
    """The tools a list has no item of (a shipped list may hold OIT only)."""
    return [tool for tool, count in tool_counts(items).items() if not count]


def criteria_for_year(year: int) -> dict:
    """The criteria of the two documents in force for `year`: those of the newest shipped bank not
    after it that has criteria (a year's list may ship without them), else the oldest."""
    with_criteria = {y: bank for y, bank in _shipped().items()
                     if bank.get("measures", {}).get("elements") and bank.get("results", {}).get("elements")}
    chosen = max((y for y in with_criteria if y <= year), default=min(with_criteria))
    return with_criteria[chosen]


def _default_thresholds(year: int) -> dict[str, Decimal]:
    marks = {**DEFAULT_THRESHOLDS, **criteria_for_year(year).get("thresholds", {}),
             **(shipped_bank(year) or {}).get("thresholds", {})}
    return {tool: Decimal(str(mark)) for tool, mark in marks.items()}


# --- the same item in another year -----------------------------------------------------------------

SIMILAR_WORDING = 0.6  # the same item under its code, its title reworded a little
SAME_WORDING = 0.9  # an item of another code that says the same


def counterpart(item: AssessmentItem, others: list[AssessmentItem]) -> AssessmentItem | None:
    """The item of another year's list that is this one. Items are renumbered and merged between
    years (O7 of 2567 is o5 of 2568), so one of the same code ("O08" or "o8" is O8) counts only when
    their titles agree; otherwise one whose title says the same, whatever its code; else none."""
    return counterparts([item], others)[0]


def counterparts(items: list[AssessmentItem], others: list[AssessmentItem]) -> list[AssessmentItem | None]:
    """Each item's counterpart (as above) in one other list, read once for all the items: a page
    matches a whole year's list against the year before."""
    candidates = [(other.code, other.title, other) for other in others]
    read_code = codes.code_reader([code for code, _, _ in candidates])
    return [_counterpart(read_code(item.code), item.title, candidates) for item in items]


def _counterpart(same_code: str | None, title: str, candidates) -> AssessmentItem | None:
    for code, other_title, other in candidates:
        if code == same_code and _alike(other_title, title, SIMILAR_WORDING):
            return other
    return next((other for _, other_title, other in candidates if _alike(other_title, title, SAME_WORDING)), None)


@lru_cache(maxsize=65536)
def _alike(one: str, other: str, at_least: float) -> bool:
    """Whether two titles, spaces aside, are at least this alike. Remembered per pair: every agency's
    lists are mostly the shipped titles, and a page compares each item with a whole list. The quick
    ratios are upper bounds of the ratio and rule out most pairs cheaply."""
    matcher = SequenceMatcher(None, re.sub(r"\s+", "", one), re.sub(r"\s+", "", other))
    return all(bound() >= at_least for bound in (matcher.real_quick_ratio, matcher.quick_ratio, matcher.ratio))


# --- an agency's years ------------------------------------------------------------------------------

def assessment_years(organization_id: int) -> list[AssessmentYear]:
    return list(db.session.scalars(
        select(AssessmentYear).where(AssessmentYear.organization_id == organization_id)
        .order_by(AssessmentYear.year.desc()).options(selectinload(AssessmentYear.items))))


def get_assessment_year(organization_id: int, year: int) -> AssessmentYear | None:
    return db.session.scalar(select(AssessmentYear).where(
        AssessmentYear.organization_id == organization_id, AssessmentYear.year == year))


def scored_counts(organization_id: int) -> dict[int, int]:
    """How many items of each of the agency's years have a score, by assessment year id."""
    rows = db.session.execute(
        select(AssessmentItem.assessment_year_id, func.count(ItemScore.id))
        .join(ItemScore, ItemScore.item_id == AssessmentItem.id)
        .where(AssessmentItem.organization_id == organization_id)
        .group_by(AssessmentItem.assessment_year_id))
    return dict(rows.all())


def new_year(organization_id: int, year: int) -> AssessmentYear:
    marks = _default_thresholds(year)
    measures_code, results_code, results_covers = shipped_roles(year)
    assessment_year = AssessmentYear(organization_id=organization_id, year=year, oit_threshold=marks["OIT"],
                                     iit_threshold=marks["IIT"], eit_threshold=marks["EIT"],
                                     measures_code=measures_code, results_code=results_code,
                                     results_covers=results_covers)
    db.session.add(assessment_year)
    return assessment_year


def _add_items(assessment_year: AssessmentYear, rows: list[tuple[str, str, str]]) -> None:
    """Append (code, tool, title) rows to a new year's list, in their order."""
    for position, (code, tool, title) in enumerate(rows, start=1):
        assessment_year.items.append(AssessmentItem(organization_id=assessment_year.organization_id, code=code,
                                                    tool=tool, title=title, position=position))


def ensure_assessment_year(organization_id: int, year: int, actor: User | None = None) -> AssessmentYear:
    """The agency's item list of an assessment year; made from the shipped bank the first time.
    Raises ServiceError when the year has neither (its list must be uploaded first). Does not commit."""
    existing = get_assessment_year(organization_id, year)
    if existing is not None:
        return existing
    bank = shipped_bank(year)
    if bank is None:
        raise ServiceError(f"ยังไม่มีรายการข้อคำถามของการประเมิน ITA {year} "
                           "กรุณาอัปโหลดรายการข้อคำถามของปีนั้นก่อน ที่หน้า รายการข้อคำถาม")
    assessment_year = new_year(organization_id, year)
    _add_items(assessment_year, [(row["code"], row["tool"], row["title"]) for row in bank["items"]])
    db.session.flush()
    audit.record(organization_id, actor, "items.load", "assessment_year", assessment_year.id, None,
                 {"year": year, "items": len(bank["items"])})
    return assessment_year


def load_shipped(organization_id: int, year: int, actor: User | None) -> AssessmentYear:
    """The coordinator's "use the standard list" button."""
    if get_assessment_year(organization_id, year) is not None:
        raise ServiceError(f"มีรายการข้อคำถามของ ITA {year} อยู่แล้ว หากต้องการแก้ไข ให้อัปโหลดรายการใหม่")
    return ensure_assessment_year(organization_id, year, actor)


# --- a year nobody has published yet: a copy of the latest known list ------------------------------

def latest_known_list(organization_id: int, year: int) -> int | None:
    """The newest year before `year` whose list the agency has or the program ships, if any."""
    own = db.session.scalar(select(func.max(AssessmentYear.year)).where(
        AssessmentYear.organization_id == organization_id, AssessmentYear.year < year))
    shipped = [known for known in shipped_years() if known < year and shipped_bank(known) is not None]
    return max([known for known in (own, *shipped) if known is not None], default=None)


def copy_latest_list(organization_id: int, year: int, actor: User | None) -> AssessmentYear:
    """The year's list made as a copy of the latest known list before it: the agency's own (with its
    corrections, roles and marks), else the shipped one. It stays marked as a copy (`copied_from`)
    until the coordinator checks it or uploads the year's own list. Raises ServiceError. Flushes."""
    if get_assessment_year(organization_id, year) is not None:
        raise ServiceError(f"มีรายการข้อคำถามของ ITA {year} อยู่แล้ว")
    source_year = latest_known_list(organization_id, year)
    if source_year is None:
        raise ServiceError(f"ยังไม่มีรายการข้อคำถามของปีก่อน ITA {year} ให้คัดลอก "
                           f"กรุณาอัปโหลดรายการข้อคำถามของ ITA {year} ที่หน้า รายการข้อคำถาม")
    assessment_year = new_year(organization_id, year)
    source = get_assessment_year(organization_id, source_year)
    if source is not None:
        rows = [(item.code, item.tool, item.title) for item in source.items]
        for tool in TOOLS:
            assessment_year.set_threshold(tool, source.threshold(tool))
        roles = (source.measures_code, source.results_code, source.results_covers)
    else:
        rows = [(row["code"], row["tool"], row["title"]) for row in shipped_bank(source_year)["items"]]
        roles = shipped_roles(source_year)
    assessment_year.measures_code, assessment_year.results_code, assessment_year.results_covers = roles
    assessment_year.copied_from = source_year
    _add_items(assessment_year, rows)
    db.session.flush()
    audit.record(organization_id, actor, "items.copy", "assessment_year", assessment_year.id, None,
                 {"year": year, "copied_from": source_year, "items": len(rows)})
    return assessment_year


def mark_checked(assessment_year: AssessmentYear, actor: User | None = None) -> None:
    """The year's list is no longer an unchecked copy: the coordinator checked it, or uploaded the
    year's own list. Audited when it was a copy; flushes, the caller commits."""
    if assessment_year.copied_from is None:
        return
    audit.record(assessment_year.organization_id, actor, "items.checked", "assessment_year", assessment_year.id,
                 {"copied_from": assessment_year.copied_from}, {"copied_from": None})
    assessment_year.copied_from = None
    db.session.flush()


# --- which items are our two documents ------------------------------------------------------------

COVERS_LABELS = {
    CURRENT_MIDYEAR: "รายงานรอบ 6 เดือนของปีงบประมาณปัจจุบัน",
    PREVIOUS_YEAREND: "รายงานประจำปี (รอบ 12 เดือน) ของปีงบประมาณก่อนหน้า",
}
ROLE_FIELDS = ("measures_code", "results_code", "results_covers")


def shipped_roles(year: int) -> tuple[str | None, str | None, str]:
    """(measures document's code, results report's code, which period the results report covers) of
    the shipped list of `year`; for a year that ships none, of the newest shipped list before it,
    else of the newest one. A role that a list has no item for has no code."""
    bank = roles_bank(year) or {}
    measures, results = bank.get("measures") or {}, bank.get("results") or {}
    return measures.get("code"), results.get("code"), results.get("covers") or CURRENT_MIDYEAR


def roles_bank(year: int) -> dict | None:
    """The shipped list whose roles `year` takes (see shipped_roles)."""
    if shipped_bank(year) is not None:
        return shipped_bank(year)
    known = [shipped for shipped in shipped_years() if shipped_bank(shipped) is not None]
    chosen = max([shipped for shipped in known if shipped < year] or known, default=None)
    return shipped_bank(chosen) if chosen is not None else None


def set_roles(assessment_year: AssessmentYear, measures_code: str | None, results_code: str | None,
              results_covers: str, actor: User | None) -> None:
    """Which items of the year's list are the measures document and the results report (blank: the
    list has none), and which period the results report the assessors read covers. Raises
    ServiceError and changes nothing when a code is not an item of the list. Audited; flushes, the
    caller commits."""
    known = {item.code.upper(): item.code for item in assessment_year.items}
    chosen = []
    for name, typed in (("เอกสารมาตรการ", measures_code), ("รายงานผลการดำเนินการ", results_code)):
        typed = (typed or "").strip()
        key = (codes.clean_code(typed) or typed).upper()
        if typed and key not in known:
            raise ServiceError(f"ไม่มีข้อ “{typed}” ในรายการข้อคำถามของ ITA {assessment_year.year} "
                               f"กรุณาเลือก{name}จากรายการ หรือเลือก “ไม่มีข้อนี้”")
        chosen.append(known[key] if typed else None)
    if chosen[0] is not None and chosen[0] == chosen[1]:
        raise ServiceError(f"เอกสารมาตรการและรายงานผลการดำเนินการเป็นข้อเดียวกันไม่ได้ (ข้อ {chosen[0]})")
    if results_covers not in RESULTS_COVERS:
        raise ServiceError("กรุณาเลือกรอบของรายงานผลการดำเนินการที่ผู้ประเมินตรวจ")
    before = audit.snapshot(assessment_year, ROLE_FIELDS)
    assessment_year.measures_code, assessment_year.results_code = chosen
    assessment_year.results_covers = results_covers
    before, after = audit.changed(before, audit.snapshot(assessment_year, ROLE_FIELDS))
    if after:
        audit.record(assessment_year.organization_id, actor, "items.roles", "assessment_year", assessment_year.id,
                     before, {"year": assessment_year.year, **after})
    db.session.flush()


def list_csv(items: list[dict] | list[AssessmentItem]) -> bytes:
    """code,tool,title — a list to edit and upload again; UTF-8 with a BOM so that Excel shows Thai."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "tool", "title"])
    for item in items:
        values = item if isinstance(item, dict) else {"code": item.code, "tool": item.tool, "title": item.title}
        writer.writerow([values["code"], values["tool"], values["title"]])
    return out.getvalue().encode("utf-8-sig")

"""Item banks: the question items of each ITA assessment year. The years we know ship as data files
(tracker/data/ita/<year>.json, with the O34/O35 criteria); an agency's own copy of a year is rows
(AssessmentYear, AssessmentItem), made from the shipped file, or from a list the coordinator uploads
(CSV/XLSX with code, tool, title) for a year that ships none or to correct one. Saving is all or none."""
import csv
import io
import json
import re
from decimal import Decimal
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import AssessmentItem, AssessmentYear, ItemScore, User
from tracker.models.ita import DEFAULT_THRESHOLDS, TOOLS
from tracker.services import audit, saving
from tracker.services.errors import ServiceError
from tracker.services.imports import codes as score_import  # counterpart() calls normalise_code by its old home

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
    """The O34/O35 criteria in force for documents assessed in `year`: the newest shipped bank not
    after it that has criteria (a year's list may ship without them), else the oldest."""
    with_criteria = {y: bank for y, bank in _shipped().items() if "measures" in bank and "results" in bank}
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
    same_code = score_import.normalise_code(item.code, [other.code for other in others])
    for other in others:
        if other.code == same_code and _alike(other.title, item.title, SIMILAR_WORDING):
            return other
    return next((other for other in others if _alike(other.title, item.title, SAME_WORDING)), None)


def _alike(one: str, other: str, at_least: float) -> bool:
    def key(text: str) -> str:
        return re.sub(r"\s+", "", text)
    return SequenceMatcher(None, key(one), key(other)).ratio() >= at_least


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


def _new_year(organization_id: int, year: int) -> AssessmentYear:
    marks = _default_thresholds(year)
    assessment_year = AssessmentYear(organization_id=organization_id, year=year, oit_threshold=marks["OIT"],
                                     iit_threshold=marks["IIT"], eit_threshold=marks["EIT"])
    db.session.add(assessment_year)
    return assessment_year


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
    assessment_year = _new_year(organization_id, year)
    for position, row in enumerate(bank["items"], start=1):
        assessment_year.items.append(AssessmentItem(organization_id=organization_id, code=row["code"],
                                                    tool=row["tool"], title=row["title"], position=position))
    db.session.flush()
    audit.record(organization_id, actor, "items.load", "assessment_year", assessment_year.id, None,
                 {"year": year, "items": len(bank["items"])})
    return assessment_year


def load_shipped(organization_id: int, year: int, actor: User | None) -> AssessmentYear:
    """The coordinator's "use the standard list" button."""
    if get_assessment_year(organization_id, year) is not None:
        raise ServiceError(f"มีรายการข้อคำถามของ ITA {year} อยู่แล้ว หากต้องการแก้ไข ให้อัปโหลดรายการใหม่")
    with saving.all_or_nothing():
        assessment_year = ensure_assessment_year(organization_id, year, actor)
    return assessment_year


def list_csv(items: list[dict] | list[AssessmentItem]) -> bytes:
    """code,tool,title — a list to edit and upload again; UTF-8 with a BOM so that Excel shows Thai."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "tool", "title"])
    for item in items:
        values = item if isinstance(item, dict) else {"code": item.code, "tool": item.tool, "title": item.title}
        writer.writerow([values["code"], values["tool"], values["title"]])
    return out.getvalue().encode("utf-8-sig")

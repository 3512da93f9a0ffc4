"""Our two documents and what each ITA year calls them. The measures document (มาตรการส่งเสริม
คุณธรรมและความโปร่งใสภายในหน่วยงาน) and the results report (รายงานผลการดำเนินการ…) are *roles*; each
year's item list says which of its items they are (O34/O35 in ITA 2567, O25/O26 in 2569, none in
2568) and which period the results report covers. A fiscal year's documents take the roles of the
ITA result it answers: the agency's own list of that year when it has one, else the shipped list
of that year, else the newest shipped list before it."""
from dataclasses import dataclass

from tracker.models import FiscalYear
from tracker.services import item_banks, ita_calendar

MEASURES, RESULTS = "measures", "results"
KINDS = (MEASURES, RESULTS)
ALIASES = {"o34": MEASURES, "o35": RESULTS}  # what the report command was first given
DOCUMENT_TITLES = {
    MEASURES: "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
    RESULTS: "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
}
SHORT_TITLES = {MEASURES: "เอกสารมาตรการ", RESULTS: "รายงานผลการดำเนินการ"}
FILE_NAMES = {MEASURES: "measures", RESULTS: "results"}


@dataclass(frozen=True)
class DocumentRole:
    kind: str  # MEASURES or RESULTS
    code: str | None  # the item's code in the year's list, e.g. "O25"; None when the list has none
    item_title: str  # the item's title in that list ("" without a code)
    ita_year: int | None  # the ITA year whose list says so

    @property
    def title(self) -> str:
        """The document's own Thai title, the same every year."""
        return DOCUMENT_TITLES[self.kind]

    @property
    def short(self) -> str:
        """"เอกสารมาตรการ (O25)", or without a code "เอกสารมาตรการ"."""
        return f"{SHORT_TITLES[self.kind]} ({self.code})" if self.code else SHORT_TITLES[self.kind]

    @property
    def item_line(self) -> str:
        """"ITA 2569 ข้อ O25 การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร"; "" without a code."""
        if not self.code:
            return ""
        title = f" {self.item_title}" if self.item_title and self.item_title != self.title else ""
        year = f"ITA {self.ita_year} " if self.ita_year else ""
        return f"{year}ข้อ {self.code}{title}"

    def file_name(self, fiscal_year: int, suffix: str) -> str:
        """"O25-measures-2570-25691201.docx" (the day in the Buddhist era, thai.compact_date); without
        a code "measures-2569-…"."""
        prefix = f"{self.code}-" if self.code else ""
        return f"{prefix}{FILE_NAMES[self.kind]}-{fiscal_year}{suffix}"


@dataclass(frozen=True)
class Roles:
    measures: DocumentRole
    results: DocumentRole
    results_covers: str  # CURRENT_MIDYEAR or PREVIOUS_YEAREND

    def of(self, kind: str) -> DocumentRole:
        return self.measures if kind == MEASURES else self.results


def kind_of(text: str) -> str | None:
    """A document kind as typed: "measures", "results", or the old "o34"/"o35"."""
    text = (text or "").lower()
    return text if text in KINDS else ALIASES.get(text)


def roles_for(fiscal_year: FiscalYear) -> Roles:
    """The roles of the ITA result this fiscal year answers (ITA 2569 for fiscal year 2570)."""
    if fiscal_year.assessment_year is not None:
        return _roles_of_list(fiscal_year.assessment_year)
    return roles_for_ita(fiscal_year.organization_id, fiscal_year.year - 1)


def roles_for_ita(organization_id: int, ita_year: int) -> Roles:
    """The roles the agency's list of `ita_year` gives, or the shipped list's when it has none."""
    assessment_year = item_banks.get_assessment_year(organization_id, ita_year)
    return _roles_of_list(assessment_year) if assessment_year is not None else shipped_roles(ita_year)


def _roles_of_list(assessment_year) -> Roles:
    titles = {item.code: item.title for item in assessment_year.items}

    def role(kind: str, code: str | None) -> DocumentRole:
        return DocumentRole(kind, code, titles.get(code, "") if code else "", assessment_year.year)
    return Roles(role(MEASURES, assessment_year.measures_code), role(RESULTS, assessment_year.results_code),
                 assessment_year.results_covers)


def published_results(organization_id: int, fiscal_year: int, round_kind: str) -> DocumentRole | None:
    """The results role a round's report is published as, if it is the one the assessors read: the
    6-month report of a year whose roles say so, or the year-end report of the year before the one
    whose roles point back to it (the ITA 2569 pattern). None for a report nobody assesses."""
    for documents_year in (fiscal_year, fiscal_year + 1):
        roles = roles_for_ita(organization_id, documents_year - 1)
        if ita_calendar.assessed_results(documents_year, roles.results_covers) == (fiscal_year, round_kind):
            return roles.results
    return None


def shipped_roles(ita_year: int) -> Roles:
    """The roles a shipped list gives `ita_year` (item_banks.shipped_roles), with the items' titles."""
    measures_code, results_code, covers = item_banks.shipped_roles(ita_year)
    bank = item_banks.roles_bank(ita_year) or {}
    titles = {item["code"]: item["title"] for item in bank.get("items", [])}

    def role(kind: str, code: str | None) -> DocumentRole:
        return DocumentRole(kind, code, titles.get(code, "") if code else "", bank.get("year"))
    return Roles(role(MEASURES, measures_code), role(RESULTS, results_code), covers)

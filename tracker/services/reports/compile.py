"""Compiling the documents: build a report's data, write it in a format, keep drafts, and compile
the 6-month and year-end drafts on their dates."""
from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import select

from tracker.extensions import db
from tracker.services.settings import saved, settings_row
from tracker.models import FiscalYear, Organization, ReportDraft, ReportSettings, Role, User
from tracker.services import audit, documents, ita_calendar, outbox, pdf_jobs
from tracker.services.documents import MEASURES, RESULTS
from tracker.services.reports import data, pdf
from tracker.processes import apart
from tracker.thai import compact_date, format_date, local_datetime

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PERIOD_LABELS = ita_calendar.ROUND_LABELS


def settings_for(organization_id: int) -> ReportSettings:
    return settings_row(ReportSettings, organization_id)


def update_settings(settings: ReportSettings, values: dict, letterhead: tuple[bytes, str] | None,
                    remove_letterhead: bool, actor: User) -> ReportSettings:
    saved(settings)
    before = audit.snapshot(settings, tuple(values))
    for name, value in values.items():
        setattr(settings, name, value)
    if letterhead:
        settings.letterhead, settings.letterhead_name = letterhead
    elif remove_letterhead:
        settings.letterhead, settings.letterhead_name = None, ""
    before, after = audit.changed(before, audit.snapshot(settings, tuple(values)))
    after["letterhead"] = settings.letterhead_name
    audit.record(settings.organization_id, actor, "report.settings", "report_settings", settings.id, before, after)
    db.session.flush()
    return settings


def signers(settings: ReportSettings, kind: str) -> list[data.Signer]:
    reporter = data.Signer("ผู้รายงาน", settings.reporter_name, settings.reporter_position)
    chief = data.Signer("ผู้ตรวจสอบ", settings.chief_name, settings.chief_position)
    executive = data.Signer("ผู้อนุมัติ" if kind == MEASURES else "ทราบ", settings.executive_name,
                            settings.executive_position)
    return [reporter, chief, executive] if kind == RESULTS else [chief, executive]


def build(kind: str, fiscal_year: FiscalYear, as_of: date) -> data.Report:
    settings = settings_for(fiscal_year.organization_id)
    if kind == MEASURES:
        return data.measures_document(fiscal_year, as_of, settings.monitoring, signers(settings, kind))
    return data.results_report(fiscal_year, as_of, settings.suggestions, signers(settings, kind))


def write(report: data.Report, fmt: str, letterhead: bytes | None = None) -> bytes:
    """The report's file. Word and Excel are written apart (tracker/processes.py): what python-docx
    and openpyxl build stays out of the web worker. A PDF runs LibreOffice, a process of its own."""
    if fmt == "pdf":
        return pdf.write_pdf(report, letterhead)
    if fmt in ("docx", "xlsx"):
        return apart(_write_office, report, fmt, letterhead)
    raise ValueError(f"unknown format {fmt!r}")


def _write_office(report: data.Report, fmt: str, letterhead: bytes | None) -> bytes:
    from tracker.services.reports import docx, xlsx  # loaded by the process that writes
    return docx.write_docx(report, letterhead) if fmt == "docx" else xlsx.write_xlsx(report)


def filename(report: data.Report, fmt: str) -> str:
    """"O25-measures-2570-20261201.docx"; a year whose list has no such item: "measures-2569-…"."""
    return report.role.file_name(report.fiscal_year, f"-{compact_date(report.as_of)}.{fmt}")


def draft_filename(draft: ReportDraft, fmt: str) -> str:
    role = documents.roles_for(draft.fiscal_year).of(draft.kind)
    return role.file_name(draft.fiscal_year.year, f"-{compact_date(draft.as_of)}.{fmt}")


def compile_draft(fiscal_year: FiscalYear, kind: str, period: str, as_of: date, actor: User | None,
                  now: datetime) -> ReportDraft:
    """Write the Word and Excel files and keep them; the PDF is queued, made in the background."""
    settings = settings_for(fiscal_year.organization_id)
    report = build(kind, fiscal_year, as_of)
    draft = ReportDraft(organization_id=fiscal_year.organization_id, fiscal_year_id=fiscal_year.id, kind=kind,
                        period=period, as_of=as_of, compiled_by_id=actor.id if actor else None, compiled_at=now,
                        docx=write(report, "docx", settings.letterhead), xlsx=write(report, "xlsx"))
    db.session.add(draft)
    db.session.flush()
    pdf_jobs.queue_for_draft(draft, pdf.word_for_pdf(report, settings.letterhead), scheduled=actor is None)
    audit.record(fiscal_year.organization_id, actor, "report.compile", "report_draft", draft.id, None,
                 {"kind": kind, "period": period, "as_of": as_of.isoformat()})
    db.session.flush()
    return draft


def drafts(fiscal_year: FiscalYear) -> list[ReportDraft]:
    return list(db.session.scalars(
        select(ReportDraft).where(ReportDraft.organization_id == fiscal_year.organization_id,
                                  ReportDraft.fiscal_year_id == fiscal_year.id)
        .order_by(ReportDraft.compiled_at.desc())))


def rounds_due(now: datetime) -> list[tuple[FiscalYear, str]]:
    """The (fiscal year, period) results drafts due: on (or after, if the scheduler was down) each
    agency's configured date, once."""
    today = local_datetime(now).date()
    due_rounds = []
    dates = _compile_dates()
    for fiscal_year in db.session.scalars(select(FiscalYear).order_by(FiscalYear.id)):
        midyear_on, yearend_on = dates.get(fiscal_year.organization_id, DEFAULT_COMPILE_DATES)
        for period, month_day in ((ita_calendar.MIDYEAR, midyear_on), (ita_calendar.YEAREND, yearend_on)):
            due = ita_calendar.compile_date(fiscal_year, month_day, period)
            if due <= today < due + timedelta(days=60) and not _has_draft(fiscal_year, period):
                due_rounds.append((fiscal_year, period))
    return due_rounds


def compile_scheduled(fiscal_year: FiscalYear, period: str, config, now: datetime) -> ReportDraft:
    """A due round's results draft, told to the coordinators through the outbox (the scheduler
    commits each on its own)."""
    draft = compile_draft(fiscal_year, RESULTS, period, ita_calendar.round_end(fiscal_year, period), None, now)
    _tell_coordinators(draft, config, now)
    return draft


DEFAULT_COMPILE_DATES = (ReportSettings.midyear_compile_on.default.arg, ReportSettings.yearend_compile_on.default.arg)


def _compile_dates() -> dict[int, tuple[str, str]]:
    """Every agency's compile dates (6-month, year-end) in one query, without their letterheads: a
    national deployment asked agency by agency every day. Agencies with no settings yet have the
    defaults."""
    return {organization_id: (midyear_on, yearend_on) for organization_id, midyear_on, yearend_on in db.session.execute(
        select(ReportSettings.organization_id, ReportSettings.midyear_compile_on, ReportSettings.yearend_compile_on))}


def _has_draft(fiscal_year: FiscalYear, period: str) -> bool:
    return db.session.scalar(select(ReportDraft.id).where(
        ReportDraft.fiscal_year_id == fiscal_year.id, ReportDraft.kind == RESULTS,
        ReportDraft.period == period)) is not None


def _tell_coordinators(draft: ReportDraft, config, now: datetime) -> None:
    organization = db.session.get(Organization, draft.organization_id)
    published = documents.published_results(organization.id, draft.fiscal_year.year, draft.period)
    code = f" ({published.code})" if published and published.code else ""
    subject = (f"ฉบับร่างรายงานผลการดำเนินการ{code} {PERIOD_LABELS[draft.period]} "
               f"ปีงบประมาณ พ.ศ. {draft.fiscal_year.year} พร้อมให้ตรวจทาน")
    coordinators = db.session.scalars(select(User).where(
        User.organization_id == organization.id, User.role == Role.COORDINATOR, User.active.is_(True)))
    for user in coordinators:
        text = render_template("reports/draft_ready.txt", user=user, draft=draft, subject=subject,
                               as_of=format_date(draft.as_of, long=True), base_url=config["TRACKER_BASE_URL"])
        outbox.queue(user, "draft", f"{draft.fiscal_year.year}-{draft.period}", subject, text, config, now)

"""From draft to the version the public reads. The coordinator sends a document of a fiscal year
to the executive: the measures document for approval (อนุมัติ), a results report for
acknowledgement (รับทราบ). The request keeps the document's data as it is then (version N, with a
cover memo); the executive approves it or sends it back with a comment; approval freezes it: its
date and signature become the approval's and its DOCX, XLSX and PDF are made once and kept. The
coordinator then publishes it (and may withdraw it). Everyone concerned is told through the outbox.
The PDFs (the memo's, the approved document's) take LibreOffice seconds: they are queued as
PdfJobs and made in the background, so asking and deciding return at once.

A request is stale when a newer request of the same document replaced it, or when the plan has
changed since it was sent: approving it then is refused, so what the executive approves is always
what the plan says."""
import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask import render_template
from sqlalchemy import func, select, update

from tracker.extensions import db
from tracker.models import (
    DocumentFile, DocumentVersion, FiscalYear, Organization, Role, User, VersionStatus,
)
from tracker.services import access, audit, ita_calendar, outbox, pdf_jobs, versions
from tracker.services.documents import MEASURES, RESULTS
from tracker.services.errors import Forbidden, ServiceError
from tracker.services.reports import compile as reports, pdf, snapshot
from tracker.services.reports.data import Report
from tracker.processes import apart
from tracker.thai import format_date, local_datetime

DECISION_WORDS = {MEASURES: ("อนุมัติ", "ขออนุมัติ"), RESULTS: ("รับทราบ", "รายงาน")}


@dataclass(frozen=True)
class Change:
    """One difference between an approved version and the plan today, as a person reads it."""
    where: str  # "ประเด็นที่ 1 · มาตรการ «…»"
    what: str  # "ขั้นตอน", "ช่วงระยะเวลา", "เพิ่มมาตรการ" …
    before: str = ""
    after: str = ""


def decision_word(kind: str) -> str:
    return DECISION_WORDS[kind][0]


# --- the document as it would be sent today --------------------------------------------------------

def as_of_for(fiscal_year: FiscalYear, kind: str, period: str, today: date) -> date:
    """A measures document speaks of the day it is sent; a results report of its round's end."""
    if kind == MEASURES:
        return ita_calendar.within(fiscal_year, today)
    return ita_calendar.round_end(fiscal_year, period)


def current_report(fiscal_year: FiscalYear, kind: str, period: str, today: date) -> Report:
    return reports.build(kind, fiscal_year, as_of_for(fiscal_year, kind, period, today))


def comparable(report: Report) -> str:
    """The report's content without what a request or a decision sets (the day a measures document
    is sent, its issue date and who signs), so two versions compare by what they say."""
    as_of = report.fiscal_year_start if report.kind == MEASURES else report.as_of
    return snapshot.dumps(replace(report, as_of=as_of, issued_on=None, signers=[]))


def is_current(version: DocumentVersion, report: Report) -> bool:
    return comparable(versions.report_of(version)) == comparable(report)


# --- asking ---------------------------------------------------------------------------------------------

def check_document(kind: str, period: str) -> None:
    if (kind, period) not in versions.DOCUMENTS:
        raise ServiceError("ไม่รู้จักเอกสารนี้")


def request(fiscal_year: FiscalYear, kind: str, period: str, memo_number: str, memo_text: str, actor: User,
            now: datetime, config) -> DocumentVersion:
    """Version N+1 of the document, sent to the agency's executives; a pending request of the same
    document is superseded. Refused when nothing changed since the last approved version."""
    if not access.can_request_approval(actor) or actor.organization_id != fiscal_year.organization_id:
        raise Forbidden()
    check_document(kind, period)
    today = local_datetime(now).date()
    if kind == RESULTS and today < ita_calendar.round_end(fiscal_year, period):
        raise ServiceError(f"ยังไม่สิ้นรอบรายงาน ส่งรายงานได้ตั้งแต่วันที่ "
                           f"{format_date(ita_calendar.round_end(fiscal_year, period))}")
    report = current_report(fiscal_year, kind, period, today)
    approved = versions.latest_approved(fiscal_year, kind, period)
    if approved is not None and is_current(approved, report):
        raise ServiceError(f"ฉบับที่ {approved.number} ได้รับการ{decision_word(kind)}แล้ว "
                           "และยังไม่มีการแก้ไขหลังจากนั้น ไม่ต้องส่งใหม่")
    _supersede_pending(fiscal_year, kind, period)
    text = snapshot.dumps(report)
    version = DocumentVersion(organization_id=fiscal_year.organization_id, fiscal_year_id=fiscal_year.id, kind=kind,
                              period=period, number=_next_number(fiscal_year, kind, period), as_of=report.as_of,
                              snapshot=text, content_hash=snapshot.content_hash(text), status=VersionStatus.PENDING,
                              memo_number=memo_number.strip(), memo_text=memo_text.strip() or default_memo_text(
                                  report, period), requested_by_id=actor.id, requested_at=now)
    db.session.add(version)
    db.session.flush()
    _keep_memo(version, report, actor)
    audit.record(version.organization_id, actor, "document.request", "document_version", version.id, None,
                 {"document": versions.Document(kind, period).label, "number": version.number}, at=now)
    _tell(version, _active(version.organization_id, Role.EXECUTIVE), "approval", config, now)
    db.session.flush()
    return version


def _next_number(fiscal_year: FiscalYear, kind: str, period: str) -> int:
    latest = db.session.scalar(select(func.max(DocumentVersion.number)).where(
        DocumentVersion.fiscal_year_id == fiscal_year.id, DocumentVersion.kind == kind,
        DocumentVersion.period == period))
    return (latest or 0) + 1


def _supersede_pending(fiscal_year: FiscalYear, kind: str, period: str) -> None:
    db.session.execute(
        update(DocumentVersion).where(DocumentVersion.fiscal_year_id == fiscal_year.id,
                                      DocumentVersion.kind == kind, DocumentVersion.period == period,
                                      DocumentVersion.status == VersionStatus.PENDING)
        .values(status=VersionStatus.SUPERSEDED).execution_options(synchronize_session="fetch"))


def default_memo_text(report: Report, period: str) -> str:
    """The memo's paragraphs (เรื่องเดิม, ข้อเท็จจริง, ข้อเสนอ), one per line, for the coordinator to edit."""
    measures = sum(len(topic.measures) for topic in report.topics)
    basis = f"จากผลการประเมิน ITA ปี พ.ศ. {report.assessment_year} " if report.assessment_year else ""
    background = ("ตามที่สำนักงานคณะกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ (สำนักงาน ป.ป.ช.) "
                  "กำหนดให้หน่วยงานภาครัฐเข้ารับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA) "
                  "และเผยแพร่มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน พร้อมรายงานผลการดำเนินการ "
                  "บนเว็บไซต์ของหน่วยงาน")
    if report.kind == MEASURES:
        facts = (f"{report.organization}ได้วิเคราะห์ผลการประเมิน {basis}และจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใส"
                 f"ภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. {report.fiscal_year} จำนวน {len(report.topics)} ประเด็น "
                 f"{measures} มาตรการ รายละเอียดตามเอกสารที่แนบมาพร้อมนี้")
        proposal = "จึงเรียนมาเพื่อโปรดพิจารณาอนุมัติมาตรการดังกล่าว และให้เผยแพร่บนเว็บไซต์ของหน่วยงานต่อไป"
    else:
        total = report.totals
        facts = (f"{report.organization}ได้รวบรวมผลการดำเนินการตามมาตรการ{ita_calendar.ROUND_LABELS[period]} "
                 f"ประจำปีงบประมาณ พ.ศ. {report.fiscal_year} ข้อมูล ณ วันที่ {report.as_of_text} "
                 f"งานทั้งหมด {total.total} งาน เสร็จสิ้น {total.done} งาน กำลังดำเนินการ {total.in_progress} งาน "
                 f"ล่าช้า {total.late} งาน รายละเอียดตามรายงานที่แนบมาพร้อมนี้")
        proposal = "จึงเรียนมาเพื่อโปรดทราบ และให้เผยแพร่รายงานบนเว็บไซต์ของหน่วยงานต่อไป"
    return "\n".join((background, facts, proposal))


def memo_of(version: DocumentVersion, report: Report, requester: User | None):
    """The cover memo (reports.memo.Memo) of a request for approval."""
    from tracker.services.reports import memo as memos  # python-docx loads when a memo is written
    settings = reports.settings_for(version.organization_id)
    organization = db.session.get(Organization, version.organization_id)
    division = requester.division.name + " " if requester and requester.division else ""
    verb = DECISION_WORDS[version.kind][1]
    document = report.title if version.kind == MEASURES else f"{report.title} {ita_calendar.ROUND_LABELS[version.period]}"
    return memos.Memo(
        organization=organization.name, department=f"{division}{organization.name}", number=version.memo_number,
        dated=local_datetime(version.requested_at).date(),
        subject=f"{verb}{document} ประจำปีงบประมาณ พ.ศ. {report.fiscal_year}",
        to=settings.executive_position or f"ผู้บริหาร{organization.name}",
        paragraphs=[line for line in version.memo_text.splitlines() if line.strip()],
        signer_name=requester.name if requester else "", signer_position=requester.position if requester else "",
        enclosures=[f"{report.title} จำนวน 1 ชุด"])


def _keep_memo(version: DocumentVersion, report: Report, requester: User) -> None:
    """The memo's Word file now; its PDF in the background."""
    from tracker.services.reports import memo as memos
    memo = memo_of(version, report, requester)
    _keep_file(version, "memo-docx", apart(memos.write_memo_docx, memo))
    pdf_jobs.queue_for_version(version, "memo-pdf", memos.memo_word_for_pdf(memo))


def _keep_file(version: DocumentVersion, fmt: str, content: bytes) -> None:
    db.session.add(DocumentFile(organization_id=version.organization_id, version_id=version.id, fmt=fmt,
                                content=content, sha256=hashlib.sha256(content).hexdigest(), size=len(content)))


# --- deciding -------------------------------------------------------------------------------------------

def decide(version: DocumentVersion, approve: bool, comment: str, actor: User, now: datetime, config) -> DocumentVersion:
    """Approve (freeze) or send back a pending request. Only an executive of the same agency decides;
    a request already decided, replaced by a newer one, or older than the plan is refused."""
    if not access.can_decide(actor, version):
        raise Forbidden()
    if version.status != VersionStatus.PENDING:
        raise ServiceError(_not_pending(version))
    fiscal_year = version.fiscal_year
    today = local_datetime(now).date()
    if approve and not is_current(version, reports.build(version.kind, fiscal_year, version.as_of)):
        raise ServiceError("แผนมาตรการมีการแก้ไขหลังจากส่งคำขอนี้ เอกสารที่แนบจึงไม่ตรงกับแผนปัจจุบัน "
                           "ผู้ประสานงานต้องส่งคำขอใหม่")
    if not approve and not comment.strip():
        raise ServiceError("กรุณาระบุเหตุผลหรือสิ่งที่ต้องแก้ไข เพื่อส่งกลับให้ผู้ประสานงาน")
    status = VersionStatus.APPROVED if approve else VersionStatus.RETURNED
    taken = db.session.execute(
        update(DocumentVersion).where(DocumentVersion.id == version.id, DocumentVersion.status == VersionStatus.PENDING)
        .values(status=status, decided_by_id=actor.id, decided_at=now, decision_comment=comment.strip())
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(version)
    if taken != 1:
        raise ServiceError(_not_pending(version))
    if approve:
        _freeze(version, actor, today)
    audit.record(version.organization_id, actor, "document.approve" if approve else "document.return",
                 "document_version", version.id, None,
                 {"document": versions.Document(version.kind, version.period).label, "number": version.number,
                  "comment": comment.strip()}, at=now)
    _tell(version, _active(version.organization_id, Role.COORDINATOR), "decision", config, now)
    db.session.flush()
    return version


def _not_pending(version: DocumentVersion) -> str:
    if version.status == VersionStatus.SUPERSEDED:
        return f"คำขอฉบับที่ {version.number} มีคำขอฉบับใหม่กว่าส่งมาแทนแล้ว กรุณาพิจารณาฉบับล่าสุด"
    return f"คำขอฉบับที่ {version.number} ได้รับการพิจารณาไปแล้ว"


def approved_report(report: Report, approver: User, day: date) -> Report:
    """The document as approved: dated on the approval day, the approver's name in the last sign-off."""
    word = decision_word(report.kind)
    signers = list(report.signers)
    if signers:
        last = signers[-1]
        signers[-1] = replace(last, name=approver.name, position=approver.position or last.position,
                              signed=f"{word}เมื่อ {format_date(day, long=True)}")
    return replace(report, issued_on=day, signers=signers)


def _freeze(version: DocumentVersion, approver: User, day: date) -> None:
    report = approved_report(versions.report_of(version), approver, day)
    version.snapshot = snapshot.dumps(report)
    version.content_hash = snapshot.content_hash(version.snapshot)
    letterhead = reports.settings_for(version.organization_id).letterhead
    _keep_file(version, "docx", reports.write(report, "docx", letterhead))
    _keep_file(version, "xlsx", reports.write(report, "xlsx"))
    pdf_jobs.queue_for_version(version, "pdf", pdf.word_for_pdf(report, letterhead))


# --- publishing -------------------------------------------------------------------------------------------

def publish(version: DocumentVersion, actor: User, now: datetime) -> DocumentVersion:
    if not access.can_publish(actor) or actor.organization_id != version.organization_id:
        raise Forbidden()
    if not version.is_approved:
        raise ServiceError(f"ฉบับที่ {version.number} ยังไม่ได้รับการ{decision_word(version.kind)} จึงยังเผยแพร่ไม่ได้")
    if version.is_published:
        raise ServiceError(f"ฉบับที่ {version.number} เผยแพร่อยู่แล้ว")
    version.published_at, version.published_by_id = now, actor.id
    audit.record(version.organization_id, actor, "document.publish", "document_version", version.id, None,
                 {"document": versions.Document(version.kind, version.period).label, "number": version.number}, at=now)
    db.session.flush()
    return version


def withdraw(version: DocumentVersion, actor: User, now: datetime) -> DocumentVersion:
    if not access.can_publish(actor) or actor.organization_id != version.organization_id:
        raise Forbidden()
    if not version.is_published:
        raise ServiceError(f"ฉบับที่ {version.number} ไม่ได้เผยแพร่อยู่")
    before = {"published_at": format_date(local_datetime(version.published_at).date())}
    version.published_at, version.published_by_id = None, None
    audit.record(version.organization_id, actor, "document.withdraw", "document_version", version.id, before,
                 {"document": versions.Document(version.kind, version.period).label, "number": version.number}, at=now)
    db.session.flush()
    return version


# --- what changed since a version ------------------------------------------------------------------------

def changes_since(version: DocumentVersion, report: Report) -> list[Change]:
    """What the plan says today that version N did not: measures added or removed, and for each
    measure its steps, period, divisions, budget, indicator and target."""
    before = _measures_by_place(versions.report_of(version))
    after = _measures_by_place(report)
    changes = [Change(where, "ลบมาตรการ", before[where].title) for where in before if where not in after]
    for where, measure in after.items():
        old = before.get(where)
        if old is None:
            changes.append(Change(where, "เพิ่มมาตรการ", "", measure.title))
            continue
        for label, read in FIELDS_COMPARED:
            if read(old) != read(measure):
                changes.append(Change(where, label, read(old), read(measure)))
    return changes


FIELDS_COMPARED = (
    ("ขั้นตอน", lambda m: "\n".join(m.steps)), ("รายละเอียด", lambda m: m.details),
    ("ช่วงระยะเวลา", lambda m: m.period), ("ผู้รับผิดชอบ", lambda m: m.responsible),
    ("งบประมาณ", lambda m: m.budget), ("ตัวชี้วัด", lambda m: m.indicator), ("ค่าเป้าหมาย", lambda m: m.target),
)


def _measures_by_place(report: Report) -> dict:
    return {f"ประเด็นที่ {topic.number} · มาตรการ «{measure.title}»": measure
            for topic in report.topics for measure in topic.measures}


def plan_changed_since_approval(fiscal_year: FiscalYear, today: date) -> tuple[DocumentVersion, list[Change]] | None:
    """The latest approved measures document and what changed since, when the plan moved on."""
    approved = versions.latest_approved(fiscal_year, MEASURES, "")
    if approved is None:
        return None
    report = current_report(fiscal_year, MEASURES, "", today)
    if is_current(approved, report):
        return None
    return approved, changes_since(approved, report) or [Change("เอกสารมาตรการ", "ข้อความอื่นในเอกสาร")]


# --- who is told -----------------------------------------------------------------------------------------

def pending(organization_id: int) -> list[DocumentVersion]:
    return list(db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.organization_id == organization_id,
                                      DocumentVersion.status == VersionStatus.PENDING)
        .order_by(DocumentVersion.requested_at)))


def _active(organization_id: int, role: str) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.organization_id == organization_id, User.role == role, User.active.is_(True))))


def _tell(version: DocumentVersion, users: list[User], rule: str, config, now: datetime) -> None:
    document = versions.Document(version.kind, version.period)
    year = version.fiscal_year.year
    if rule == "approval":
        subject = f"ขอ{decision_word(version.kind)}{document.label} ปีงบประมาณ พ.ศ. {year} (ฉบับที่ {version.number})"
    elif version.status == VersionStatus.APPROVED:
        subject = f"ผู้บริหาร{decision_word(version.kind)}{document.label} ปีงบประมาณ พ.ศ. {year} (ฉบับที่ {version.number}) แล้ว"
    else:
        subject = f"ผู้บริหารส่ง{document.label} ปีงบประมาณ พ.ศ. {year} (ฉบับที่ {version.number}) กลับมาแก้ไข"
    for user in users:
        text = render_template("approvals/notice.txt", user=user, version=version, subject=subject,
                               base_url=config["TRACKER_BASE_URL"])
        outbox.queue(user, rule, str(version.id), subject, text, config, now)

"""Approval: the coordinator asks, the executive decides, the approved version is frozen and can be
published; every step is told through the outbox and kept in the trail."""
import io
from datetime import datetime

import pytest
from docx import Document
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Delivery, DocumentVersion, Measure, PdfJobStatus, Role, User, VersionStatus
from tracker.services import approvals, pdf_jobs, plan, versions
from tracker.services.errors import Forbidden, ServiceError
from tracker.services.reports import pdf
from tracker.transactions import transaction
from tests import factories
from tests.test_report_pdf import joined, text_layer

NOW = datetime(2025, 3, 31, 3, 0)  # 10:00 on 31 Mar 2568 in Bangkok, the tests' today


def _user(role: str) -> User:
    return db.session.scalar(select(User).where(User.role == role).order_by(User.id))


def _fiscal_year(demo):
    return plan.get_fiscal_year(demo.id, 2568)


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _request(app, demo, kind="measures", period=""):
    with transaction():
        return approvals.request(_fiscal_year(demo), kind, period, "ลป 88001/12", "", _user(Role.COORDINATOR), NOW,
                                 app.config)


def _approve(app, version, approve=True, comment=""):
    with transaction():
        return approvals.decide(version, approve, comment, _user(Role.EXECUTIVE), NOW, app.config)


def _edit_first_measure(demo, **changes):
    measure = db.session.scalar(select(Measure).join(Measure.topic).where(Measure.organization_id == demo.id)
                                .order_by(Measure.id))
    values = dict(title=measure.title, start_date=measure.start_date, end_date=measure.end_date,
                  steps=[s.text for s in measure.steps], division_ids=[d.id for d in measure.divisions],
                  all_divisions=measure.all_divisions, details=measure.details, period_text=measure.period_text,
                  responsible_text=measure.responsible_text, budget_amount=measure.budget_amount,
                  no_budget=measure.no_budget, indicator=measure.indicator, target=measure.target)
    values.update(changes)
    with transaction():
        plan.update_measure(measure, plan.MeasureInput(**values), None)
    return measure


def test_a_request_writes_the_memo_and_tells_the_executive(app, demo):
    version = _request(app, demo)
    assert (version.number, version.status) == (1, VersionStatus.PENDING)
    memo = _docx_text(versions.file_of(version, "memo-docx").content)
    assert "บันทึกข้อความ" in memo and "ลป 88001/12" in memo
    assert "ขออนุมัติมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2568" in memo
    assert "31 มีนาคม 2568" in memo and _user(Role.COORDINATOR).name in memo
    executive = _user(Role.EXECUTIVE)
    told = db.session.scalars(select(Delivery).where(Delivery.rule == "approval")).all()
    assert [d.user_id for d in told if d.channel == "inbox"] == [executive.id]
    assert f"/approvals/{version.id}" in told[0].body_text


def test_approval_freezes_the_document_with_the_approvers_date_and_name(app, demo):
    version = _approve(app, _request(app, demo))
    assert version.status == VersionStatus.APPROVED and version.decided_at == NOW
    text = _docx_text(versions.file_of(version, "docx").content)
    executive = _user(Role.EXECUTIVE)
    assert "ประกาศ ณ วันที่ 31 มีนาคม 2568" in text
    assert f"({executive.name})" in text and "อนุมัติเมื่อ 31 มีนาคม 2568" in text
    assert versions.file_of(version, "xlsx").content[:2] == b"PK"
    assert {d.user_id for d in db.session.scalars(select(Delivery).where(Delivery.rule == "decision"))} == {
        _user(Role.COORDINATOR).id}


def test_asking_and_approving_leave_the_pdfs_to_the_background(app, demo):
    version = _request(app, demo)
    assert versions.file_of(version, "memo-pdf") is None
    _approve(app, version)
    assert versions.file_of(version, "pdf") is None
    assert {fmt: job.status for fmt, job in pdf_jobs.of_version(version).items()} == {
        "memo-pdf": PdfJobStatus.QUEUED, "pdf": PdfJobStatus.QUEUED}
    made = pdf_jobs.make_pending("test-worker", NOW)
    assert sorted(job.key for job in made.done) == [f"version:{version.id}:memo-pdf", f"version:{version.id}:pdf"]
    document = joined(text_layer(versions.file_of(version, "pdf").content))
    assert "ประกาศ ณ วันที่ 31 มีนาคม 2568" in document and "อนุมัติเมื่อ 31 มีนาคม 2568" in document
    memo = joined(text_layer(versions.file_of(version, "memo-pdf").content))
    assert "บันทึกข้อความ" in memo and "ลป 88001/12" in memo


def test_the_version_page_says_the_pdf_is_being_made_then_offers_it(app, demo, coordinator_client):
    version = _approve(app, _request(app, demo))
    page = coordinator_client.get(f"/approvals/{version.id}")
    assert "กำลังจัดทำไฟล์ PDF … หน้านี้จะแสดงลิงก์เมื่อเสร็จ" in page.text and page.headers["Refresh"] == "3"
    assert f'href="/approvals/{version.id}.pdf"' not in page.text
    waiting = coordinator_client.get(f"/approvals/{version.id}.pdf")
    assert waiting.status_code == 302 and waiting.location.endswith(f"/approvals/{version.id}")
    result = app.test_cli_runner().invoke(args=["tracker", "documents"])
    assert result.exit_code == 0 and "Made 2 PDFs, 0 could not be made." in result.output
    page = coordinator_client.get(f"/approvals/{version.id}")
    assert "กำลังจัดทำ" not in page.text and "Refresh" not in page.headers
    assert f'href="/approvals/{version.id}.pdf"' in page.text
    stored = versions.file_of(version, "pdf")
    download = coordinator_client.get(f"/approvals/{version.id}.pdf")
    assert download.data == stored.content and download.headers["ETag"] == f'"{stored.sha256}"'
    assert "ประกาศ ณ วันที่ 31 มีนาคม 2568" in joined(text_layer(download.data))
    again = coordinator_client.get(f"/approvals/{version.id}.pdf", headers={"If-None-Match": download.headers["ETag"]})
    assert again.status_code == 304


def test_the_executive_deciding_is_not_reloaded_while_the_memo_pdf_is_made(app, demo, coordinator_client,
                                                                          executive_client):
    version = _request(app, demo)
    deciding = executive_client.get(f"/approvals/{version.id}")
    assert "การพิจารณาของผู้บริหาร" in deciding.text and "Refresh" not in deciding.headers
    assert "กำลังจัดทำบันทึกข้อความ (PDF) … โหลดหน้านี้อีกครั้งในอีกสักครู่" in deciding.text
    assert coordinator_client.get(f"/approvals/{version.id}").headers["Refresh"] == "3"


def test_a_pdf_that_cannot_be_made_shows_its_thai_error_and_is_made_when_queued_again(app, demo, coordinator_client,
                                                                                     monkeypatch):
    version = _approve(app, _request(app, demo))
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    made = pdf_jobs.make_pending("test-worker", NOW)
    assert [job.status for job in made.failed] == [PdfJobStatus.FAILED] * 2 and made.done == []
    page = coordinator_client.get(f"/approvals/{version.id}")
    assert "ไม่มีไฟล์ PDF: สร้างไฟล์ PDF ไม่ได้: ไม่พบโปรแกรม LibreOffice" in page.text
    assert f'href="/approvals/{version.id}.docx"' in page.text and "Refresh" not in page.headers
    assert coordinator_client.get(f"/approvals/{version.id}.pdf").location.endswith(f"/approvals/{version.id}")
    monkeypatch.undo()  # LibreOffice is installed; the operator queues the failed ones again
    result = app.test_cli_runner().invoke(args=["tracker", "documents", "--retry-failed"])
    assert "Queued 2 PDFs that had failed again." in result.output, result.output
    assert "Made 2 PDFs, 0 could not be made." in result.output and result.exit_code == 0
    assert "อนุมัติเมื่อ 31 มีนาคม 2568" in joined(text_layer(versions.file_of(version, "pdf").content))


def test_editing_the_plan_never_changes_an_approved_version(app, demo):
    version = _approve(app, _request(app, demo))
    frozen = {fmt: versions.file_of(version, fmt).content for fmt in ("docx", "xlsx")}
    _edit_first_measure(demo, steps=["ขั้นตอนใหม่ทั้งหมด"])
    db.session.expire_all()
    assert {fmt: versions.file_of(version, fmt).content for fmt in frozen} == frozen
    changed = approvals.plan_changed_since_approval(_fiscal_year(demo), NOW.date())
    assert changed is not None and changed[0].id == version.id
    assert [(c.what, c.after) for c in changed[1]] == [("ขั้นตอน", "ขั้นตอนใหม่ทั้งหมด")]
    second = _approve(app, _request(app, demo))
    assert (second.number, second.status) == (2, VersionStatus.APPROVED)
    assert approvals.plan_changed_since_approval(_fiscal_year(demo), NOW.date()) is None


def test_a_request_older_than_the_plan_cannot_be_approved(app, demo):
    version = _request(app, demo)
    _edit_first_measure(demo, target="ร้อยละ 90")
    with pytest.raises(ServiceError, match="ส่งคำขอใหม่"):
        _approve(app, version)
    assert db.session.get(DocumentVersion, version.id).status == VersionStatus.PENDING


def test_approving_twice_or_a_replaced_request_is_refused(app, demo):
    first = _request(app, demo)
    second = _request(app, demo)
    assert db.session.get(DocumentVersion, first.id).status == VersionStatus.SUPERSEDED
    with pytest.raises(ServiceError, match="ฉบับใหม่กว่า"):
        _approve(app, first)
    _approve(app, second)
    with pytest.raises(ServiceError, match="พิจารณาไปแล้ว"):
        _approve(app, second)
    assert db.session.scalar(select(db.func.count(DocumentVersion.id)).where(
        DocumentVersion.status == VersionStatus.APPROVED)) == 1


def test_nothing_to_send_when_the_approved_version_is_current(app, demo):
    _approve(app, _request(app, demo))
    with pytest.raises(ServiceError, match="ไม่ต้องส่งใหม่"):
        _request(app, demo)


def test_sending_back_needs_a_comment_and_tells_the_coordinator(app, demo):
    version = _request(app, demo)
    with pytest.raises(ServiceError, match="เหตุผล"):
        _approve(app, version, approve=False)
    _approve(app, version, approve=False, comment="แก้ตัวชี้วัดให้วัดได้")
    assert version.status == VersionStatus.RETURNED and versions.file_of(version, "docx") is None
    notice = db.session.scalar(select(Delivery).where(Delivery.rule == "decision", Delivery.channel == "inbox"))
    assert "กลับมาแก้ไข" in notice.subject and "แก้ตัวชี้วัดให้วัดได้" in notice.body_text


def test_only_an_executive_of_the_agency_decides(app, demo, other_agency):
    version = _request(app, demo)
    for user in (_user(Role.COORDINATOR), _user(Role.HEAD), factories.head(other_agency.organization, "กองคลัง")):
        with pytest.raises(Forbidden):
            approvals.decide(version, True, "", user, NOW, app.config)
    outsider = factories.head(other_agency.organization, "สำนักปลัด", "boss@other.test")
    outsider.role = Role.EXECUTIVE
    with pytest.raises(Forbidden):
        approvals.decide(version, True, "", outsider, NOW, app.config)


def test_a_results_report_waits_for_its_round_to_end(app, demo):
    with pytest.raises(ServiceError, match="ยังไม่สิ้นรอบ"):
        _request(app, demo, "results", "end")
    version = _approve(app, _request(app, demo, "results", "mid"))
    text = _docx_text(versions.file_of(version, "docx").content)
    assert "รับทราบเมื่อ 31 มีนาคม 2568" in text and version.as_of.isoformat() == "2025-03-31"


def test_publish_needs_an_approval_and_withdrawing_is_audited(app, demo):
    coordinator = _user(Role.COORDINATOR)
    version = _request(app, demo)
    with pytest.raises(ServiceError, match="ยังไม่ได้รับการอนุมัติ"):
        approvals.publish(version, coordinator, NOW)
    _approve(app, version)
    approvals.publish(version, coordinator, NOW)
    assert versions.published(demo.id) == [version]
    approvals.withdraw(version, coordinator, NOW)
    assert versions.published(demo.id) == []
    from tracker.models import AuditEvent
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "document_version")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["document.request", "document.approve", "document.publish", "document.withdraw"]


def test_the_whole_flow_over_http(app, demo, coordinator_client, executive_client, finance_client):
    page = coordinator_client.get("/approvals/new/measures?fy=2568")
    assert "ตามที่สำนักงานคณะกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ" in page.text
    answer = coordinator_client.post("/approvals/new/measures?fy=2568", data={"memo_number": "", "memo_text": ""})
    assert answer.status_code == 302
    version = db.session.scalar(select(DocumentVersion))
    assert finance_client.get(f"/approvals/{version.id}").status_code == 403
    assert finance_client.post(f"/approvals/{version.id}/decide", data={"decision": "approve"}).status_code == 403
    assert coordinator_client.post(f"/approvals/{version.id}/decide", data={"decision": "approve"}).status_code == 403
    page = executive_client.get(f"/approvals/{version.id}")
    assert "การพิจารณาของผู้บริหาร" in page.text
    executive_client.post(f"/approvals/{version.id}/decide", data={"decision": "approve"})
    again = executive_client.post(f"/approvals/{version.id}/decide", data={"decision": "approve"},
                                  follow_redirects=True)
    assert "ได้รับการพิจารณาไปแล้ว" in again.text
    assert coordinator_client.post(f"/approvals/{version.id}/publish").status_code == 302
    docx = coordinator_client.get(f"/approvals/{version.id}.docx")
    assert docx.status_code == 200 and docx.data == versions.file_of(version, "docx").content
    assert docx.headers["ETag"] == f'"{versions.file_of(version, "docx").sha256}"'
    assert coordinator_client.get(f"/approvals/{version.id}/document").status_code == 200
    assert coordinator_client.get("/approvals/?fy=2568").status_code == 200
    assert coordinator_client.get(f"/approvals/{version.id}.exe").status_code == 404
    assert coordinator_client.get("/approvals/new/nothing?fy=2568").status_code == 404


def test_the_demo_comes_approved_acknowledged_and_published(app, published_demo):
    published = versions.published(published_demo.id)
    assert sorted((v.kind, v.period, v.number) for v in published) == [("measures", "", 1), ("results", "mid", 1)]
    executive = _user(Role.EXECUTIVE)
    assert all(v.decided_by_id == executive.id and v.is_published for v in published)
    measures = next(v for v in published if v.kind == "measures")
    assert "ประกาศ ณ วันที่ 18 ตุลาคม 2567" in _docx_text(versions.file_of(measures, "docx").content)
    assert approvals.plan_changed_since_approval(_fiscal_year(published_demo), NOW.date()) is None


def test_the_plan_page_says_what_changed_since_the_approved_version(app, demo, coordinator_client):
    version = _approve(app, _request(app, demo))
    assert "แผนมีการเปลี่ยนแปลงหลังฉบับที่" not in coordinator_client.get("/plan/?fy=2568").text
    measure = _edit_first_measure(demo, budget_amount=20000)
    page = coordinator_client.get("/plan/?fy=2568").text
    assert "แผนมีการเปลี่ยนแปลงหลังฉบับที่ 1" in page and "(งบประมาณ)" in page
    shown = coordinator_client.get(f"/approvals/{version.id}").text
    assert "20,000 บาท" in shown and measure.title[:20] in shown

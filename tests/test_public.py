"""The agency's public pages as an assessor (or anyone) opens them without a login: the published
documents, their files and versions, the progress page and its public evidence; and how the
coordinator names the pages and a head chooses what evidence they show."""
import hashlib
import io
from datetime import datetime

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import (
    AuditEvent, DocumentFile, Division, Evidence, FiscalYear, Organization, ProgressUpdate, Task, User, VersionStatus,
)
from tracker.services import pdf_jobs, public_pages, tasks, versions
from tracker.services.demo import DEMO_USERS
from tracker.services.errors import ServiceError
from tracker.services.reports import pdf
from tracker.transactions import transaction

AGENCY = "องค์การบริหารส่วนตำบลพิชัย"


def page(response) -> str:
    return response.get_data(as_text=True)


def get(client, url: str, **kwargs):
    """The response read whole and closed (a served file is otherwise left open)."""
    with client.get(url, **kwargs) as response:
        response.get_data()
    return response


def demo_year(demo) -> FiscalYear:
    return db.session.scalar(select(FiscalYear).where(FiscalYear.organization_id == demo.id))


def finance_task(organization) -> Task:
    return db.session.scalar(select(Task).join(Task.division).where(
        Task.organization_id == organization.id, Division.name == "กองคลัง").order_by(Task.id).limit(1))


def docx_text(content: bytes) -> str:
    document = WordDocument(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
                     if cell.value is not None)


def file_text(fmt: str, content: bytes) -> str:
    return docx_text(content) if fmt == "docx" else xlsx_text(content)


@pytest.fixture
def measures(demo):
    return factories.published_version(demo_year(demo))


def add_progress(organization, problems="", links=(), files=(), links_public=False, files_public=False):
    """A progress update of the agency's first กองคลัง task, with evidence links and files (name, bytes)."""
    task = finance_task(organization)
    number = db.session.scalar(select(db.func.count(User.id)))
    head = factories.head(organization, "กองคลัง", f"public-head-{number}@{organization.id}.test")
    saved = []
    for name, content in files:
        saved.append(Evidence(organization_id=organization.id, task_id=task.id, uploader_id=head.id, filename=name,
                              stored_name=f"{hashlib.sha256(content).hexdigest()[:32]}.pdf",
                              content_type="application/pdf", size=len(content)))
    db.session.add_all(saved)
    db.session.flush()
    with transaction():
        tasks.record_progress(task, head, tasks.ProgressInput(
            "in_progress", 60, "ประชุมชี้แจงแล้ว", problems, list(links), links_public=links_public,
            files_public=files_public), task.version, saved)
    return task


def store_files(app, organization, contents: dict[str, bytes]) -> None:
    """Write evidence files (stored_name → bytes) where the app keeps uploads."""
    from pathlib import Path
    folder = Path(app.config["TRACKER_UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for item in db.session.scalars(select(Evidence).where(Evidence.organization_id == organization.id,
                                                          Evidence.stored_name != "")):
        (folder / item.stored_name).write_bytes(contents[item.filename])


# The agency and year pages

def test_agency_page_lists_published_documents_for_anyone(client, measures):
    response = client.get("/public/pichai/")
    html = page(response)
    assert response.status_code == 200
    assert AGENCY in html and "อำเภอเมืองลำปาง จังหวัดลำปาง" in html
    assert "ปีงบประมาณ พ.ศ. 2568" in html and "เอกสารมาตรการ" in html
    assert "ITA 2567 ข้อ O34" in html
    assert "10 ม.ค. 2568" in html  # published 10 Jan 2025, Bangkok time
    assert 'href="/public/pichai/2568/measures"' in html
    assert 'href="/public/pichai/2568/measures.docx"' in html and 'href="/public/pichai/2568/measures.xlsx"' in html
    assert "measures.pdf" not in html  # this version has no PDF
    assert 'href="/public/pichai/2568/progress"' in html
    assert "ออกจากระบบ" not in html and "เข้าสู่ระบบ" not in html
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "public" in response.headers["Cache-Control"] and response.headers["ETag"]


def test_agency_page_lists_fiscal_years_newest_first(client, demo, measures):
    factories.fiscal_year_for(demo, 2569)
    db.session.commit()
    html = page(client.get("/public/pichai/"))
    assert html.index("ปีงบประมาณ พ.ศ. 2569") < html.index("ปีงบประมาณ พ.ศ. 2568")
    assert "ยังไม่มีเอกสารที่เผยแพร่ของปีงบประมาณนี้" in html


def test_year_page_shows_that_year_only(client, demo, measures):
    factories.fiscal_year_for(demo, 2569)
    db.session.commit()
    html = page(client.get("/public/pichai/2568/"))
    assert "เอกสารมาตรการ" in html and "ปีงบประมาณ พ.ศ. 2569" not in html


def test_a_page_answers_304_to_its_etag(client, measures):
    first = client.get("/public/pichai/")
    again = client.get("/public/pichai/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.parametrize("url", ["/public/nobody/", "/public/pichai/2599/", "/public/pichai/2568/unknown",
                                 "/public/pichai/2568/measures.doc", "/public/pichai/2568/measures/v2",
                                 "/public/pichai/2568/results-6-month", "/public/pichai/2599/progress",
                                 "/public/pichai/2568/measures.memo-docx"])
def test_unknown_addresses_are_a_thai_not_found(client, measures, url):
    response = client.get(url)
    assert response.status_code == 404 and "ไม่พบหน้าที่ต้องการ" in page(response)


@pytest.mark.parametrize("url", [
    "/public/pichai/99999999999999999999/", "/public/pichai/99999999999999999999/progress",
    "/public/pichai/99999999999999999999/measures",
    f"/public/pichai/2568/measures/v{2 ** 63}", f"/public/pichai/2568/measures/v{2 ** 63}.docx",
    f"/public/pichai/2568/measures/v{2 ** 31}", "/public/pichai/2568/measures/v0",
    f"/public/pichai/evidence/{2 ** 63}", "/public/pichai/evidence/99999999999999999999999", "/public/pichai/0/",
])
def test_huge_numbers_in_the_address_are_not_found(client, measures, url):
    assert client.get(url).status_code == 404


# A document, its files and its versions

def test_document_page_shows_the_frozen_document_with_its_version_and_dates(client, demo, measures):
    html = page(client.get("/public/pichai/2568/measures"))
    assert "ฉบับที่ 1" in html and "อนุมัติเมื่อ 10 ม.ค. 2568" in html and "เผยแพร่เมื่อ 10 ม.ค. 2568" in html
    assert 'class="measures-table"' in html and "ITA 2567 ข้อ O34" in html
    assert 'href="/public/pichai/2568/measures/v1.docx"' in html
    assert "ฉบับก่อนหน้า" not in html


def test_document_page_shows_what_was_approved_not_todays_plan(client, demo, measures):
    topic = demo_year(demo).topics[0]
    topic.title = "ชื่อประเด็นที่แก้หลังอนุมัติ"
    db.session.commit()
    assert "ชื่อประเด็นที่แก้หลังอนุมัติ" not in page(client.get("/public/pichai/2568/measures"))


def test_docx_is_the_stored_file_with_a_good_name_and_the_agency_in_it(client, measures):
    response = client.get("/public/pichai/2568/measures.docx")
    stored = db.session.scalar(select(DocumentFile).where(DocumentFile.version_id == measures.id,
                                                          DocumentFile.fmt == "docx"))
    assert response.status_code == 200 and response.get_data() == stored.content
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["Content-Disposition"] == "attachment; filename=O34-measures-2568-25671001-v1.docx"
    assert response.headers["ETag"] == f'"{stored.sha256}"'
    assert response.headers["Last-Modified"] == "Fri, 10 Jan 2025 03:00:00 GMT"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert AGENCY in docx_text(response.get_data())


def test_xlsx_opens_with_the_agency_in_it(client, measures):
    response = client.get("/public/pichai/2568/measures.xlsx")
    assert response.status_code == 200 and AGENCY in xlsx_text(response.get_data())


def test_a_pdf_still_being_made_is_announced_and_its_address_asks_to_come_back(app, client, measures):
    """Just after approval the PDF is made in the background: the pages say so and look again, and
    the PDF's permanent address (the one given to ITAS) answers 503 with Retry-After, not 404.
    Once made (real LibreOffice), the PDF is listed and served."""
    pdf_jobs.queue_for_version(measures, "pdf", pdf.word_for_pdf(versions.report_of(measures)))
    db.session.commit()
    listing, waiting = client.get("/public/pichai/2568/"), get(client, "/public/pichai/2568/measures.pdf")
    assert "PDF กำลังจัดทำ" in page(listing) and listing.headers["Refresh"].startswith("3")
    assert "max-age=0" in listing.headers["Cache-Control"]
    assert "ไฟล์ PDF กำลังจัดทำ" in page(client.get("/public/pichai/2568/measures"))
    assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "3"
    assert "no-store" in waiting.headers["Cache-Control"] and "กำลังจัดทำไฟล์ PDF" in page(waiting)
    assert [made.key for made in pdf_jobs.make_pending("test", datetime(2025, 3, 31, 3, 0)).done] == \
        [f"version:{measures.id}:pdf"]
    listing, made = client.get("/public/pichai/2568/"), get(client, "/public/pichai/2568/measures.pdf")
    assert "PDF กำลังจัดทำ" not in page(listing) and "Refresh" not in listing.headers
    assert 'href="/public/pichai/2568/measures.pdf"' in page(listing)
    assert made.status_code == 200 and made.get_data().startswith(b"%PDF")


def test_a_file_answers_304_to_its_sha256(client, measures):
    etag = client.get("/public/pichai/2568/measures.docx").headers["ETag"]
    assert client.get("/public/pichai/2568/measures.docx", headers={"If-None-Match": etag}).status_code == 304


def test_pdf_opens_in_the_browser(client, measures):
    content = b"%PDF-1.4 the approved document"
    db.session.add(DocumentFile(organization_id=measures.organization_id, version_id=measures.id, fmt="pdf",
                                content=content, sha256=hashlib.sha256(content).hexdigest(), size=len(content)))
    db.session.commit()
    response = client.get("/public/pichai/2568/measures.pdf")
    assert response.mimetype == "application/pdf" and response.get_data() == content
    assert response.headers["Content-Disposition"].startswith("inline;")


def test_unpublished_version_is_not_shown(client, demo):
    factories.published_version(demo_year(demo), published=False)
    html = page(client.get("/public/pichai/2568/"))
    assert "/public/pichai/2568/measures" not in html and "ยังไม่มีเอกสารที่เผยแพร่ของปีงบประมาณนี้" in html
    assert client.get("/public/pichai/2568/measures").status_code == 404
    assert client.get("/public/pichai/2568/measures.docx").status_code == 404
    assert client.get("/public/pichai/2568/measures/v1").status_code == 404


def test_withdrawn_version_is_not_shown_and_the_one_before_it_is(client, demo):
    year = demo_year(demo)
    factories.published_version(year)
    withdrawn = factories.published_version(year)
    withdrawn.status = VersionStatus.SUPERSEDED
    db.session.commit()
    assert "ฉบับที่ 1" in page(client.get("/public/pichai/2568/measures"))
    assert client.get("/public/pichai/2568/measures/v2").status_code == 404


def test_every_published_version_keeps_its_own_address(client, demo):
    year = demo_year(demo)
    first = factories.published_version(year)
    second = factories.published_version(year)
    latest = page(client.get("/public/pichai/2568/measures"))
    assert "ฉบับที่ 2" in latest and 'href="/public/pichai/2568/measures/v1"' in latest
    older = page(client.get("/public/pichai/2568/measures/v1"))
    assert "ฉบับที่ 1" in older and "ฉบับล่าสุด" in older
    for version in (first, second):
        stored = db.session.scalar(select(DocumentFile).where(DocumentFile.version_id == version.id,
                                                              DocumentFile.fmt == "docx"))
        body = client.get(f"/public/pichai/2568/measures/v{version.number}.docx").get_data()
        assert body == stored.content
    assert client.get("/public/pichai/2568/measures.docx").get_data() == client.get(
        "/public/pichai/2568/measures/v2.docx").get_data()


def test_results_report_has_its_round_in_the_address(client, demo):
    factories.published_version(demo_year(demo), kind="results", period="mid")
    html = page(client.get("/public/pichai/2568/"))
    assert "รายงานผลการดำเนินการ" in html and 'href="/public/pichai/2568/results-6-month"' in html
    document = page(client.get("/public/pichai/2568/results-6-month"))
    assert "ผู้บริหารรับทราบเมื่อ" in document and "สรุปผลการดำเนินงานรายกอง" in document
    assert client.get("/public/pichai/2568/results-year-end").status_code == 404


# Two agencies

def test_two_agencies_see_only_their_own_documents(client, demo, measures, other_agency):
    other_agency.organization.slug = "other-town"
    factories.published_version(other_agency.fiscal_year)
    ours, theirs = page(client.get("/public/pichai/")), page(client.get("/public/other-town/"))
    assert AGENCY in ours and "เทศบาลตำบลทดสอบ" not in ours
    assert "เทศบาลตำบลทดสอบ" in theirs and "พิชัย" not in theirs
    other_docx = client.get("/public/other-town/2568/measures.docx").get_data()
    assert "เทศบาลตำบลทดสอบ" in docx_text(other_docx) and AGENCY not in docx_text(other_docx)
    assert "มาตรการทดสอบ" not in page(client.get("/public/pichai/2568/progress"))
    assert "มาตรการทดสอบ" in page(client.get("/public/other-town/2568/progress"))


def test_another_agencys_public_evidence_is_not_found_under_this_agencys_address(app, client, demo, other_agency):
    other_agency.organization.slug = "other-town"
    add_progress(other_agency.organization, files=[("ของเทศบาล.pdf", b"%PDF-1.4 theirs")], files_public=True)
    store_files(app, other_agency.organization, {"ของเทศบาล.pdf": b"%PDF-1.4 theirs"})
    item = db.session.scalar(select(Evidence).where(Evidence.filename == "ของเทศบาล.pdf"))
    assert get(client, f"/public/other-town/evidence/{item.id}").get_data() == b"%PDF-1.4 theirs"
    assert get(client, f"/public/pichai/evidence/{item.id}").status_code == 404


# The progress page and public evidence

def test_progress_page_shows_status_percent_and_only_public_evidence(app, client, demo):
    add_progress(demo, links=["https://www.pichai.go.th/public-news"], links_public=True,
                 files=[("ภาพกิจกรรม.pdf", b"%PDF-1.4 photo")])
    add_progress(demo, links=["https://intranet.pichai.go.th/private"])
    response = client.get("/public/pichai/2568/progress")  # no document published yet: still shown
    html = page(response)
    assert response.status_code == 200
    assert "ความก้าวหน้าการดำเนินการตามมาตรการ ปีงบประมาณ พ.ศ. 2568" in html and "ข้อมูล ณ วันที่ 31 มีนาคม 2568" in html
    assert "ประเด็น (1)" in html and "กองคลัง" in html and "กำลังดำเนินการ" in html and "60%" in html
    assert "เสร็จสิ้น" in html and "100%" in html  # the demo's own reports
    assert "https://www.pichai.go.th/public-news" in html
    assert "intranet.pichai.go.th" not in html and "ภาพกิจกรรม.pdf" not in html
    assert "ประชุมชี้แจงแล้ว" not in html  # what was done stays inside
    assert response.headers["X-Frame-Options"] == "DENY"


def test_progress_page_shows_late_tasks_as_late(app, demo):
    app.config["TRACKER_TODAY"] = "2025-10-10"
    html = page(app.test_client().get("/public/pichai/2568/progress"))
    assert "ล่าช้า" in html and "status-late" in html


def test_embedded_view_has_no_chrome_and_may_be_framed(client, measures):
    for url in ("/public/pichai/?embed=1", "/public/pichai/2568/?embed=1", "/public/pichai/2568/progress?embed=1"):
        response = client.get(url)
        html = page(response)
        assert response.status_code == 200 and "X-Frame-Options" not in response.headers
        assert 'class="topbar"' not in html and "public-foot" not in html and '<base target="_blank">' in html
    assert client.get("/public/pichai/2568/measures?embed=1").headers["X-Frame-Options"] == "DENY"


def test_public_evidence_file_is_served_and_private_ones_are_not(app, client, demo):
    add_progress(demo, files=[("ประกาศ.pdf", b"%PDF-1.4 public")], files_public=True)
    add_progress(demo, files=[("ภายใน.pdf", b"%PDF-1.4 private")])
    store_files(app, demo, {"ประกาศ.pdf": b"%PDF-1.4 public", "ภายใน.pdf": b"%PDF-1.4 private"})
    shown = db.session.scalar(select(Evidence).where(Evidence.filename == "ประกาศ.pdf"))
    hidden = db.session.scalar(select(Evidence).where(Evidence.filename == "ภายใน.pdf"))
    assert f'href="/public/pichai/evidence/{shown.id}"' in page(client.get("/public/pichai/2568/progress"))
    response = get(client, f"/public/pichai/evidence/{shown.id}")
    assert response.status_code == 200 and response.get_data() == b"%PDF-1.4 public"
    assert response.mimetype == "application/pdf" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert get(client, f"/public/pichai/evidence/{shown.id}",
               headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert get(client, f"/public/pichai/evidence/{hidden.id}").status_code == 404


def test_a_public_file_that_is_not_a_pdf_or_image_is_downloaded(app, client, demo):
    add_progress(demo, files=[("สรุป.pdf", b"%PDF-1.4 x")], files_public=True)
    item = db.session.scalar(select(Evidence).where(Evidence.filename == "สรุป.pdf"))
    # checked as text, though the uploader's browser called it HTML
    item.stored_name, item.content_type = item.stored_name.replace(".pdf", ".txt"), "text/html"
    db.session.commit()
    store_files(app, demo, {"สรุป.pdf": b"%PDF-1.4 x"})
    response = get(client, f"/public/pichai/evidence/{item.id}")
    assert response.headers["Content-Disposition"].startswith("attachment") and response.mimetype == "text/plain"


def test_a_public_link_is_not_served_as_a_file(client, demo):
    add_progress(demo, links=["https://www.pichai.go.th/x"], links_public=True)
    item = db.session.scalar(select(Evidence).where(Evidence.url == "https://www.pichai.go.th/x"))
    assert get(client, f"/public/pichai/evidence/{item.id}").status_code == 404


def public_urls(client) -> list[str]:
    """Every public address of the demo agency: the pages (also embedded), documents, versions, files."""
    urls = ["/public/pichai/", "/public/pichai/?embed=1", "/public/pichai/2568/", "/public/pichai/2568/progress",
            "/public/pichai/2568/progress?embed=1"]
    for doc in ("measures", "results-6-month"):
        urls += [f"/public/pichai/2568/{doc}", f"/public/pichai/2568/{doc}/v1", f"/public/pichai/2568/{doc}.docx",
                 f"/public/pichai/2568/{doc}.xlsx", f"/public/pichai/2568/{doc}/v1.docx"]
    return urls


def test_no_public_page_or_file_names_a_person_or_a_problem(app, client, demo):
    year = demo_year(demo)
    factories.published_version(year)
    factories.published_version(year, kind="results", period="mid")
    add_progress(demo, problems="งบประมาณไม่พอ ผู้รับเหมาทิ้งงาน", links=["https://www.pichai.go.th/a"],
                 links_public=True, files=[("หลักฐาน.pdf", b"%PDF-1.4 e")], files_public=True)
    store_files(app, demo, {"หลักฐาน.pdf": b"%PDF-1.4 e"})
    secrets = [text for email, _, name, _, _ in DEMO_USERS for text in (email, name)]
    secrets += [u.email for u in demo_users(demo)] + [u.name for u in demo_users(demo)]
    problems = list(db.session.scalars(select(ProgressUpdate.problems).where(ProgressUpdate.problems != "")))
    assert problems
    secrets += problems
    item = db.session.scalar(select(Evidence).where(Evidence.filename == "หลักฐาน.pdf"))
    for url in public_urls(client) + [f"/public/pichai/evidence/{item.id}"]:
        response = get(client, url)
        assert response.status_code == 200, url
        fmt = url.rsplit(".", 1)[-1]
        body = file_text(fmt, response.get_data()) if fmt in ("docx", "xlsx") else response.get_data(as_text=True)
        for secret in secrets:
            assert secret not in body, (url, secret)


def demo_users(organization) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organization_id == organization.id)))


# The coordinator names the public pages

def test_coordinator_sees_the_public_address_to_give_to_itas(coordinator_client):
    html = page(coordinator_client.get("/settings/public"))
    assert "http://127.0.0.1:5000/public/pichai/" in html and "ITAS" in html
    assert 'href="/settings/public"' in page(coordinator_client.get("/reports/"))


def test_coordinator_changes_the_public_address_and_it_is_audited(coordinator_client, demo):
    response = coordinator_client.post("/settings/public", data={"slug": " Pichai-Lampang "})
    assert response.status_code == 302
    assert "/public/pichai-lampang/" in page(coordinator_client.get(response.location))
    db.session.refresh(demo)
    assert demo.slug == "pichai-lampang"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organization.slug"))
    assert event.before == {"slug": "pichai"} and event.after == {"slug": "pichai-lampang"}
    assert coordinator_client.get("/public/pichai-lampang/").status_code == 200
    assert coordinator_client.get("/public/pichai/").status_code == 404


@pytest.mark.parametrize("slug", ["p", "1pichai", "pichai_town", "พิชัย", "-pichai", "a" * 41, "pichai town"])
def test_a_bad_public_address_is_refused_with_the_rule(coordinator_client, demo, slug):
    response = coordinator_client.post("/settings/public", data={"slug": slug})
    assert response.status_code == 200 and "ใช้ตัวอักษรภาษาอังกฤษตัวเล็ก a–z" in page(response)
    db.session.refresh(demo)
    assert demo.slug == "pichai"


def test_another_agencys_public_address_is_refused(coordinator_client, demo, other_agency):
    other_agency.organization.slug = "other-town"
    db.session.commit()
    response = coordinator_client.post("/settings/public", data={"slug": "other-town"})
    assert "ชื่อนี้มีหน่วยงานอื่นใช้แล้ว" in page(response)
    db.session.refresh(demo)
    assert demo.slug == "pichai"


def test_an_address_taken_in_a_race_is_refused_not_an_error(app, demo, other_agency, monkeypatch):
    other_agency.organization.slug = "other-town"
    db.session.commit()
    monkeypatch.setattr(public_pages, "slug_taken", lambda slug, organization_id: False)  # lost the race
    with pytest.raises(ServiceError, match="ชื่อนี้มีหน่วยงานอื่นใช้แล้ว"):
        public_pages.set_slug(demo, "other-town", None)
    assert demo.slug == "pichai"


@pytest.mark.parametrize("fixture", ["executive_client", "finance_client"])
def test_only_the_coordinator_names_the_public_pages(request, demo, fixture):
    client = request.getfixturevalue(fixture)
    assert client.get("/settings/public").status_code == 403
    assert client.post("/settings/public", data={"slug": "taken-over"}).status_code == 403


# A head's choice shows on the public pages

def test_head_makes_an_existing_file_public_and_the_public_page_serves_it(client, finance_client, demo):
    task = finance_task(demo)
    finance_client.post(f"/tasks/{task.id}", data={"status": "in_progress", "percent": "50", "version": str(task.version),
                        "files": (io.BytesIO(b"%PDF-1.4 now public"), "ภาพ.pdf")}, content_type="multipart/form-data")
    item = db.session.scalar(select(Evidence).where(Evidence.filename == "ภาพ.pdf"))
    assert get(client, f"/public/pichai/evidence/{item.id}").status_code == 404
    finance_client.post(f"/evidence/{item.id}/public", data={"public": "1"})
    assert get(client, f"/public/pichai/evidence/{item.id}").get_data() == b"%PDF-1.4 now public"
    assert "ภาพ.pdf" in page(client.get("/public/pichai/2568/progress"))
    finance_client.post(f"/evidence/{item.id}/public", data={"public": "0"})
    assert get(client, f"/public/pichai/evidence/{item.id}").status_code == 404


def test_organization_without_a_slug_has_no_public_pages(client, other_agency):
    assert db.session.scalar(select(Organization.slug).where(Organization.id == other_agency.organization.id)) is None
    assert client.get("/public/None/").status_code == 404

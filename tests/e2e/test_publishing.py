"""End to end in real Chromium: the coordinator asks for approval, the executive approves, the
coordinator publishes, and an anonymous visitor opens the public page and the PDF."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.live_server import log_in
from tracker.models.base import utcnow
from tracker.services import pdf_jobs
from tracker.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

COORDINATOR = "coordinator@pichai.example"
EXECUTIVE = "executive@pichai.example"
EXECUTIVE_NAME = "ประเสริฐ พิชัยกุล"


def make_documents(server) -> None:
    """What the scheduler does every few seconds beside the web server."""
    with server.app.app_context():
        assert pdf_jobs.make_pending("e2e", utcnow()).done


def test_a_document_goes_from_request_to_the_public_page(new_page, live_server):
    coordinator = new_page()
    log_in(coordinator, COORDINATOR, DEMO_PASSWORD)
    coordinator.get_by_role("link", name="อนุมัติและเผยแพร่").click()
    coordinator.locator("#measures").get_by_role("link", name="ขออนุมัติ").click()
    coordinator.get_by_label("ที่ (เลขที่หนังสือ)").fill("ลป 88001/45")
    coordinator.get_by_role("button", name="ส่งให้ผู้บริหาร").click()
    expect(coordinator.locator(".alert-success")).to_contain_text("ฉบับที่ 1")
    request_url = coordinator.url

    executive = new_page()
    log_in(executive, EXECUTIVE, DEMO_PASSWORD)
    executive.get_by_role("link", name="อนุมัติและเผยแพร่").click()
    executive.get_by_role("link", name=re.compile("เอกสารมาตรการ .* ฉบับที่ 1")).first.click()
    memo = executive.request.get(executive.url + ".memo-docx")
    assert memo.status == 200 and memo.body()[:2] == b"PK"
    executive.get_by_role("button", name="อนุมัติ", exact=True).click()
    expect(executive.locator(".alert-success")).to_contain_text("อนุมัติฉบับที่ 1 แล้ว")

    # The request page looks again by itself while its memo's PDF is being made (a goto here would
    # race that reload and be aborted), and so shows the decision.
    assert coordinator.url == request_url
    expect(coordinator.locator(".trail")).to_contain_text(f"อนุมัติโดย {EXECUTIVE_NAME}", timeout=15_000)
    expect(coordinator.get_by_text("กำลังจัดทำไฟล์ PDF")).to_be_visible()
    make_documents(live_server)
    # the page looks again by itself (its Refresh header) and offers the PDF
    expect(coordinator.get_by_role("link", name="PDF", exact=True)).to_be_visible(timeout=15_000)
    coordinator.get_by_role("button", name="เผยแพร่บนหน้าสาธารณะ").click()
    expect(coordinator.locator(".alert-success")).to_contain_text("เผยแพร่ฉบับที่ 1")

    visitor = new_page(390, 844)
    visitor.goto("/public/pichai/")
    expect(visitor.locator("body")).to_contain_text("องค์การบริหารส่วนตำบลพิชัย")
    pdf_link = visitor.locator('a[href$="/2568/measures.pdf"]').first
    expect(pdf_link).to_be_visible()
    answer = visitor.request.get(pdf_link.get_attribute("href"))
    assert answer.status == 200 and answer.body()[:5] == b"%PDF-"
    assert answer.headers["content-type"] == "application/pdf"


def test_a_pdf_asked_for_is_made_in_the_background_and_then_offered(new_page, live_server):
    coordinator = new_page()
    log_in(coordinator, COORDINATOR, DEMO_PASSWORD)
    coordinator.goto("/reports/results?fy=2568&as_of=2025-03-31")
    coordinator.locator(".downloads").get_by_role("link", name="PDF", exact=True).click()
    expect(coordinator.locator("#pdf-status")).to_contain_text("กำลังจัดทำไฟล์ PDF")
    make_documents(live_server)
    download_button = coordinator.get_by_role("link", name="ดาวน์โหลด PDF")
    expect(download_button).to_be_visible(timeout=15_000)  # after the page looked again by itself
    with coordinator.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename == "O35-results-2568-25680331.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read(5) == b"%PDF-"

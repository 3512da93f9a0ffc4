"""End to end in real Chromium: a division head reports progress, the executive sees it on the dashboard."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.live_server import log_in
from tracker.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

HEAD = "finance@pichai.example"  # สุดารัตน์ มั่นคง, head of กองคลัง
HEAD_NAME = "สุดารัตน์ มั่นคง"
EXECUTIVE = "executive@pichai.example"
DONE_TEXT = "ประชุมชี้แจงเจ้าหน้าที่กองคลังเรื่องช่องทางรับฟังความคิดเห็น และติดประกาศที่สำนักงานแล้ว"
LINK = "https://www.pichai.go.th/news/2568/listening-channels"
PDF_NAME = "รายงานการประชุม.pdf"
COLUMNS = ("งาน", "เสร็จ", "กำลังทำ", "ยังไม่เริ่ม", "ล่าช้า", "เฉลี่ย")


def tiny_pdf() -> bytes:
    """A real one-page PDF, small enough to build by hand."""
    text = b"BT /F1 12 Tf 20 50 Td (Meeting report) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


def division_row(page, name: str) -> dict[str, str]:
    """The numbers of one division's row in the dashboard's ความคืบหน้ารายกอง table."""
    table = page.locator("table.progress-table", has=page.locator("caption", has_text="ความคืบหน้ารายกอง"))
    row = table.locator("tbody tr", has=page.locator("th", has_text=re.compile(f"^{name}$")))
    expect(row).to_have_count(1)
    return {column: row.locator(f'td[data-label="{column}"]').inner_text().strip() for column in COLUMNS}


def log_out(page) -> None:
    page.get_by_role("button", name="ออกจากระบบ").click()
    expect(page.get_by_role("alert")).to_contain_text("ออกจากระบบแล้ว")


def test_head_reports_progress_and_executive_sees_it_on_the_dashboard(new_page, tmp_path):
    page = new_page()
    log_in(page, EXECUTIVE, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    before = division_row(page, "กองคลัง")
    log_out(page)

    log_in(page, HEAD, DEMO_PASSWORD)
    page.get_by_role("link", name="งานของฉัน").click()
    expect(page.get_by_role("heading", name="งานของฉัน")).to_be_visible()
    expect(page.locator(".page-head")).to_contain_text("กองคลัง")
    not_started = page.locator("table.tasks tbody tr", has=page.locator(".badge", has_text="ยังไม่เริ่ม")).first
    task_link = not_started.locator('td[data-label="มาตรการ"] a')
    measure_title = task_link.inner_text().strip()
    task_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(measure_title)

    pdf = tmp_path / PDF_NAME
    pdf.write_bytes(tiny_pdf())
    report = page.locator("#report")
    report.get_by_label("สถานะ").select_option(label="กำลังดำเนินการ")
    report.get_by_label("ความก้าวหน้า (%)").fill("45")
    report.get_by_label("ผลการดำเนินงาน (ทำอะไรไปแล้ว)").fill(DONE_TEXT)
    report.get_by_label("ลิงก์หลักฐาน (บรรทัดละ 1 ลิงก์)").fill(LINK)
    report.get_by_label("ไฟล์หลักฐาน").set_input_files(pdf)
    report.get_by_role("button", name="บันทึก").click()

    expect(page.locator(".alert-success")).to_have_text("บันทึกความก้าวหน้าแล้ว แก้ไขหรือถอนรายงานนี้ได้ภายใน 60 นาที")
    latest = page.locator("article.update").first
    expect(latest).to_contain_text("กำลังดำเนินการ 45%")
    expect(latest).to_contain_text(HEAD_NAME)
    expect(latest).to_contain_text(DONE_TEXT)
    expect(latest.get_by_role("link", name=LINK)).to_have_attribute("href", LINK)
    evidence = latest.get_by_role("link", name=re.compile(re.escape(PDF_NAME)))
    served = page.request.get(evidence.get_attribute("href"))
    assert served.ok and served.headers["content-type"] == "application/pdf"
    assert served.body() == pdf.read_bytes()
    log_out(page)

    log_in(page, EXECUTIVE, DEMO_PASSWORD)
    page.goto("/dashboard")
    recent = page.locator("section.card", has=page.get_by_role("heading", name="การรายงานล่าสุด"))
    newest = recent.locator("li").first
    expect(newest.get_by_role("link")).to_have_text(measure_title)
    expect(newest).to_contain_text(f"กองคลัง · กำลังดำเนินการ 45% · {HEAD_NAME}")
    after = division_row(page, "กองคลัง")
    assert after["งาน"] == before["งาน"]
    assert int(after["กำลังทำ"]) == int(before["กำลังทำ"]) + 1
    assert int(after["ยังไม่เริ่ม"]) == int(before["ยังไม่เริ่ม"]) - 1
    expected_average = float(before["เฉลี่ย"].rstrip("%")) + 45 / int(after["งาน"])  # from 0% to 45%
    assert float(after["เฉลี่ย"].rstrip("%")) == pytest.approx(expected_average, abs=1)  # both shown as whole %

    table = page.locator("table.progress-table", has=page.locator("caption", has_text="ความคืบหน้ารายกอง"))
    table.locator("tbody tr", has=page.locator("th", has_text="กองคลัง")) \
        .locator('td[data-label="กำลังทำ"] a').click()
    expect(page).to_have_url(re.compile(r"/tasks\?.*status=in_progress"))
    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(int(after["กำลังทำ"]))
    for division in rows.locator('td[data-label="กอง"]').all_inner_texts():
        assert division.strip() == "กองคลัง"
    expect(rows.get_by_role("link", name=measure_title, exact=True)).to_have_count(1)


def _assert_no_horizontal_scroll(page) -> None:
    # After a click the DOM can be queried before the stylesheet applies (an unstyled page is wider);
    # the phone's user sees the page once it has loaded.
    page.wait_for_load_state("load")
    widths = page.evaluate("({scroll: document.scrollingElement.scrollWidth, view: window.innerWidth})")
    assert widths["scroll"] <= widths["view"], f"{page.url} scrolls sideways on a phone: {widths}"


def test_pages_fit_a_phone_screen(new_page):
    page = new_page(width=390, height=844)
    log_in(page, HEAD, DEMO_PASSWORD)
    page.goto("/my")
    expect(page.get_by_role("heading", name="งานของฉัน")).to_be_visible()
    _assert_no_horizontal_scroll(page)

    # A task with history, so that the updates and the audit table are on the page as well.
    page.locator("table.tasks tbody tr", has=page.locator(".badge", has_text="กำลังดำเนินการ")).first \
        .locator('td[data-label="มาตรการ"] a').click()
    expect(page.locator("article.update").first).to_be_visible()
    _assert_no_horizontal_scroll(page)


def test_dashboard_and_time_line_fit_a_phone_with_today_drawn_in_place(new_page, tmp_path):
    page = new_page(width=390, height=844)
    log_in(page, EXECUTIVE, DEMO_PASSWORD)
    page.goto("/dashboard")
    expect(page.locator("#scores").get_by_role("rowheader", name="OIT")).to_be_visible()
    _assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="ดูแผนเวลาของมาตรการ").click()
    expect(page.get_by_role("heading", name=re.compile("แผนเวลาของมาตรการ"))).to_be_visible()
    rows = page.locator("li.gantt-row")
    expect(rows).to_have_count(6)
    _assert_no_horizontal_scroll(page)
    chart = rows.first.locator("svg")
    today = rows.first.locator("line.today")
    box, line = chart.bounding_box(), today.bounding_box()
    expected = float(today.get_attribute("x1")) / 12 * box["width"] + box["x"]
    assert abs(line["x"] + line["width"] / 2 - expected) < 3, "today's line is drawn at today's place"
    assert box["width"] > 300, "the bars take the phone's width"

    shot = tmp_path / "timeline-390.png"
    page.screenshot(path=shot, full_page=True)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 390


def test_on_a_phone_the_menu_folds_and_the_people_page_turns_into_cards(new_page):
    page = new_page(width=390, height=844)
    log_in(page, "coordinator@pichai.example", DEMO_PASSWORD)
    page.goto("/people")
    menu = page.locator("#main-menu")
    toggle = page.get_by_role("button", name="เมนู")
    expect(menu).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(menu.get_by_role("link", name="ผู้ใช้")).to_be_visible()
    expect(menu.locator("a[aria-current=page]")).to_have_text("ผู้ใช้")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    _assert_no_horizontal_scroll(page)
    expect(page.locator("table.cards thead")).to_be_hidden()
    expect(page.locator('table.cards td[data-label="อีเมล"]').first).to_be_visible()

    page.reload()
    page.keyboard.press("Tab")  # the first stop on a page is the skip link
    skip = page.get_by_role("link", name="ข้ามไปยังเนื้อหา")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()


def test_on_a_phone_a_head_corrects_and_then_withdraws_a_report(new_page, tmp_path):
    page = new_page(width=390, height=844)
    log_in(page, HEAD, DEMO_PASSWORD)
    page.goto("/my")
    page.locator('td[data-label="มาตรการ"] a').first.click()
    percent_before = page.locator(".task-head .bar-label").first.inner_text()
    report = page.locator("#report")
    report.get_by_label("ความก้าวหน้า (%)").fill("90")
    report.get_by_label("ผลการดำเนินงาน (ทำอะไรไปแล้ว)").fill("กรอกผิดงาน")
    report.get_by_role("button", name="บันทึก").click()

    latest = page.locator("article.update").first
    latest.get_by_role("link", name="แก้ไขรายงานนี้").click()
    _assert_no_horizontal_scroll(page)
    page.get_by_label("ผลการดำเนินงาน (ทำอะไรไปแล้ว)").fill("กรอกผิดงาน แก้แล้ว")
    page.get_by_role("button", name="บันทึกการแก้ไข").click()
    expect(page.locator(".alert-success")).to_contain_text("แก้ไขรายงานแล้ว")
    expect(latest).to_contain_text("กรอกผิดงาน แก้แล้ว")
    latest.get_by_text("ฉบับที่บันทึกครั้งแรก").click()
    expect(latest.locator("details")).to_contain_text("กรอกผิดงาน")

    page.once("dialog", lambda dialog: dialog.accept())
    latest.get_by_role("button", name="ถอนรายงาน").click()
    expect(page.locator(".alert-success")).to_contain_text("ถอนรายงานแล้ว")
    expect(latest).to_contain_text("ถอนแล้วเมื่อ")
    assert latest.locator(".said").evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    expect(page.locator(".task-head .bar-label").first).to_have_text(percent_before)
    _assert_no_horizontal_scroll(page)
    shot = tmp_path / "withdrawn-390.png"
    page.screenshot(path=str(shot), full_page=True)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 390


def test_a_file_too_large_is_refused_beside_its_field_without_a_dialog(new_page):
    page = new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, HEAD, DEMO_PASSWORD)
    page.goto("/my")
    page.locator('td[data-label="มาตรการ"] a').first.click()
    limit = int(page.locator("form[data-max-file-mb]").get_attribute("data-max-file-mb"))
    page.locator('input[type="file"][name="files"]').set_input_files(
        {"name": "ภาพถ่ายใหญ่.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" + b"0" * (limit * 1024 * 1024 + 10)})
    error = page.locator(".file-field .error.file-size")
    expect(error).to_contain_text(f"ไฟล์ “ภาพถ่ายใหญ่.pdf” ใหญ่เกิน {limit} MB")
    url = page.url
    page.get_by_role("button", name="บันทึก").click()
    expect(error).to_be_visible()
    assert page.url == url and dialogs == []

"""Screenshots of the demo for the README: docs/screenshots/dashboard.png, task.png and analysis.png.

Serves the demo from a temporary SQLite file with "today" fixed mid-year and drives Debian's Chromium.
Run: .venv/bin/python scripts/screenshots.py
"""
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import current_app  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.live_server import LiveServer, launch_chromium, log_in  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.services.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from tracker.transactions import transaction  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1280, 900


def demo_app(folder: Path):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}",
        "TRACKER_UPLOAD_DIR": str(folder / "uploads"),
        "TRACKER_TODAY": "2025-03-31",  # mid fiscal year 2568, as the demo's reports suggest
        "SECRET_KEY": "screenshots",
    })
    with app.app_context():
        db.create_all()
        with transaction():
            load_demo(current_app.config)
        db.session.remove()
    return app


def dashboard(browser, base_url: str) -> None:
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, locale="th-TH", base_url=base_url)
    log_in(page, "coordinator@pichai.example", DEMO_PASSWORD)
    page.goto("/dashboard")
    page.screenshot(path=OUT / "dashboard.png", full_page=True)
    page.context.close()


def analysis(browser, base_url: str) -> None:
    """The coordinator's analysis of the ITA 2567 result, its first screen."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, locale="th-TH", base_url=base_url)
    log_in(page, "coordinator@pichai.example", DEMO_PASSWORD)
    page.goto("/plan/analysis")
    page.screenshot(path=OUT / "analysis.png")
    page.context.close()


def task(browser, base_url: str) -> None:
    """The head of กองคลัง reports on a task that already has history, then the task page is shot."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, locale="th-TH", base_url=base_url)
    log_in(page, "finance@pichai.example", DEMO_PASSWORD)
    page.goto("/my")
    page.locator("table.tasks tbody tr", has=page.locator(".badge", has_text="กำลังดำเนินการ")).first \
        .locator('td[data-label="มาตรการ"] a').click()
    report = page.locator("#report")
    report.get_by_label("ความก้าวหน้า (%)").fill("80")
    report.get_by_label("ผลการดำเนินงาน (ทำอะไรไปแล้ว)").fill(
        "ปลัด อบต. ลงนามคู่มือการรับชำระภาษีแล้ว เผยแพร่บนเว็บไซต์และติดประกาศที่จุดบริการ")
    report.get_by_label("ปัญหา อุปสรรค และข้อเสนอแนะ").fill("ควรจัดอบรมเจ้าหน้าที่ใหม่ให้ใช้คู่มือ")
    report.get_by_label("ลิงก์หลักฐาน (บรรทัดละ 1 ลิงก์)").fill("https://www.pichai.go.th/tax-manual-2568")
    report.get_by_role("button", name="บันทึก").click()
    page.locator(".alert-success").wait_for()
    page.reload()  # without the one-time "saved" message
    page.screenshot(path=OUT / "task.png", full_page=True)
    page.context.close()


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        with LiveServer(app) as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            dashboard(browser, server.url)
            task(browser, server.url)
            analysis(browser, server.url)
            browser.close()
        with app.app_context():
            db.engine.dispose()
    print(f"Saved dashboard.png, task.png and analysis.png in {OUT}")


if __name__ == "__main__":
    main()

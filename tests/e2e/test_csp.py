"""End to end in real Chromium: the Content-Security-Policy blocks nothing the pages need. Every
role's main pages load without a policy violation, the fiscal-year picker still submits itself, and
only the embed view of the public page shows inside another site's frame."""
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from flask import current_app
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import live_server_on
from tests.e2e.live_server import log_in
from tracker.extensions import db
from tracker.services.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.e2e

COORDINATOR = "coordinator@pichai.example"
EXECUTIVE = "executive@pichai.example"
HEAD = "finance@pichai.example"
PAGES = {
    COORDINATOR: ("/dashboard", "/tasks", "/plan/", "/plan/result", "/plan/analysis", "/reports/",
                  "/reports/measures", "/reports/results", "/reports/readiness", "/approvals/", "/people",
                  "/notify/deliveries", "/profile"),
    EXECUTIVE: ("/dashboard", "/tasks", "/reports/measures"),
    HEAD: ("/my", "/tasks", "/plan/", "/inbox"),
}
PUBLIC_PAGES = ("/login", "/public/pichai/", "/public/pichai/2568/progress", "/public/pichai/?embed=1",
                "/no-such-page")


def demo_with_two_years(app) -> None:
    """The demo and an empty next fiscal year, so that the fiscal-year picker shows."""
    organization, _ = load_demo(current_app.config)
    factories.fiscal_year_for(organization, 2569)
    db.session.commit()


@pytest.fixture
def live_server(tmp_path):
    with live_server_on(tmp_path, demo_with_two_years) as server:
        yield server


@pytest.fixture
def watched_page(new_page):
    """A page whose console errors (Chromium reports every CSP violation there) are collected, except
    the note that the page itself answered with an error status (a 404 page is visited on purpose)."""
    def open_page():
        page = new_page()
        page.console_errors = []

        def note(message):
            own_status = message.text.startswith("Failed to load resource") and message.location["url"] == page.url
            if message.type == "error" and not own_status:
                page.console_errors.append(message.text)
        page.on("console", note)
        return page
    return open_page


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    assert not page.console_errors, f"{url}: {page.console_errors}"


def test_the_watch_sees_a_policy_violation(watched_page):
    page = watched_page()
    page.goto("/login")
    page.evaluate("""() => { const script = document.createElement('script');
                             script.textContent = 'window.ran = true'; document.body.append(script); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert any("Content Security Policy" in text for text in page.console_errors)


@pytest.mark.parametrize("email", [COORDINATOR, EXECUTIVE, HEAD])
def test_each_roles_main_pages_break_no_policy(watched_page, email):
    page = watched_page()
    log_in(page, email, DEMO_PASSWORD)
    for url in PAGES[email]:
        visit(page, url)


def test_a_task_page_with_its_update_form_breaks_no_policy(watched_page):
    page = watched_page()
    log_in(page, HEAD, DEMO_PASSWORD)
    visit(page, "/my")
    page.locator('table.tasks td[data-label="มาตรการ"] a').first.click()
    page.wait_for_load_state("load")
    expect(page.locator("#report").get_by_label("ความก้าวหน้า (%)")).to_be_visible()
    expect(page.locator("svg.bar").first).to_be_visible()  # the progress bar drawn without inline style
    assert not page.console_errors, page.console_errors


def test_public_pages_break_no_policy(watched_page):
    page = watched_page()
    for url in PUBLIC_PAGES:
        visit(page, url)


def test_the_fiscal_year_picker_still_submits_itself(watched_page):
    page = watched_page()
    log_in(page, COORDINATOR, DEMO_PASSWORD)
    visit(page, "/dashboard")
    page.get_by_label("ปีงบประมาณ").select_option("2569")
    expect(page).to_have_url(re.compile(r"/dashboard\?fy=2569$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ภาพรวมปีงบประมาณ พ.ศ. 2569")
    assert not page.console_errors, page.console_errors


def test_the_dashboard_bars_show_each_status_by_its_share(watched_page):
    page = watched_page()
    log_in(page, COORDINATOR, DEMO_PASSWORD)
    visit(page, "/dashboard")
    stack = page.locator("svg.stack").first
    width = stack.bounding_box()["width"]
    segments = stack.locator("rect")
    drawn = sum(segments.nth(i).bounding_box()["width"] for i in range(segments.count()))
    assert segments.count() >= 1 and abs(drawn - width) < 1  # laid end to end, filling the bar


class AgencySite:
    """The agency's own website on another loopback port (another origin), whose one page frames a
    tracker address. Chromium lets only a page on a local address frame one (local network access)."""

    def __init__(self, framed_url: str):
        page = f'<!doctype html><iframe src="{framed_url}" width="800" height="600"></iframe>'.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "AgencySite":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def test_only_the_embed_view_shows_inside_another_sites_frame(watched_page, live_server):
    embedded = watched_page()
    with AgencySite(f"{live_server.url}/public/pichai/?embed=1") as site:
        embedded.goto(site.url)
        expect(embedded.frame_locator("iframe").get_by_role("heading", level=1)).to_contain_text("ITA")
    assert not embedded.console_errors, embedded.console_errors

    refused = watched_page()
    with AgencySite(f"{live_server.url}/public/pichai/") as site:
        refused.goto(site.url)
        for _ in range(50):  # Chromium reports the refusal just after the frame's load
            if any("frame-ancestors" in text for text in refused.console_errors):
                break
            refused.wait_for_timeout(100)
    assert any("frame-ancestors" in text for text in refused.console_errors), refused.console_errors
    expect(refused.frame_locator("iframe").get_by_role("heading", level=1)).to_have_count(0)

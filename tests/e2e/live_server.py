"""A live server and a real Chromium for the end-to-end tests and scripts/screenshots.py.

Chromium is Debian's (`make system-deps` installs it); Playwright never downloads a browser here.
"""
import threading
from pathlib import Path

from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MISSING_CHROMIUM = f"{CHROMIUM} is missing: run `make system-deps` to install Debian's chromium"


class LiveServer:
    """Serves the app on a free local port from a daemon thread; every request gets its own thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, _whole_bodies(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def _whole_bodies(app):
    """Each response's body read whole, and its file closed, before werkzeug's development server
    writes it. When Chromium drops a connection (a favicon request cut short by the next page), that
    server can fail before it closes the body, and the open static file's ResourceWarning then fails
    whichever test is running (warnings are errors here)."""
    def application(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return application


def launch_chromium(playwright):
    if not CHROMIUM.exists():
        raise FileNotFoundError(MISSING_CHROMIUM)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def log_in(page, email: str, password: str) -> None:
    """Through the real login form, as a person would. The page's context has the server as base_url."""
    page.goto("/login")
    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_load_state()

"""The demo agency on a live server, and Debian's Chromium driven by Playwright."""
from contextlib import contextmanager

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, make_app, reset_database
from tests.e2e.live_server import CHROMIUM, MISSING_CHROMIUM, LiveServer, launch_chromium
from tracker.extensions import db
from tracker.services.demo import load_demo


@contextmanager
def live_server_on(tmp_path, prepare):
    """A live server over a fresh database that prepare(app) fills first, inside the app's context."""
    # Server threads need a database they can share: an SQLite file, not SQLite in memory.
    database_url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'e2e.db'}"
    # CSRF on, as in production: the browser posts the real forms with their tokens.
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        reset_database()
        prepare(app)
        db.session.remove()
    with LiveServer(app) as server:
        yield server
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(tmp_path):
    with live_server_on(tmp_path, lambda app: load_demo(app.config)) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Opens pages in a fresh browser context (own cookies) of the given viewport; fails the test on any
    JavaScript error. Depends on live_server so that pages close before the server stops."""
    contexts, errors = [], []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="th-TH",
                                      base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(error))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"

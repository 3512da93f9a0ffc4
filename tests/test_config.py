"""Settings read from the environment. TRACKER_TODAY fixes the app's today: the web server, the
scheduler and the demo command all build their app from these settings."""
import importlib
import re
from datetime import date

import pytest

import config
from tests.conftest import TEST_DATABASE_URL, RequestIsolatingClient, fresh_database, login
from tracker import create_app
from tracker.services import demo as demo_service


@pytest.fixture
def environment(monkeypatch):
    """Set environment variables and read the settings again, as a process started with them does.
    Afterwards the settings are read again from the environment as it was."""
    def read_settings(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(config)

    yield read_settings
    monkeypatch.undo()
    importlib.reload(config)


def app_from(settings, tmp_path):
    """The test settings as read from that environment, on the test database."""
    values = {key: getattr(settings.Testing, key) for key in dir(settings.Testing) if key.isupper()}
    values.update(SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL, TRACKER_UPLOAD_DIR=str(tmp_path / "uploads"))
    app = create_app(values)
    app.test_client_class = RequestIsolatingClient
    return app


def test_tracker_today_is_read_from_the_environment(environment):
    settings = environment(TRACKER_TODAY="2025-03-31")
    assert settings.Default.TRACKER_TODAY == settings.Production.TRACKER_TODAY == date(2025, 3, 31)


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_tracker_today_means_the_real_date(environment, value):
    assert environment(TRACKER_TODAY=value).Default.TRACKER_TODAY is None


def test_tracker_today_unset_means_the_real_date(environment, monkeypatch):
    monkeypatch.delenv("TRACKER_TODAY", raising=False)
    assert environment().Default.TRACKER_TODAY is None


@pytest.mark.parametrize("value", ["31/03/2025", "2025-02-30", "31 มี.ค. 2568", "tomorrow"],
                         ids=["day-first", "no-such-day", "thai", "a-word"])
def test_a_tracker_today_that_is_not_a_date_stops_start_up_naming_it(environment, value):
    message = f"TRACKER_TODAY={value!r} is not a date: use an ISO date such as 2025-03-31"
    with pytest.raises(RuntimeError, match=re.escape(message)):
        environment(TRACKER_TODAY=value)


@pytest.mark.parametrize("today, as_of, late", [
    ("2025-03-31", "ข้อมูล ณ 31 มี.ค. 2568", False),  # mid-year: every task is due 30 Sep 2025
    ("2025-10-10", "ข้อมูล ณ 10 ต.ค. 2568", True),  # after the year: the unfinished ones are late
], ids=["mid-year", "after-the-year"])
def test_the_demo_is_shown_as_of_tracker_today(environment, tmp_path, today, as_of, late):
    app = app_from(environment(TRACKER_TODAY=today), tmp_path)
    with fresh_database(app):
        demo_service.load_demo()
        client = app.test_client()
        login(client, "coordinator@pichai.example")
        html = client.get("/dashboard").get_data(as_text=True)
    assert as_of in html
    assert ("ไม่มีงานล่าช้า" not in html) is late
    assert ("กำหนดเสร็จ 30 ก.ย. 2568" in html) is late  # the late tasks' list

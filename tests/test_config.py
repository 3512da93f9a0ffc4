"""Settings read from the environment. TRACKER_TODAY fixes the app's today: the web server, the
scheduler and the demo command all build their app from these settings."""
import importlib
import re
from datetime import date

from flask import current_app
import pytest

import config
from tests.conftest import TEST_DATABASE_URL, RequestIsolatingClient, fresh_database, login
from tracker import create_app
from tracker.extensions import SQLITE_BUSY_TIMEOUT_MS, db
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
        demo_service.load_demo(current_app.config)
        client = app.test_client()
        login(client, "coordinator@pichai.example")
        html = client.get("/dashboard").get_data(as_text=True)
    assert as_of in html
    assert ("ไม่มีงานล่าช้า" not in html) is late
    assert ("กำหนดเสร็จ 30 ก.ย. 2568" in html) is late  # the late tasks' list


# --- production refuses to start without what a server needs ---------------------------------

PRODUCTION = {"TRACKER_ENV": "production", "SECRET_KEY": "a" * 64, "TRACKER_BASE_URL": "https://ita.agency.example"}


def start(environment, monkeypatch, tmp_path, unset=(), **variables):
    """create_app() as wsgi.py calls it, in a process started with these variables."""
    for name in unset:
        monkeypatch.delenv(name, raising=False)
        variables.pop(name, None)
    environment(DATABASE_URL=TEST_DATABASE_URL, TRACKER_UPLOAD_DIR=str(tmp_path / "uploads"), **variables)
    return create_app()


def test_production_starts_with_a_secret_key_and_a_public_address(environment, monkeypatch, tmp_path):
    app = start(environment, monkeypatch, tmp_path, **PRODUCTION)
    assert app.config["TRACKER_ENV"] == "production"
    assert app.config["TRACKER_BASE_URL"] == "https://ita.agency.example"
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("variables, unset", [
    ({}, ("SECRET_KEY",)),
    ({"SECRET_KEY": ""}, ()),
    ({"SECRET_KEY": config.DEVELOPMENT_SECRET_KEY}, ()),
], ids=["unset", "empty", "the-development-value"])
def test_production_refuses_to_start_without_its_own_secret_key(environment, monkeypatch, tmp_path, variables, unset):
    with pytest.raises(RuntimeError, match="^Set SECRET_KEY for TRACKER_ENV=production"):
        start(environment, monkeypatch, tmp_path, unset, **{**PRODUCTION, **variables})


@pytest.mark.parametrize("variables, unset", [
    ({}, ("TRACKER_BASE_URL",)),
    ({"TRACKER_BASE_URL": " "}, ()),
    ({"TRACKER_BASE_URL": "ita.agency.example"}, ()),
    ({"TRACKER_BASE_URL": "https://"}, ()),
    ({"TRACKER_BASE_URL": "ftp://ita.agency.example"}, ()),
], ids=["unset", "blank", "no-scheme", "no-host", "not-http"])
def test_production_refuses_to_start_without_a_public_address(environment, monkeypatch, tmp_path, variables, unset):
    with pytest.raises(RuntimeError, match="^Set TRACKER_BASE_URL for TRACKER_ENV=production .*https://"):
        start(environment, monkeypatch, tmp_path, unset, **{**PRODUCTION, **variables})


def test_an_unset_tracker_env_is_development_and_starts_with_the_development_defaults(environment, monkeypatch,
                                                                                     tmp_path):
    """`make run` and a fresh checkout set none of these."""
    app = start(environment, monkeypatch, tmp_path, unset=("TRACKER_ENV", "SECRET_KEY", "TRACKER_BASE_URL"))
    assert app.config["TRACKER_ENV"] == "development"
    assert app.config["SECRET_KEY"] == config.DEVELOPMENT_SECRET_KEY
    assert app.config["TRACKER_BASE_URL"].startswith("http://127.0.0.1:")


def test_an_unknown_tracker_env_stops_start_up_naming_the_choices(environment, monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match="TRACKER_ENV='staging': use one of development, default, production"):
        start(environment, monkeypatch, tmp_path, TRACKER_ENV="staging")


# --- SQLite: WAL and a busy timeout, so the scheduler and the web workers share the file ------


def test_a_sqlite_file_database_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    app = create_app({**{key: getattr(config.Testing, key) for key in dir(config.Testing) if key.isupper()},
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'tracker.db'}"})
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_a_writer_commits_while_a_page_reads_a_sqlite_file(tmp_path):
    """With WAL the scheduler's write does not wait for a page's open read, and the page keeps
    seeing the data as it was when it began (without WAL the commit would wait, then fail locked)."""
    app = create_app({**{key: getattr(config.Testing, key) for key in dir(config.Testing) if key.isupper()},
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'tracker.db'}"})
    count = "SELECT count(*) FROM organization"
    with app.app_context():
        db.create_all()
        with db.engine.connect() as reader:
            reader.exec_driver_sql("BEGIN")
            assert reader.exec_driver_sql(count).scalar() == 0
            with db.engine.begin() as writer:
                writer.exec_driver_sql("INSERT INTO organization (name, short_name, district, province, created_at) "
                                       "VALUES ('อบต.ทดสอบ', '', '', '', '2025-01-01')")
            assert reader.exec_driver_sql(count).scalar() == 0
            reader.rollback()
            assert reader.exec_driver_sql(count).scalar() == 1
        db.engine.dispose()

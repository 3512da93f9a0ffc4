"""Fixtures: an app per test on a real database (SQLite in memory, or PostgreSQL when
TRACKER_TEST_DATABASE_URL names one), clients logged in as each role, and the demo agency."""
import atexit
import contextvars
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import psycopg
import pytest
from flask import current_app, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import exists, make_url, or_, select, text

from config import Testing
from tracker import create_app
from tracker.extensions import db
from tracker.models import Organization
from tracker.services import demo as demo_service
from tracker.transactions import transaction
from tests import factories, servers

BASE_DATABASE_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "sqlite://")
ON_POSTGRES = BASE_DATABASE_URL.startswith("postgresql")


def private_postgres_database(base_url: str, suffix: str = "") -> str:
    """A database of this test run's own on the given server, so that runs side by side
    (CI, a developer, a second checkout) never empty each other's tables. Dropped at exit."""
    url = make_url(base_url)
    name = f"tracker_test_{os.getpid()}{suffix}"
    with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
        # A test database need not survive a crash of the server: commits stop waiting for the disk.
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    atexit.register(_drop_postgres_database, url, name)
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url, name: str) -> None:
    with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TEST_DATABASE_URL = private_postgres_database(BASE_DATABASE_URL) if ON_POSTGRES else BASE_DATABASE_URL
# Mid-year of fiscal year 2568: the demo's tasks are due 30 Sep 2025, so none is late yet.
TODAY = date(2025, 3, 31)
_schema_ready = False
_sequences: list[str] = []  # on PostgreSQL, those numbering the tables' rows


class RequestIsolatingClient(FlaskClient):
    """Each request runs in a context of its own, as in production: its own app context, `g`,
    login and database session. (Requests would otherwise share the test's app context, and
    Flask-Login would hand the first request's user to every later one.) Afterwards the test's
    session forgets what it had loaded, so it reads what the request wrote."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


def make_app(tmp_path, **overrides):
    config = {
        **{key: getattr(Testing, key) for key in dir(Testing) if key.isupper()},
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "TRACKER_UPLOAD_DIR": str(tmp_path / "uploads"),
        "TRACKER_TODAY": TODAY,
        **overrides,
    }
    app = create_app(config)  # the database URL must be known before the engine is made
    app.test_client_class = RequestIsolatingClient
    return app


def reset_database() -> None:
    """A fresh schema for SQLite in memory; on PostgreSQL, the schema once and empty tables after.
    (DELETE, not TRUNCATE: truncating ~30 tables replaces their files and took ~1 s per test,
    while deleting the few hundred rows a test leaves takes milliseconds.)"""
    global _schema_ready
    if not ON_POSTGRES:
        db.create_all()
        return
    if not _schema_ready:
        db.drop_all()
        db.create_all()
        _sequences[:] = postgres_sequences()
        _schema_ready = True
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    for sequence in _sequences:
        db.session.execute(text("SELECT setval(:sequence, 1, false)"), {"sequence": sequence})
    db.session.commit()


def postgres_sequences() -> list[str]:
    """The sequences that number the tables' rows (what TRUNCATE … RESTART IDENTITY restarts)."""
    tables = [table for table in db.metadata.sorted_tables if table.autoincrement_column is not None]
    return [db.session.scalar(text("SELECT pg_get_serial_sequence(:table, :column)"),
                              {"table": f'"{table.name}"', "column": table.autoincrement_column.name})
            for table in tables]


@contextmanager
def fresh_database(app):
    """The app's context on an empty database; the engine is closed afterwards."""
    with app.app_context():
        reset_database()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    with fresh_database(make_app(tmp_path)) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class DemoCopy:
    """The demo's rows as load_demo() left them, table by table, and where each sequence stood."""
    organization_id: int
    rows: dict[str, list[dict]]
    sequences: dict[str, tuple[int, bool]]

    @classmethod
    def read(cls, organization: Organization) -> "DemoCopy":
        rows = {table.name: [dict(row._mapping) for row in db.session.execute(table.select())]
                for table in db.metadata.sorted_tables}
        sequences = {name: tuple(db.session.execute(text(f"SELECT last_value, is_called FROM {name}")).one())
                     for name in _sequences}
        copy = cls(organization.id, rows, sequences)
        db.session.commit()  # no transaction left open, as load_demo leaves none
        return copy

    def write(self) -> Organization:
        """The rows into this test's empty database; the organization as load_demo returns it."""
        for table in db.metadata.sorted_tables:
            if self.rows[table.name]:
                db.session.execute(table.insert(), self.rows[table.name])
        for name, (value, called) in self.sequences.items():
            db.session.execute(text("SELECT setval(:name, :value, :called)"),
                               {"name": name, "value": value, "called": called})
        organization = db.session.get(Organization, self.organization_id)
        db.session.commit()
        return organization


# The demo as loaded once per kind of database and settings: the same rows (ids and all) as another
# load_demo() would give, written in milliseconds instead of replaying ~40 commits of services.
# Only the load's own moments (created_at, sent_at) and the password hashes' salts differ, as between
# any two loads. A copy fills only an untouched database; otherwise the demo is loaded as usual.
_demo_copies: dict[tuple, DemoCopy] = {}
# Where the database is, where uploads go, and the servers messages go to (load_demo turns mail
# and LINE off for its replayed reminders) do not change a row of the demo.
SETTINGS_THAT_DO_NOT_SHAPE_THE_DEMO = {
    "SQLALCHEMY_DATABASE_URI", "TRACKER_UPLOAD_DIR", "MAIL_SERVER", "MAIL_PORT", "MAIL_SUPPRESS_SEND",
    "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_BASE",
}


def demo_copy_key(app) -> tuple:
    settings = sorted((key, repr(value)) for key, value in app.config.items()
                      if key not in SETTINGS_THAT_DO_NOT_SHAPE_THE_DEMO)
    return db.engine.dialect.name, tuple(settings)


def untouched_database() -> bool:
    """No row in any table, and (PostgreSQL) no number drawn from any sequence."""
    if db.session.scalar(select(or_(*(exists().select_from(table) for table in db.metadata.sorted_tables)))):
        return False
    drawn = " UNION ALL ".join(f"SELECT is_called FROM {name}" for name in _sequences)
    return not (drawn and db.session.scalar(text(f"SELECT bool_or(is_called) FROM ({drawn}) AS drawn")))


@pytest.fixture
def demo(app):
    if not untouched_database():
        with transaction():
            return demo_service.load_demo(current_app.config)[0]
    key = demo_copy_key(app)
    if key in _demo_copies:
        return _demo_copies[key].write()
    with transaction():
        organization, _ = demo_service.load_demo(current_app.config)
    _demo_copies[key] = DemoCopy.read(organization)
    return organization


def login(client, email: str, password: str = demo_service.DEMO_PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, "login failed for " + email
    return client


@pytest.fixture
def published_demo(app):
    """The demo as `flask tracker demo` loads it: its FY 2568 measures document approved and its
    6-month report acknowledged, both published."""
    with transaction():
        organization, _ = demo_service.load_demo(current_app.config, publish=True)
    return organization


@pytest.fixture
def coordinator_client(app, demo):
    return login(app.test_client(), "coordinator@pichai.example")


@pytest.fixture
def executive_client(app, demo):
    return login(app.test_client(), "executive@pichai.example")


@pytest.fixture
def finance_client(app, demo):
    """The head of กองคลัง."""
    return login(app.test_client(), "finance@pichai.example")


@pytest.fixture
def palad_client(app, demo):
    """The head of สำนักปลัด."""
    return login(app.test_client(), "palad@pichai.example")


@pytest.fixture
def other_agency(app):
    """A second agency with its own plan, to prove that nothing leaks across organizations."""
    return factories.agency("เทศบาลตำบลทดสอบ", divisions=("สำนักปลัด", "กองคลัง"))


@pytest.fixture
def smtp():
    """A real SMTP server on loopback (tests/servers.py)."""
    with servers.SmtpServer() as server:
        yield server


@pytest.fixture
def line_api():
    """A local server playing the LINE Messaging API's push endpoint."""
    with servers.LineApiServer() as server:
        yield server


@pytest.fixture
def webhook():
    with servers.WebhookServer() as server:
        yield server

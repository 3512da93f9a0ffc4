"""Fixtures: an app per test on a real database (SQLite in memory, or PostgreSQL when
TRACKER_TEST_DATABASE_URL names one), clients logged in as each role, and the demo agency."""
import atexit
import contextvars
import os
from contextlib import contextmanager
from datetime import date

import psycopg
import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import make_url, text

from config import Testing
from tracker import create_app
from tracker.extensions import db
from tracker.services import demo as demo_service
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
    """A fresh schema for SQLite in memory; on PostgreSQL, the schema once and empty tables after."""
    global _schema_ready
    if not ON_POSTGRES:
        db.create_all()
        return
    if not _schema_ready:
        db.drop_all()
        db.create_all()
        _schema_ready = True
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


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


@pytest.fixture
def demo(app):
    organization, _ = demo_service.load_demo()
    return organization


def login(client, email: str, password: str = demo_service.DEMO_PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, "login failed for " + email
    return client


@pytest.fixture
def published_demo(app):
    """The demo as `flask tracker demo` loads it: its FY 2568 measures document approved and its
    6-month report acknowledged, both published."""
    organization, _ = demo_service.load_demo(publish=True)
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

"""Fixtures: an app per test on a real database (SQLite in memory, or PostgreSQL when
TRACKER_TEST_DATABASE_URL names one), clients logged in as each role, and the demo agency."""
import os
from datetime import date

import pytest
from sqlalchemy import text

from config import Testing
from tracker import create_app
from tracker.extensions import db
from tracker.services import demo as demo_service
from tests import factories

TEST_DATABASE_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "sqlite://")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
# Mid-year of fiscal year 2568: the demo's tasks are due 30 Sep 2025, so none is late yet.
TODAY = date(2025, 3, 31)
_schema_ready = False


def make_app(tmp_path, **overrides):
    config = {
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "TRACKER_UPLOAD_DIR": str(tmp_path / "uploads"),
        "TRACKER_TODAY": TODAY,
        **overrides,
    }
    app = create_app(Testing)
    app.config.update(config)
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


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        reset_database()
        yield app
        db.session.remove()
        db.engine.dispose()


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

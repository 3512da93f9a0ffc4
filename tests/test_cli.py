"""Operator commands: flask --app wsgi tracker demo | user add."""
from flask import current_app
import pytest
from sqlalchemy import func, select

from tracker import create_app

from tracker.extensions import db
from tracker.models import DocumentVersion, Organization, Task, Topic, User
from tracker.services import demo, users


def run(app, *args):
    return app.test_cli_runner().invoke(args=["tracker", *args])


def test_demo_loads_the_seed_agency_prints_a_login_per_role_and_a_second_run_changes_nothing(app):
    result = run(app, "demo")
    assert result.exit_code == 0, result.output
    assert "องค์การบริหารส่วนตำบลพิชัย" in result.output
    for role in ("coordinator", "executive", "head"):
        assert role in result.output
    assert "pichai2568" in result.output
    assert db.session.scalar(select(func.count(Topic.id))) == 5
    # ทุกกอง: topics 1 (1 measure) and 2 (2 measures) × 4 divisions, plus one task each for topics 3, 4, 7.
    assert db.session.scalar(select(func.count(Task.id))) == 15
    assert db.session.scalar(select(func.count(DocumentVersion.id)).where(DocumentVersion.published_at.is_not(None))) == 2
    counts = [db.session.scalar(select(func.count(model.id))) for model in (Organization, User, Task, DocumentVersion)]
    again = run(app, "demo")
    assert again.exit_code == 0 and "already loaded" in again.output
    assert [db.session.scalar(select(func.count(model.id)))
            for model in (Organization, User, Task, DocumentVersion)] == counts


def test_user_add_creates_the_first_coordinator_of_a_new_agency(app, client):
    result = run(app, "user", "add", "admin@agency.example", "--role", "coordinator", "--password", "s3cret-pass",
                 "--organization", "เทศบาลตำบลใหม่")
    assert result.exit_code == 0, result.output
    user = users.find_user_by_email("admin@agency.example")
    assert user.is_coordinator and user.organization.name == "เทศบาลตำบลใหม่"
    response = client.post("/login", data={"email": "admin@agency.example", "password": "s3cret-pass"})
    assert response.status_code == 302


def test_user_add_head_needs_an_existing_division(app):
    demo.load_demo(current_app.config)
    result = run(app, "user", "add", "x@pichai.example", "--role", "head", "--password", "long-enough-2568",
                 "--division", "กองที่ไม่มี")
    assert result.exit_code != 0
    assert "ไม่พบกอง “กองที่ไม่มี”" in result.output
    assert users.find_user_by_email("x@pichai.example") is None


def test_user_add_head_joins_the_division(app):
    demo.load_demo(current_app.config)
    result = run(app, "user", "add", "deputy@pichai.example", "--role", "head", "--password", "long-enough-2568",
                 "--division", "กองช่าง")
    assert result.exit_code == 0, result.output
    assert users.find_user_by_email("deputy@pichai.example").division.name == "กองช่าง"


def test_user_add_refuses_a_short_password_and_a_duplicate_email(app):
    demo.load_demo(current_app.config)
    short = run(app, "user", "add", "new@pichai.example", "--role", "executive", "--password", "short")
    duplicate = run(app, "user", "add", "executive@pichai.example", "--role", "executive", "--password", "long-enough-2568")
    assert short.exit_code != 0 and "อย่างน้อย 8 ตัวอักษร" in short.output
    assert duplicate.exit_code != 0 and "ใช้อีเมลนี้ไม่ได้" in duplicate.output


def test_user_add_without_an_agency_asks_for_one(app):
    result = run(app, "user", "add", "a@b.example", "--role", "coordinator", "--password", "long-enough-2568")
    assert result.exit_code != 0 and "--organization" in result.output


def test_app_refuses_to_start_without_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": ""})


def test_user_password_sets_a_new_password_for_a_locked_out_coordinator(app, client):
    demo.load_demo(current_app.config)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["tracker", "user", "password", "coordinator@pichai.example"],
                                          input="ต้นไม้-ฝนตก-2569\nต้นไม้-ฝนตก-2569\n")
    assert result.exit_code == 0, result.output
    assert "New password set for coordinator@pichai.example" in result.output
    assert client.post("/login", data={"email": "coordinator@pichai.example",
                                       "password": "ต้นไม้-ฝนตก-2569"}).status_code == 302


def test_user_password_refuses_a_weak_password_and_an_unknown_email(app):
    demo.load_demo(current_app.config)
    weak = run(app, "user", "password", "coordinator@pichai.example", "--password", "12345678")
    assert weak.exit_code != 0 and "รหัสผ่าน" in weak.output
    unknown = run(app, "user", "password", "nobody@pichai.example", "--password", "ต้นไม้-ฝนตก-2569")
    assert unknown.exit_code != 0 and "No account has the email nobody@pichai.example" in unknown.output


def test_the_login_page_says_who_resets_a_forgotten_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert "ลืมรหัสผ่าน?" in page and "ผู้ประสานงาน ITA ของหน่วยงานคุณ" in page
    assert "tracker user password" in page

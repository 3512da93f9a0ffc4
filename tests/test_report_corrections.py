"""A head corrects or withdraws their newest progress report for a while after saving it: the task
follows, the history and the audit trail keep both, and nothing else reads a withdrawn report."""
import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from tests.conftest import fresh_database, login, make_app
from tests.test_task_pages import finance_task_id, page, post_update
from tracker import clock, thai
from tracker.extensions import db
from tracker.models import Evidence, ProgressUpdate, Task
from tracker.services import dashboard, search, task_export
from tracker.services import demo as demo_service
from tracker.services.reports import data as report_data
from tracker.services.tasks import TaskFilter
from tracker.services.users import find_user_by_email
from tracker.transactions import transaction


def newest_report(task_id: int) -> ProgressUpdate:
    db.session.expire_all()
    return db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.task_id == task_id)
                              .order_by(ProgressUpdate.id.desc())).first()


def report_now(client, task_id: int, **fields) -> ProgressUpdate:
    task = db.session.get(Task, task_id)
    response = post_update(client, task_id, task.version, **fields)
    assert response.status_code == 302, page(response)
    return newest_report(task_id)


def correct(client, update: ProgressUpdate, **fields):
    task = db.session.get(Task, update.task_id)
    data = {"status": update.status, "percent": str(update.percent), "done_text": update.done_text,
            "problems": update.problems, "version": str(task.version), **fields}
    return client.post(f"/reports/{update.id}/edit", data=data)


def withdraw(client, update: ProgressUpdate, version: int | None = None):
    version = db.session.get(Task, update.task_id).version if version is None else version
    return client.post(f"/reports/{update.id}/withdraw", data={"version": str(version)})


def test_a_saved_report_offers_its_author_a_correction_with_its_deadline(finance_client):
    task_id = finance_task_id()
    response = post_update(finance_client, task_id, db.session.get(Task, task_id).version, percent="80",
                           done_text="ประชุมชี้แจงแล้ว")
    html = page(finance_client.get(response.location))
    update = newest_report(task_id)

    assert "แก้ไขหรือถอนรายงานนี้ได้ภายใน 60 นาที" in html
    assert f'href="/reports/{update.id}/edit"' in html and "ถอนรายงาน" in html
    assert f"แก้ไขหรือถอนได้ถึง {thai.format_datetime(update.created_at + timedelta(minutes=60))}" in html
    form = page(finance_client.get(f"/reports/{update.id}/edit"))
    assert "ประชุมชี้แจงแล้ว</textarea>" in form and 'value="80"' in form


def test_a_correction_changes_the_report_and_the_task_and_keeps_the_first_version(finance_client):
    task_id = finance_task_id()
    update = report_now(finance_client, task_id, percent="80", done_text="ประชุมชี้แจงแล้ว")

    response = correct(finance_client, update, percent="60", done_text="ประชุมชี้แจงแล้ว 2 ครั้ง")
    assert response.status_code == 302 and response.location.endswith(f"#update-{update.id}")

    corrected = newest_report(task_id)
    task = db.session.get(Task, task_id)
    assert (corrected.id, corrected.percent, corrected.done_text) == (update.id, 60, "ประชุมชี้แจงแล้ว 2 ครั้ง")
    assert corrected.original["percent"] == 80 and corrected.original["done_text"] == "ประชุมชี้แจงแล้ว"
    assert corrected.edited_at is not None and task.percent == 60
    html = page(finance_client.get(f"/tasks/{task_id}"))
    assert "แก้ไขรายงานแล้ว" in html and "ฉบับที่บันทึกครั้งแรก" in html
    first = html[html.index("ฉบับที่บันทึกครั้งแรก"):html.index("</details>")]
    assert "80%" in first and "ประชุมชี้แจงแล้ว</p>" in first
    assert re.search(r"แก้ไขรายงานความก้าวหน้าที่บันทึกเมื่อ \d+ \S+ \d{4} \d\d:\d\d น\.: "
                     r"ความก้าวหน้า \(%\) จาก 80 เป็น 60; ผลการดำเนินงาน จาก", html)


def test_a_second_correction_keeps_the_report_as_first_saved(finance_client):
    update = report_now(finance_client, finance_task_id(), percent="80", done_text="ฉบับแรก")
    correct(finance_client, update, done_text="ฉบับสอง")
    correct(finance_client, newest_report(update.task_id), done_text="ฉบับสาม")

    corrected = newest_report(update.task_id)
    assert corrected.done_text == "ฉบับสาม" and corrected.original["done_text"] == "ฉบับแรก"


def test_a_correction_that_changes_nothing_says_so_and_records_nothing(finance_client):
    update = report_now(finance_client, finance_task_id(), percent="80", done_text="ไม่เปลี่ยน")
    response = correct(finance_client, update)

    assert "ไม่มีอะไรเปลี่ยน" in page(finance_client.get(response.location))
    assert newest_report(update.task_id).edited_at is None


def test_done_below_100_in_a_correction_asks_first(finance_client):
    update = report_now(finance_client, finance_task_id(), percent="80")
    response = correct(finance_client, update, status="done", percent="80")

    assert response.status_code == 422 and "งานเสร็จสิ้นแล้วจริง" in page(response)
    assert newest_report(update.task_id).status == "in_progress"


def test_withdrawing_returns_the_task_to_the_report_before_and_keeps_the_report_struck(finance_client):
    task_id = finance_task_id()
    before = db.session.get(Task, task_id)
    status, percent = before.status, before.percent
    update = report_now(finance_client, task_id, status="done", percent="100", done_text="รายงานผิดงาน",
                        links="https://www.pichai.go.th/wrong", links_public="y")

    response = withdraw(finance_client, update)
    assert response.status_code == 302

    task = db.session.get(Task, task_id)
    withdrawn = newest_report(task_id)
    assert (task.status, task.percent) == (status, percent)
    assert withdrawn.withdrawn_at is not None and not withdrawn.is_live
    assert not db.session.scalar(select(Evidence.public).where(Evidence.update_id == withdrawn.id))
    html = page(finance_client.get(f"/tasks/{task_id}"))
    assert "ถอนรายงานแล้ว" in html and "ถอนแล้วเมื่อ" in html and "รายงานผิดงาน" in html
    assert 'class="update withdrawn"' in html
    assert "ถอนรายงานความก้าวหน้าที่บันทึกเมื่อ" in html and "(เสร็จสิ้น 100%)" in html


def test_withdrawing_the_only_report_returns_the_task_to_not_started(app, demo):
    with transaction():
        task = db.session.scalars(select(Task).where(~Task.updates.any(), Task.division.has(name="กองคลัง"))).first()
        task_id = task.id
    client = login(app.test_client(), "finance@pichai.example")
    update = report_now(client, task_id, percent="30")
    withdraw(client, update)

    task = db.session.get(Task, task_id)
    assert (task.status, task.percent) == ("not_started", 0)


def test_a_withdrawn_report_is_read_by_nothing_else(app, finance_client):
    task_id = finance_task_id()
    update = report_now(finance_client, task_id, done_text="คำเฉพาะที่ถอนแล้ว", percent="90",
                        links="https://www.pichai.go.th/withdrawn", links_public="y")
    withdraw(finance_client, update)

    coordinator = find_user_by_email("coordinator@pichai.example")
    fiscal_year = db.session.get(Task, task_id).measure.topic.fiscal_year
    today = clock.today()
    assert search.search(coordinator, "คำเฉพาะที่ถอนแล้ว").total == 0
    assert all(r.done_text != "คำเฉพาะที่ถอนแล้ว"
               for r in dashboard.overview(coordinator, fiscal_year, TaskFilter(), today).recent)
    exported = task_export.write_csv(task_export.rows(coordinator, fiscal_year, TaskFilter(), today))
    assert "คำเฉพาะที่ถอนแล้ว".encode() not in exported
    reported = report_data.results_report(fiscal_year, today)
    assert "คำเฉพาะที่ถอนแล้ว" not in repr(reported) and "https://www.pichai.go.th/withdrawn" not in repr(reported)


def test_after_the_window_the_report_cannot_be_changed(finance_client):
    update = report_now(finance_client, finance_task_id(), percent="80", done_text="เก่าแล้ว")
    with transaction():
        db.session.get(ProgressUpdate, update.id).created_at -= timedelta(minutes=61)

    html = page(finance_client.get(f"/tasks/{update.task_id}"))
    assert f"/reports/{update.id}/edit" not in html
    response = correct(finance_client, update, done_text="แก้ไม่ได้")
    assert "แก้ไขหรือถอนรายงานได้ภายใน 60 นาทีหลังบันทึกเท่านั้น" in page(finance_client.get(response.location))
    assert newest_report(update.task_id).done_text == "เก่าแล้ว"
    withdraw(finance_client, update)
    assert newest_report(update.task_id).is_live
    opened = finance_client.get(f"/reports/{update.id}/edit")
    assert opened.status_code == 302 and "ภายใน 60 นาที" in page(finance_client.get(opened.location))


def test_only_the_author_may_change_a_report(finance_client, coordinator_client):
    update = report_now(finance_client, finance_task_id(), percent="80", done_text="ของหัวหน้ากอง")

    response = correct(coordinator_client, update, done_text="ผู้ประสานงานแก้")
    assert "แก้ไขหรือถอนได้เฉพาะรายงานที่คุณบันทึกเอง" in page(coordinator_client.get(response.location))
    withdraw(coordinator_client, update)
    assert newest_report(update.task_id).done_text == "ของหัวหน้ากอง" and newest_report(update.task_id).is_live
    assert f"/reports/{update.id}/edit" not in page(coordinator_client.get(f"/tasks/{update.task_id}"))


def test_another_divisions_head_cannot_even_open_the_report(finance_client, palad_client):
    update = report_now(finance_client, finance_task_id(), percent="80")

    assert palad_client.get(f"/reports/{update.id}/edit").status_code == 403
    assert palad_client.post(f"/reports/{update.id}/withdraw", data={"version": "1"}).status_code == 403
    assert newest_report(update.task_id).is_live


def test_a_newer_report_by_someone_else_closes_the_older_one(finance_client, coordinator_client):
    update = report_now(finance_client, finance_task_id(), percent="80", done_text="ของหัวหน้ากอง")
    report_now(coordinator_client, update.task_id, percent="85", done_text="ของผู้ประสานงาน")

    response = withdraw(finance_client, update)
    assert "มีรายงานที่ใหม่กว่ารายงานนี้แล้ว" in page(finance_client.get(response.location))
    assert db.session.get(ProgressUpdate, update.id).is_live and db.session.get(Task, update.task_id).percent == 85


def test_a_withdrawal_from_a_page_opened_before_a_correction_is_refused(finance_client):
    update = report_now(finance_client, finance_task_id(), percent="80")
    opened_version = db.session.get(Task, update.task_id).version
    correct(finance_client, update, percent="70")

    response = withdraw(finance_client, update, version=opened_version)
    assert "รายงานยังไม่ถูกถอน" in page(finance_client.get(response.location))
    assert newest_report(update.task_id).is_live and db.session.get(Task, update.task_id).percent == 70


def test_a_correction_from_an_old_form_keeps_what_was_typed(finance_client):
    update = report_now(finance_client, finance_task_id(), percent="80")
    opened_version = db.session.get(Task, update.task_id).version
    correct(finance_client, update, percent="70")

    response = correct(finance_client, newest_report(update.task_id), percent="75", done_text="พิมพ์ไว้ในแท็บเก่า",
                       version=str(opened_version))
    assert response.status_code == 409
    html = page(response)
    assert "มีผู้อื่นบันทึกงานนี้ไปแล้วระหว่างที่คุณแก้ไข" in html and "พิมพ์ไว้ในแท็บเก่า</textarea>" in html
    assert db.session.get(Task, update.task_id).percent == 70


def test_a_deployment_can_turn_corrections_off(tmp_path):
    with fresh_database(make_app(tmp_path, TRACKER_REPORT_EDIT_MINUTES=0)) as app:
        with transaction():
            demo_service.load_demo(current_app.config)
        client = login(app.test_client(), "finance@pichai.example")
        task_id = finance_task_id()
        response = post_update(client, task_id, db.session.get(Task, task_id).version, percent="80")
        html = page(client.get(response.location))
        assert "บันทึกความก้าวหน้าแล้ว" in html and "แก้ไขหรือถอนรายงานนี้ได้" not in html
        update = newest_report(task_id)
        assert f"/reports/{update.id}/edit" not in html
        response = correct(client, update, done_text="แก้")
        assert "ไม่เปิดให้แก้ไขหรือถอนรายงาน" in page(client.get(response.location))


@pytest.mark.parametrize("path", ["/reports/999999/edit", "/reports/abc/edit"])
def test_an_unknown_report_is_not_found(finance_client, path):
    assert finance_client.get(path).status_code == 404



def test_a_report_is_checked_with_its_task_once(finance_client):
    from tests.statements import counted_statements
    from tracker.services import corrections
    update = report_now(finance_client, finance_task_id(), percent="40")
    db.session.expire_all()
    head = find_user_by_email("finance@pichai.example")
    with counted_statements() as statements:
        report = corrections.get_report(head, update.id)
        task = corrections.ensure_changeable(report, head, timedelta(minutes=60), clock.now())
    assert task.id == update.task_id
    assert len(statements) == 3  # the report, its task (with what its page shows), its newest live report

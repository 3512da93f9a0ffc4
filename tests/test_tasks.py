"""Tasks: visibility, lateness, progress updates, edit conflicts."""
import io
from datetime import date

from flask import current_app
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, Task
from tracker.services import evidence, plan, tasks
from tracker.services.errors import EditConflict, Forbidden, NotFound, ServiceError
from tracker.transactions import transaction

TODAY = date(2025, 3, 31)


@pytest.fixture
def agency(app):
    return factories.agency("อบต.ทดสอบ")


@pytest.fixture
def finance_head(agency):
    return factories.head(agency.organization, "กองคลัง")


def all_tasks(user, fiscal_year, today=TODAY, **filters):
    return tasks.task_page(user, fiscal_year, tasks.TaskFilter(**filters), today, 1, per_page=10_000).items


def test_head_sees_only_their_division_tasks(agency, finance_head):
    listed = all_tasks(finance_head, agency.fiscal_year)
    assert [t.division.name for t in listed] == ["กองคลัง"]


def test_coordinator_sees_every_division_task(agency):
    assert len(all_tasks(agency.coordinator, agency.fiscal_year)) == 3


def test_no_task_of_another_organization_is_listed(agency, other_agency):
    listed = all_tasks(agency.coordinator, agency.fiscal_year)
    assert all(t.organization_id == agency.organization.id for t in listed)


def test_archived_tasks_are_not_listed(agency):
    plan.update_measure(agency.measure, factories.measure_input(
        agency.fiscal_year, division_ids=[agency.divisions["กองคลัง"].id]), None)
    assert [t.division.name for t in all_tasks(agency.coordinator, agency.fiscal_year)] == ["กองคลัง"]


def test_task_past_due_and_not_done_is_late(agency):
    task = agency.task("กองคลัง")
    assert not task.is_late(date(2025, 9, 30))
    assert task.is_late(date(2025, 10, 1))
    assert task.status_label(date(2025, 10, 1)) == "ล่าช้า"


def test_done_or_cancelled_task_is_never_late(agency):
    task = agency.task("กองคลัง")
    for status in ("done", "cancelled"):
        task.status = status
        assert not task.is_late(date(2026, 1, 1))


def test_late_tasks_are_listed_first(agency):
    late_measure = plan.create_measure(agency.topic, factories.measure_input(
        agency.fiscal_year, title="งานที่เลยกำหนด", end_date=date(2025, 1, 31),
        division_ids=[agency.divisions["กองช่าง"].id]), None)
    listed = all_tasks(agency.coordinator, agency.fiscal_year)
    assert listed[0].measure_id == late_measure.id
    assert listed[0].is_late(TODAY)


def test_filter_late_lists_only_late_tasks(agency):
    plan.create_measure(agency.topic, factories.measure_input(
        agency.fiscal_year, end_date=date(2025, 1, 31), division_ids=[agency.divisions["กองช่าง"].id]), None)
    late = all_tasks(agency.coordinator, agency.fiscal_year, status=tasks.LATE)
    assert len(late) == 1 and late[0].is_late(TODAY)


def test_filter_in_progress_leaves_out_late_ones(agency, finance_head):
    task = agency.task("กองคลัง")
    tasks.record_progress(task, finance_head, tasks.ProgressInput("in_progress", 20), task.version)
    assert all_tasks(agency.coordinator, agency.fiscal_year, status="in_progress") == [task]
    assert all_tasks(agency.coordinator, agency.fiscal_year, date(2025, 10, 1), status="in_progress") == []


def test_get_task_of_another_division_is_forbidden_for_a_head(agency, finance_head):
    with pytest.raises(Forbidden):
        tasks.get_task(finance_head, agency.task("กองช่าง").id)


def test_get_task_of_another_organization_is_not_found(agency, other_agency):
    with pytest.raises(NotFound):
        tasks.get_task(agency.coordinator, other_agency.task("กองคลัง").id)


def test_record_progress_updates_the_task_and_keeps_history(agency, finance_head):
    task = agency.task("กองคลัง")
    tasks.record_progress(task, finance_head, tasks.ProgressInput(
        "in_progress", 40, "จัดทำร่างแล้ว", "รอผู้บริหารอนุมัติ", ["https://example.org/a"]), task.version)
    tasks.record_progress(task, finance_head, tasks.ProgressInput("done", 90, "เสร็จ"), task.version)
    history = tasks.task_history(task)
    assert [(u.status, u.percent) for u in history] == [("done", 100), ("in_progress", 40)]
    assert history[1].problems == "รอผู้บริหารอนุมัติ"
    assert [e.url for e in history[1].evidence] == ["https://example.org/a"]
    assert (task.status, task.percent) == ("done", 100)


def test_progress_above_zero_means_the_task_has_started(agency, finance_head):
    task = agency.task("กองคลัง")
    tasks.record_progress(task, finance_head, tasks.ProgressInput("not_started", 10), task.version)
    assert task.status == "in_progress"


def test_progress_writes_an_audit_event_with_before_and_after(agency, finance_head):
    task = agency.task("กองคลัง")
    tasks.record_progress(task, finance_head, tasks.ProgressInput("in_progress", 40, "ทำแล้ว"), task.version)
    event = tasks.audit_trail(task, 1).items[0]
    assert (event.action, event.actor_id) == ("task.progress", finance_head.id)
    assert event.before == {"status": "not_started", "percent": 0}
    assert event.after["status"] == "in_progress" and event.after["done_text"] == "ทำแล้ว"


def test_executive_cannot_record_progress(agency):
    from tracker.services import users
    executive = users.create_user(agency.organization, "exec@test.example", "executive", factories.PASSWORD, config=current_app.config)
    task = agency.task("กองคลัง")
    with pytest.raises(Forbidden):
        tasks.record_progress(task, executive, tasks.ProgressInput("in_progress", 10), task.version)


def test_saving_from_a_stale_form_is_a_conflict_and_changes_nothing(agency, finance_head):
    task = agency.task("กองคลัง")
    opened_at = task.version
    with transaction():
        tasks.record_progress(task, agency.coordinator, tasks.ProgressInput("in_progress", 50, "ก่อน"), opened_at)
    with pytest.raises(EditConflict), transaction():
        tasks.record_progress(task, finance_head, tasks.ProgressInput("done", 100, "หลัง"), opened_at)
    assert [u.done_text for u in tasks.task_history(task)] == ["ก่อน"]


def test_two_sessions_saving_at_the_same_moment_cannot_both_win(app, agency):
    """Both read the same version; the database refuses the second write instead of losing the first."""
    task = agency.task("กองคลัง")
    task_id, version = task.id, task.version
    db.session.commit()
    with Session(db.engine) as first, Session(db.engine) as second:
        task_a, task_b = first.get(Task, task_id), second.get(Task, task_id)
        task_a.percent, task_b.percent = 10, 20
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
    db.session.expire_all()
    saved = db.session.get(Task, task_id)
    assert (saved.percent, saved.version) == (10, version + 1)


def make_upload(name: str, content: bytes, mimetype: str = "application/pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name, content_type=mimetype)


def test_uploaded_evidence_is_stored_outside_static_under_a_random_name(app, agency, finance_head):
    task = agency.task("กองคลัง")
    [saved] = evidence.save_uploads(task, finance_head, [make_upload("รายงาน.pdf", b"%PDF-1.4 test")],
                                    app.config["TRACKER_UPLOAD_DIR"], ("pdf",), 1024)
    path = evidence.file_path(saved, app.config["TRACKER_UPLOAD_DIR"])
    assert path.read_bytes() == b"%PDF-1.4 test"
    assert "static" not in path.parts and saved.stored_name != "รายงาน.pdf"
    assert saved.filename == "รายงาน.pdf"


@pytest.mark.parametrize("upload, message", [
    (("virus.exe", b"MZ"), "ชนิดที่ไม่รับ"),
    (("big.pdf", b"%PDF" + b"x" * 2000), "ใหญ่เกิน"),
    (("fake.pdf", b"not a pdf"), "ไม่ตรงกับนามสกุล"),
    (("empty.pdf", b""), "ว่างเปล่า"),
])
def test_bad_uploads_are_refused_and_none_is_stored(app, agency, finance_head, upload, message):
    task = agency.task("กองคลัง")
    good = make_upload("ok.pdf", b"%PDF-1.4")
    with pytest.raises(ServiceError, match=message):
        evidence.save_uploads(task, finance_head, [good, make_upload(*upload)], app.config["TRACKER_UPLOAD_DIR"],
                              ("pdf",), 1024)
    assert db.session.scalars(select(Evidence)).all() == []


def test_files_kept_after_a_conflict_attach_to_the_next_save(app, agency, finance_head):
    task = agency.task("กองคลัง")
    [saved] = evidence.save_uploads(task, finance_head, [make_upload("a.pdf", b"%PDF-1")],
                                    app.config["TRACKER_UPLOAD_DIR"], ("pdf",), 1024)
    assert tasks.pending_evidence(task, finance_head) == [saved]
    update = tasks.record_progress(task, finance_head, tasks.ProgressInput("in_progress", 5), task.version, [saved])
    assert saved.update_id == update.id
    assert tasks.pending_evidence(task, finance_head) == []


def test_audit_trail_lists_only_this_tasks_events(agency, finance_head):
    task = agency.task("กองคลัง")
    tasks.record_progress(task, finance_head, tasks.ProgressInput("in_progress", 5), task.version)
    trail = tasks.audit_trail(task, 1).items
    assert {e.task_id for e in trail} == {task.id}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.task_id != task.id)) is not None


def test_a_task_whose_measure_has_no_steps_opens_with_none(agency, finance_head):
    """The forms ask for a step; a row written otherwise (by hand, by an old import) still opens."""
    from tracker.models import MeasureStep
    task_id, measure_id, head_id = agency.task("กองคลัง").id, agency.measure.id, finance_head.id
    with transaction():
        db.session.execute(delete(MeasureStep).where(MeasureStep.measure_id == measure_id))
    db.session.expunge_all()
    shown = tasks.get_task(db.session.get(type(finance_head), head_id), task_id)
    assert shown.id == task_id and shown.measure.steps == [] and shown.division.name == "กองคลัง"


def test_the_task_page_reads_its_related_rows_once_and_keeps_a_change_in_hand(agency, finance_head):
    from tests.statements import counted_statements
    from tracker.models import Division, MeasureStep
    from tracker.models.base import attach
    task_id, head_id = agency.task("กองคลัง").id, finance_head.id
    db.session.commit()
    db.session.expunge_all()
    user = db.session.get(type(finance_head), head_id)
    with counted_statements() as statements:
        task = tasks.get_task(user, task_id)
        shown = (task.division.name, task.measure.topic.fiscal_year.year, [step.text for step in task.measure.steps])
    steps = db.session.scalars(select(MeasureStep.text).where(MeasureStep.measure_id == task.measure_id)
                               .order_by(MeasureStep.position)).all()
    assert len(statements) == 1 and shown[0] == "กองคลัง" and len(steps) > 1 and shown[2] == steps
    other = db.session.scalar(select(Division).where(Division.id != task.division_id))
    task.division = other
    attach(task, division=db.session.get(Division, task.division_id))
    assert task.division is other  # not yet flushed: attaching does not undo it


def test_a_new_report_is_written_without_reading_anything_back(agency, finance_head):
    """The report's evidence is what the report adds: after the flush nothing of it is read again."""
    from tests.statements import counted_statements
    task = agency.task("กองคลัง")
    db.session.commit()
    version, _ = task.version, finance_head.division_id  # read again after the commit, before counting
    with counted_statements() as sent:
        with transaction():
            tasks.record_progress(task, finance_head, tasks.ProgressInput("in_progress", 40), version)
    assert [statement.split()[0] for statement in sent] == ["UPDATE", "INSERT", "INSERT"]  # task, update, audit
    assert db.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "task.progress"))["evidence"] == 0

"""The plan: topics, measures, steps, divisions, and the tasks they fan out to."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEvent, Division, Measure, ProgressUpdate, Task, Topic
from tracker.services import plan, tasks, wording
from tracker.services.errors import ServiceError

TODAY = date(2025, 3, 31)


@pytest.fixture
def agency(app):
    return factories.agency("อบต.ทดสอบ")


def active_division_names(measure: Measure) -> set[str]:
    return {t.division.name for t in db.session.scalars(
        select(Task).where(Task.measure_id == measure.id, Task.archived_at.is_(None)))}


def test_all_divisions_measure_gets_one_task_per_division(agency):
    assert active_division_names(agency.measure) == {"สำนักปลัด", "กองคลัง", "กองช่าง"}


def test_task_is_due_at_the_end_of_the_measure_period(agency):
    assert {t.due_date for t in agency.measure_tasks()} == {date(2025, 9, 30)}


def test_measure_with_chosen_divisions_gets_tasks_for_those_only(agency):
    measure = plan.create_measure(agency.topic, factories.measure_input(
        agency.fiscal_year, division_ids=[agency.divisions["กองคลัง"].id]), actor=None)
    assert active_division_names(measure) == {"กองคลัง"}
    assert measure.responsible_text == "" and wording.responsible(measure) == "กองคลัง"  # printed from the data


def test_all_divisions_wording_is_kept_for_the_published_table(agency):
    assert wording.responsible(agency.measure) == "ทุกกอง"


def test_removing_a_division_from_a_measure_archives_its_task_and_keeps_history(agency):
    task = agency.task("กองช่าง")
    head = factories.head(agency.organization, "กองช่าง")
    tasks.record_progress(task, head, tasks.ProgressInput("in_progress", 30, "เริ่มแล้ว"), task.version)
    keep = [agency.divisions["สำนักปลัด"].id, agency.divisions["กองคลัง"].id]
    plan.update_measure(agency.measure, factories.measure_input(agency.fiscal_year, division_ids=keep), None)
    db.session.refresh(task)
    assert task.archived_at is not None
    assert db.session.scalar(select(func.count(ProgressUpdate.id)).where(ProgressUpdate.task_id == task.id)) == 1
    assert active_division_names(agency.measure) == {"สำนักปลัด", "กองคลัง"}


def test_a_division_that_comes_back_gets_its_old_task_again(agency):
    task = agency.task("กองช่าง")
    only_palad = [agency.divisions["สำนักปลัด"].id]
    plan.update_measure(agency.measure, factories.measure_input(agency.fiscal_year, division_ids=only_palad), None)
    plan.update_measure(agency.measure, factories.measure_input(agency.fiscal_year, all_divisions=True), None)
    db.session.refresh(task)
    assert task.archived_at is None
    assert len(agency.measure_tasks()) == 3


def test_changing_the_period_moves_the_due_date_of_its_tasks(agency):
    plan.update_measure(agency.measure, factories.measure_input(
        agency.fiscal_year, all_divisions=True, end_date=date(2025, 6, 30)), None)
    assert {t.due_date for t in agency.measure_tasks()} == {date(2025, 6, 30)}


def test_new_division_joins_every_running_all_divisions_measure(agency):
    division = plan.create_division(agency.organization.id, "กองสาธารณสุขและสิ่งแวดล้อม", None, TODAY)
    assert division.name in active_division_names(agency.measure)


def test_new_division_does_not_join_a_finished_fiscal_year(agency):
    plan.create_division(agency.organization.id, "กองสวัสดิการสังคม", None, date(2026, 1, 1))
    assert "กองสวัสดิการสังคม" not in active_division_names(agency.measure)


def test_removing_a_used_division_deactivates_it_and_archives_its_tasks(agency):
    division = agency.divisions["กองช่าง"]
    plan.remove_division(division, None, TODAY)
    assert db.session.get(Division, division.id).active is False
    assert "กองช่าง" not in active_division_names(agency.measure)
    assert agency.task("กองช่าง").archived_at is not None


def test_removing_an_unused_division_deletes_it(agency):
    division = plan.create_division(agency.organization.id, "กองใหม่", None, date(2026, 1, 1))
    plan.remove_division(division, None, date(2026, 1, 1))
    assert db.session.get(Division, division.id) is None


def test_duplicate_division_name_is_refused(agency):
    with pytest.raises(ServiceError, match="มี “กองคลัง” อยู่แล้ว"):
        plan.create_division(agency.organization.id, "กองคลัง", None, TODAY)


@pytest.mark.parametrize("overrides, message", [
    ({"steps": []}, "อย่างน้อย 1 ขั้นตอน"),
    ({"division_ids": [], "all_divisions": False}, "อย่างน้อย 1 กอง"),
    ({"start_date": date(2024, 9, 30)}, "ปีงบประมาณ พ.ศ. 2568"),
    ({"end_date": date(2025, 10, 1)}, "ปีงบประมาณ พ.ศ. 2568"),
    ({"start_date": date(2025, 5, 1), "end_date": date(2025, 4, 1)}, "วันเริ่มต้องไม่อยู่หลังวันสิ้นสุด"),
])
def test_measure_rules_refuse_with_a_thai_message(agency, overrides, message):
    values = {"all_divisions": True, **overrides}
    with pytest.raises(ServiceError, match=message):
        plan.create_measure(agency.topic, factories.measure_input(agency.fiscal_year, **values), None)


def test_steps_keep_their_order(agency):
    measure = plan.create_measure(agency.topic, factories.measure_input(
        agency.fiscal_year, all_divisions=True, steps=["ก", "ข", "ค"]), None)
    plan.update_measure(measure, factories.measure_input(
        agency.fiscal_year, all_divisions=True, steps=["ค", "ก"]), None)
    assert [(s.position, s.text) for s in measure.steps] == [(1, "ค"), (2, "ก")]


def test_measure_with_progress_cannot_be_deleted(agency):
    task = agency.task("กองคลัง")
    tasks.record_progress(task, agency.coordinator, tasks.ProgressInput("in_progress", 10), task.version)
    with pytest.raises(ServiceError, match="มีการรายงานความก้าวหน้าแล้ว"):
        plan.delete_measure(agency.measure, agency.coordinator)
    assert db.session.get(Measure, agency.measure.id) is not None


def test_measure_without_progress_is_deleted_with_its_tasks(agency):
    measure_id = agency.measure.id
    plan.delete_measure(agency.measure, agency.coordinator)
    assert db.session.get(Measure, measure_id) is None
    assert db.session.scalar(select(func.count(Task.id)).where(Task.measure_id == measure_id)) == 0


def test_topic_with_measures_cannot_be_deleted(agency):
    with pytest.raises(ServiceError, match="ยังมีมาตรการอยู่"):
        plan.delete_topic(agency.topic, agency.coordinator)


def test_topic_number_is_unique_within_the_fiscal_year(agency):
    with pytest.raises(ServiceError, match="ลำดับที่ 1"):
        plan.create_topic(agency.fiscal_year, plan.TopicInput(number=1, title="ซ้ำ"), None)


def test_topic_links_only_items_of_its_own_organization(agency, other_agency, demo):
    from tracker.models import AssessmentItem
    demo_item = db.session.scalar(select(AssessmentItem).where(AssessmentItem.organization_id == demo.id))
    topic = plan.create_topic(agency.fiscal_year, plan.TopicInput(number=2, title="ข", item_ids=[demo_item.id]), None)
    assert topic.items == []


def test_measure_update_writes_an_audit_event_with_before_and_after(agency):
    plan.update_measure(agency.measure, factories.measure_input(
        agency.fiscal_year, all_divisions=True, title="ชื่อใหม่"), agency.coordinator)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "measure.update"))
    assert event.actor_id == agency.coordinator.id
    assert event.before == {"title": "มาตรการทดสอบ"}
    assert event.after == {"title": "ชื่อใหม่"}


def test_every_created_task_has_an_audit_event(agency):
    task_ids = {t.id for t in agency.measure_tasks()}
    audited = set(db.session.scalars(select(AuditEvent.task_id).where(AuditEvent.action == "task.create")))
    assert task_ids <= audited


def test_plan_topics_loads_the_whole_plan_in_order(demo):
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    topics = plan.plan_topics(fiscal_year)
    assert [t.number for t in topics] == [1, 2, 3, 4, 7]
    assert sum(len(t.measures) for t in topics) == 6


def test_get_owned_hides_other_organizations_rows(agency, other_agency):
    from tracker.services import access
    from tracker.services.errors import NotFound
    assert access.get_owned(agency.coordinator, Topic, agency.topic.id) == agency.topic
    with pytest.raises(NotFound):
        access.get_owned(agency.coordinator, Topic, other_agency.topic.id)
    with pytest.raises(NotFound):
        access.get_owned(agency.coordinator, Topic, 10**9)


# --- moving a measure to another topic -------------------------------------------------------------

def test_a_measure_moves_to_the_end_of_another_topic_with_its_tasks_and_is_audited(coordinator_client, demo):
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    one, seven = fiscal_year.topics[0], fiscal_year.topics[-1]
    measure = one.measures[0]
    task_ids = sorted(task.id for task in db.session.scalars(db.select(Task).where(Task.measure_id == measure.id)))
    edit_page = coordinator_client.get(f"/plan/measures/{measure.id}/edit").get_data(as_text=True)
    assert f'<option value="{seven.id}">(7)' in edit_page and f'<option value="{one.id}">' not in edit_page

    response = coordinator_client.post(f"/plan/measures/{measure.id}/move", data={"topic_id": str(seven.id)})

    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Measure, measure.id)
    assert moved.topic_id == seven.id and moved.position == max(m.position for m in moved.topic.measures)
    assert sorted(task.id for task in db.session.scalars(db.select(Task).where(Task.measure_id == measure.id))) == task_ids
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "measure.move"))
    assert event.before["topic"].startswith("(1) ") and event.after["topic"].startswith("(7) ")


def test_a_measure_cannot_move_to_another_years_or_agencys_topic(coordinator_client, demo, other_agency):
    measure = plan.get_fiscal_year(demo.id, 2568).topics[0].measures[0]
    response = coordinator_client.post(f"/plan/measures/{measure.id}/move", data={"topic_id": str(other_agency.topic.id)})
    assert response.status_code == 404
    assert coordinator_client.post(f"/plan/measures/{measure.id}/move", data={"topic_id": "x"}).status_code == 400
    with pytest.raises(ServiceError):
        plan.move_measure(measure, measure.topic, None)

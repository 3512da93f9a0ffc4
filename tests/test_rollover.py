"""Starting fiscal year 2569 from the demo's year 2568 (ITA 2567): the new year answers ITA 2568,
unfinished measures are carried over as copies with fresh tasks, and the old year stays as it was."""
from datetime import date

from flask import current_app
import pytest
from sqlalchemy import func, select, update

from tests import factories, planning
from tests.conftest import login
from tests.statements import counted_statements
from tests.servers import bangkok
from tracker.extensions import db
from tracker.models import (
    AssessmentItem, AssessmentYear, AuditEvent, FiscalYear, Measure, Organization, ProgressUpdate, Task, Topic, User,
)
from tracker.services import item_banks, plan, rollover, users, wording
from tracker.services.errors import ServiceError
from tracker.transactions import transaction

# The demo agency's own ITA 2568 list: 2568 writes OIT codes in lower case, and renumbers them.
ITA_2568 = (
    ("i1", "IIT", "บุคลากรในหน่วยงานของท่าน ปฏิบัติงาน/ให้บริการแก่ผู้มาติดต่อ ตามขั้นตอนและระยะเวลาที่กำหนด มากน้อยเพียงใด"),
    ("i2", "IIT", "ในหน่วยงานของท่าน มีเจ้าหน้าที่ที่ปฏิบัติงานหรือให้บริการแก่ผู้มาติดต่อหรือผู้มาใช้บริการอย่างเท่าเทียมกัน มากน้อยเพียงใด"),
    ("e5", "EIT", "หน่วยงานมีการประชาสัมพันธ์ข้อมูลข่าวสารที่ประชาชนหรือผู้รับบริการควรได้รับทราบอย่างชัดเจน"),
    ("o5", "OIT", "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน"),  # O7 in 2567
    ("o7", "OIT", "รายงานผลการดำเนินงานประจำปี"),  # O9 in 2567; its O7 is another item
    ("o22", "OIT", "รายงานการรับทรัพย์สินหรือประโยชน์อื่นใดโดยธรรมจรรยา"),
)


@pytest.fixture
def ita_2568(demo):
    year = AssessmentYear(organization_id=demo.id, year=2568)
    for position, (code, tool, title) in enumerate(ITA_2568, start=1):
        year.items.append(AssessmentItem(organization_id=demo.id, code=code, tool=tool, title=title,
                                         position=position))
    db.session.add(year)
    db.session.commit()
    return year


@pytest.fixture
def no_shipped_lists(monkeypatch):
    monkeypatch.setattr(item_banks, "shipped_bank", lambda year: None)


def old_measure(organization_id: int, topic_number: int, position: int = 1, year: int = 2568) -> Measure:
    return db.session.scalar(
        select(Measure).join(Topic).join(FiscalYear)
        .where(Measure.organization_id == organization_id, FiscalYear.year == year, Topic.number == topic_number,
               Measure.position == position))


def unfinished_ids(organization_id: int) -> list[int]:
    return [entry.measure.id for entry in rollover.preview(organization_id, 2569).unfinished]


def start_2569(demo, measure_ids=None) -> FiscalYear:
    ids = unfinished_ids(demo.id) if measure_ids is None else measure_ids
    with transaction():
        return rollover.start_fiscal_year(demo.id, 2569, ids, None)


def carried_copy(old: Measure) -> Measure:
    return db.session.scalar(select(Measure).where(Measure.carried_from_id == old.id))


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def every_row() -> dict[str, set[str]]:
    return {table.name: {repr(tuple(row)) for row in db.session.execute(select(table))}
            for table in db.metadata.sorted_tables}


# --- what would be started ---------------------------------------------------------------------

def test_the_next_year_is_the_one_after_the_newest_with_its_dates(demo):
    preview = rollover.preview(demo.id, rollover.next_year(demo.id, date(2025, 3, 31)))
    assert (preview.year, preview.start_date, preview.end_date) == (2569, date(2025, 10, 1), date(2026, 9, 30))
    assert preview.assessment_year == 2568
    assert preview.from_year.year == 2568


def test_a_measure_is_unfinished_while_an_active_task_is_open(demo):
    preview = rollover.preview(demo.id, 2569)
    # Topic 4's only task (กองคลัง) is done; every other measure has an open task.
    assert [(e.measure.topic.number, e.measure.position) for e in preview.unfinished] == [
        (1, 1), (2, 1), (2, 2), (3, 1), (7, 1)]
    first = preview.unfinished[0]
    assert [(t.division.name, t.percent) for t in first.open_tasks] == [
        ("กองคลัง", 60), ("กองช่าง", 0), ("กองการศึกษา ศาสนาและวัฒนธรรม", 0)]


def test_cancelled_and_archived_tasks_do_not_keep_a_measure_unfinished(demo):
    measure = old_measure(demo.id, 2, 1)
    tasks = db.session.scalars(select(Task).where(Task.measure_id == measure.id)).all()
    db.session.execute(update(Task).where(Task.id == tasks[0].id).values(archived_at=date(2025, 3, 1)))
    db.session.execute(update(Task).where(Task.id.in_([t.id for t in tasks[1:]])).values(status="cancelled"))
    db.session.commit()
    assert measure.id not in unfinished_ids(demo.id)


def test_the_agencys_own_item_list_is_used(demo, ita_2568):
    assert rollover.preview(demo.id, 2569).item_list == rollover.ITEM_LIST_OWN


def test_without_any_item_list_nothing_can_be_started(demo, no_shipped_lists):
    preview = rollover.preview(demo.id, 2569)
    assert preview.item_list == rollover.ITEM_LIST_MISSING
    assert "ยังไม่มีรายการข้อคำถามของการประเมิน ITA 2568" in preview.refusal


# --- starting the year -------------------------------------------------------------------------

def test_the_new_year_is_linked_to_its_ita_year(demo, ita_2568):
    fiscal_year = start_2569(demo)
    assert (fiscal_year.year, fiscal_year.start_date, fiscal_year.end_date) == (2569, date(2025, 10, 1),
                                                                                date(2026, 9, 30))
    assert fiscal_year.assessment_year_id == ita_2568.id


def test_the_item_list_is_made_from_the_standard_list_when_the_agency_has_none(app):
    agency = factories.agency("อบต.ทดสอบปีใหม่", year=2567)
    db.session.commit()
    assert rollover.preview(agency.organization.id, 2568).item_list == rollover.ITEM_LIST_STANDARD
    fiscal_year = rollover.start_fiscal_year(agency.organization.id, 2568, [], None)
    assert fiscal_year.assessment_year.year == 2567
    assert len(fiscal_year.assessment_year.items) == len(item_banks.shipped_bank(2567)["items"])


def test_a_carried_measure_comes_under_a_copy_of_its_topic_without_the_analysis(demo, ita_2568):
    old = old_measure(demo.id, 1)
    start_2569(demo)
    copy = carried_copy(old)
    assert copy.topic.fiscal_year.year == 2569
    assert (copy.topic.number, copy.topic.title) == (1, old.topic.title)
    assert old.topic.analysis and copy.topic.analysis == ""


def test_topic_items_are_relinked_to_the_same_items_of_the_new_years_list(demo, ita_2568):
    start_2569(demo)
    copy = carried_copy(old_measure(demo.id, 1))  # its topic had i1, i2, i3, O7, O8, O9, O10 of ITA 2567
    assert [(item.code, item.assessment_year_id) for item in copy.topic.items] == [
        ("i1", ita_2568.id), ("i2", ita_2568.id), ("o5", ita_2568.id), ("o7", ita_2568.id)]


def test_a_carried_measure_keeps_its_steps_divisions_and_responsible_text(demo, ita_2568):
    start_2569(demo)
    old = old_measure(demo.id, 3)
    copy = carried_copy(old)
    assert (copy.title, copy.details, copy.responsible_text) == (old.title, old.details, old.responsible_text)
    assert [s.text for s in copy.steps] == [s.text for s in old.steps]
    assert [d.name for d in copy.divisions] == ["สำนักปลัด"] and not copy.all_divisions
    assert carried_copy(old_measure(demo.id, 1)).all_divisions


def test_dates_move_a_year_on_and_the_period_is_printed_from_them(demo, ita_2568):
    start_2569(demo)
    copy = carried_copy(old_measure(demo.id, 1))  # "วันที่ 1 ต.ค. 67 – 30 ก.ย. 68"
    assert (copy.start_date, copy.end_date) == (date(2025, 10, 1), date(2026, 9, 30))
    assert copy.period_text == "" and wording.period(copy) == "วันที่ 1 ต.ค. 2568 – 30 ก.ย. 2569"


def test_a_period_naming_the_fiscal_year_names_the_new_one(demo, ita_2568):
    old = old_measure(demo.id, 4)  # "ปีงบประมาณ พ.ศ. 2568", finished in the demo: reopen it
    db.session.execute(update(Task).where(Task.measure_id == old.id).values(status="in_progress", percent=90))
    db.session.commit()
    start_2569(demo)
    assert carried_copy(old).period_text == "ปีงบประมาณ พ.ศ. 2569"


def test_dates_that_would_leave_the_new_year_are_kept_inside_it(app):
    agency = factories.agency("อบต.ปีอธิกสุรทิน", year=2567)
    plan_measure = agency.measure
    plan_measure.end_date = date(2024, 2, 29)  # fiscal year 2567 holds 29 Feb 2024
    db.session.commit()
    fiscal_year = rollover.start_fiscal_year(agency.organization.id, 2568, [plan_measure.id], None)
    assert carried_copy(plan_measure).end_date == date(2025, 2, 28)
    assert fiscal_year.contains(carried_copy(plan_measure).start_date)


def test_carried_measures_get_fresh_tasks_for_their_divisions(demo, ita_2568):
    start_2569(demo)
    copy = carried_copy(old_measure(demo.id, 1))
    tasks = db.session.scalars(select(Task).where(Task.measure_id == copy.id)).all()
    assert len(tasks) == 4  # ทุกกอง: every division, the one that had finished too
    assert {(t.status, t.percent, t.due_date) for t in tasks} == {("not_started", 0, date(2026, 9, 30))}
    assert db.session.scalar(select(func.count(ProgressUpdate.id))
                             .where(ProgressUpdate.task_id.in_([t.id for t in tasks]))) == 0


def test_only_the_chosen_measures_and_their_topics_are_copied(demo, ita_2568):
    chosen = old_measure(demo.id, 2, 2)
    fiscal_year = start_2569(demo, [chosen.id])
    assert [(t.number, [m.title for m in t.measures]) for t in fiscal_year.topics] == [(2, [chosen.title])]
    assert carried_copy(chosen).position == 1


def test_carrying_nothing_starts_an_empty_year(demo, ita_2568):
    fiscal_year = start_2569(demo, [])
    assert fiscal_year.topics == []


def test_starting_the_year_is_audited(demo, ita_2568):
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@pichai.example"))
    fiscal_year = rollover.start_fiscal_year(demo.id, 2569, unfinished_ids(demo.id), coordinator)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == coordinator.id)).all()
    actions = [event.action for event in events]
    assert actions.count("fiscal_year.create") == 1 and actions.count("topic.create") == 4
    assert actions.count("measure.create") == 5 and actions.count("task.create") == 4 + 4 + 4 + 1 + 1
    [created] = [event for event in events if event.action == "fiscal_year.create"]
    assert (created.entity_id, created.after["assessment_year"], created.after["carried"]) == (fiscal_year.id, 2568, 5)


def test_the_old_year_keeps_every_row_as_it_was(demo, ita_2568, coordinator_client):
    before = every_row()
    response = coordinator_client.post("/plan/rollover/", data={"year": "2569", "measure_id": unfinished_ids(demo.id)})
    assert response.status_code == 302
    after = every_row()
    assert {name: rows - after[name] for name, rows in before.items() if rows - after[name]} == {}
    assert count(FiscalYear) == 2


def test_the_old_years_open_tasks_stay_open(demo, ita_2568):
    old_tasks = db.session.scalars(select(Task).where(Task.measure_id == old_measure(demo.id, 1).id)).all()
    statuses = {t.id: (t.status, t.percent) for t in old_tasks}
    start_2569(demo)
    db.session.expire_all()
    assert {t.id: (t.status, t.percent) for t in old_tasks} == statuses
    assert ("in_progress", 60) in statuses.values()


# --- refusals: a Thai message and nothing saved -----------------------------------------------

def assert_refused(call, message: str) -> None:
    rows = (count(FiscalYear), count(Topic), count(Measure), count(Task), count(AuditEvent), count(AssessmentYear))
    with pytest.raises(ServiceError, match=message):
        call()
    db.session.rollback()
    assert (count(FiscalYear), count(Topic), count(Measure), count(Task), count(AuditEvent),
            count(AssessmentYear)) == rows


def test_a_year_that_exists_is_refused(demo, ita_2568):
    assert_refused(lambda: rollover.start_fiscal_year(demo.id, 2568, [], None), "มีปีงบประมาณ พ.ศ. 2568 ในระบบแล้ว")


def test_a_year_before_the_newest_is_refused(demo):
    assert_refused(lambda: rollover.start_fiscal_year(demo.id, 2567, [], None), "ต้องอยู่หลังปีงบประมาณ พ.ศ. 2568")


def test_a_year_without_an_item_list_is_refused(demo, no_shipped_lists):
    assert_refused(lambda: start_2569(demo), "กรุณาอัปโหลดรายการข้อคำถาม")


def test_a_measure_of_another_agency_is_refused(demo, ita_2568, other_agency):
    db.session.commit()
    ids = unfinished_ids(demo.id) + [other_agency.measure.id]
    assert_refused(lambda: start_2569(demo, ids), "ไม่ใช่มาตรการที่ยังไม่แล้วเสร็จของปีงบประมาณ พ.ศ. 2568")


def test_a_finished_measure_is_refused(demo, ita_2568):
    assert_refused(lambda: start_2569(demo, [old_measure(demo.id, 4).id]), "ไม่ใช่มาตรการที่ยังไม่แล้วเสร็จ")


def test_a_measure_of_an_earlier_year_is_refused(demo, ita_2568):
    start_2569(demo)
    db.session.add(AssessmentYear(organization_id=demo.id, year=2569))
    db.session.commit()
    old = old_measure(demo.id, 1)
    assert_refused(lambda: rollover.start_fiscal_year(demo.id, 2570, [old.id], None),
                   "ไม่ใช่มาตรการที่ยังไม่แล้วเสร็จของปีงบประมาณ พ.ศ. 2569")


# --- the page ----------------------------------------------------------------------------------

def test_the_page_needs_a_login(client, demo):
    response = client.get("/plan/rollover/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["executive_client", "finance_client", "palad_client"])
def test_executives_and_heads_may_not_start_a_year(request, who, demo, ita_2568):
    user_client = request.getfixturevalue(who)
    assert user_client.get("/plan/rollover/").status_code == 403
    assert user_client.post("/plan/rollover/", data={"year": "2569"}).status_code == 403
    assert count(FiscalYear) == 1


def test_the_page_shows_the_new_year_its_ita_result_and_the_unfinished_measures(coordinator_client, ita_2568):
    page = coordinator_client.get("/plan/rollover/").get_data(as_text=True)
    assert "ปีงบประมาณ พ.ศ. 2569" in page and "1 ต.ค. 2568 – 30 ก.ย. 2569" in page
    assert "ITA 2568" in page and "ใช้รายการข้อคำถามของหน่วยงานที่มีอยู่แล้ว" in page
    assert "มาตรการที่ยังไม่แล้วเสร็จของปีงบประมาณ พ.ศ. 2568" in page
    assert page.count('name="measure_id"') == 5 and page.count("checked") == 5
    assert "กองคลัง" in page and "60%" in page
    assert "ยืนยันเริ่มปีงบประมาณ พ.ศ. 2569" in page


def test_the_page_says_which_tools_the_standard_list_lacks(coordinator_client):
    page = coordinator_client.get("/plan/rollover/").text
    assert "รายการมาตรฐานของ ITA 2568" in page and "ยังไม่มีข้อ IIT และ EIT" in page  # 2568 ships OIT only


def test_the_page_says_when_the_standard_list_will_be_used(coordinator_client, monkeypatch):
    monkeypatch.setattr(item_banks, "shipped_bank", lambda year: {"year": year, "items": []})
    page = coordinator_client.get("/plan/rollover/").get_data(as_text=True)
    assert "ระบบจะสร้างรายการข้อคำถามจากรายการมาตรฐานของ ITA 2568" in page


def test_the_page_without_any_item_list_says_to_upload_one_and_offers_no_confirmation(app, new_agency,
                                                                                        no_shipped_lists):
    page = login(app.test_client(), "first@new.test", factories.PASSWORD).get("/plan/rollover/").text
    assert "ยังไม่มีรายการข้อคำถามของการประเมิน ITA 2567" in page and "/plan/items/" in page
    assert "ยืนยันเริ่มปีงบประมาณ" not in page


def test_confirming_starts_the_year_and_shows_its_plan(coordinator_client, demo, ita_2568):
    ids = unfinished_ids(demo.id)
    response = coordinator_client.post("/plan/rollover/", data={"year": "2569", "measure_id": ids},
                                       follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/plan/" and response.request.args["fy"] == "2569"
    assert "เริ่มปีงบประมาณ พ.ศ. 2569 แล้ว ยกมาตรการที่ยังไม่แล้วเสร็จมา 5 มาตรการ" in page
    assert page.count("ยกมาจากปีงบประมาณ 2568") == 5


def test_unticked_measures_are_not_carried(coordinator_client, demo, ita_2568):
    chosen = old_measure(demo.id, 3)
    coordinator_client.post("/plan/rollover/", data={"year": "2569", "measure_id": [chosen.id]})
    assert db.session.scalar(select(func.count(Measure.id)).where(Measure.carried_from_id.is_not(None))) == 1
    assert carried_copy(chosen) is not None


def test_a_second_submit_is_refused_by_the_existing_year(coordinator_client, demo, ita_2568):
    form = {"year": "2569", "measure_id": unfinished_ids(demo.id)}
    coordinator_client.post("/plan/rollover/", data=form)
    measures = count(Measure)
    page = coordinator_client.post("/plan/rollover/", data=form).get_data(as_text=True)
    assert "มีปีงบประมาณ พ.ศ. 2569 ในระบบแล้ว จึงเริ่มซ้ำไม่ได้" in page
    assert count(FiscalYear) == 2 and count(Measure) == measures


@pytest.mark.parametrize("form", [{"year": "2569", "measure_id": ["abc"]}, {"year": "x"}, {"year": "99999"}, {}])
def test_a_broken_form_is_refused(coordinator_client, ita_2568, form):
    page = coordinator_client.post("/plan/rollover/", data=form).get_data(as_text=True)
    assert "แบบฟอร์มไม่ถูกต้อง ระบบยังไม่ได้บันทึกสิ่งใด" in page
    assert count(FiscalYear) == 1


def test_another_agencys_measure_in_the_form_is_refused(app, demo, other_agency):
    db.session.commit()
    other = login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD)
    demo_measure = old_measure(demo.id, 1)
    page = other.post("/plan/rollover/", data={"year": "2569", "measure_id": [demo_measure.id]}).get_data(as_text=True)
    assert "ไม่ใช่มาตรการที่ยังไม่แล้วเสร็จ" in page
    assert db.session.scalar(select(func.count(FiscalYear.id)).where(
        FiscalYear.organization_id == other_agency.organization.id)) == 1


def test_another_agencys_coordinator_sees_only_their_own_measures(app, demo, other_agency):
    db.session.commit()
    other = login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD)
    page = other.get("/plan/rollover/").get_data(as_text=True)
    assert other_agency.measure.title in page
    assert old_measure(demo.id, 1).title not in page


def test_the_new_years_plan_page_loads_carried_measures_without_a_query_each(coordinator_client, demo, ita_2568):
    start_2569(demo)

    def statements() -> int:
        with counted_statements() as sent:
            assert coordinator_client.get("/plan/?fy=2569").status_code == 200
        return len(sent)
    with_five = statements()
    for copy in db.session.scalars(select(Measure).where(Measure.carried_from_id.is_not(None))).all()[1:]:
        with transaction():
            plan.delete_measure(copy, None)
    assert statements() == with_five


@pytest.fixture
def new_agency(app):
    """A new installation: an agency with its first coordinator and head, and no fiscal year yet."""
    organization = Organization(name="อบต.เริ่มใหม่")
    db.session.add(organization)
    db.session.flush()
    with transaction():
        users.create_user(organization, "first@new.test", "coordinator", factories.PASSWORD, "ผู้ประสานงาน", config=current_app.config)
        plan.create_division(organization.id, "สำนักปลัด", None, date(2025, 3, 31))
        users.create_user(organization, "head@new.test", "head", factories.PASSWORD, "หัวหน้า", "สำนักปลัด", config=current_app.config)
    return organization


def test_an_agency_without_any_year_is_offered_the_current_one(app, new_agency):
    page = login(app.test_client(), "first@new.test", factories.PASSWORD).get("/plan/rollover/").get_data(as_text=True)
    assert "เริ่มใช้งาน: ปีงบประมาณแรกของหน่วยงาน" in page
    assert "ปีงบประมาณ พ.ศ. 2568" in page and "ITA 2567" in page  # today is 31 Mar 2025
    assert "ยืนยันเริ่มปีงบประมาณ พ.ศ. 2568" in page and 'name="measure_id"' not in page


def test_a_new_agencys_coordinator_is_sent_from_every_year_page_to_start_the_first_year(app, new_agency):
    client = login(app.test_client(), "first@new.test", factories.PASSWORD)
    for url in ("/dashboard", "/plan/", "/plan/result", "/plan/analysis", "/tasks", "/reports/"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.endswith("/plan/rollover/"), url


def test_a_new_agencys_head_is_told_that_the_coordinator_starts_the_year(app, new_agency):
    response = login(app.test_client(), "head@new.test", factories.PASSWORD).get("/my")
    assert response.status_code == 200
    assert "ผู้ประสานงาน ITA ต้องเริ่มปีงบประมาณ" in response.get_data(as_text=True)


def test_a_year_named_in_the_address_is_still_not_found_when_it_does_not_exist(app, new_agency):
    client = login(app.test_client(), "first@new.test", factories.PASSWORD)
    assert client.get("/plan/?fy=2560").status_code == 404


def test_a_new_agency_may_start_with_an_earlier_year_under_way(app, new_agency):
    client = login(app.test_client(), "first@new.test", factories.PASSWORD)
    page = client.get("/plan/rollover/?year=2567").get_data(as_text=True)
    assert "ยังไม่มีรายการข้อคำถาม" in page and "ITA 2566" in page  # no standard list for 2566
    page = client.get("/plan/rollover/?year=2568").get_data(as_text=True)
    assert "ยืนยันเริ่มปีงบประมาณ พ.ศ. 2568" in page
    response = client.post("/plan/rollover/", data={"year": "2568"})
    assert response.status_code == 302
    assert "ขั้นต่อไป: เพิ่มกองของหน่วยงาน" in client.get(response.location, follow_redirects=True).text
    fiscal_year = plan.get_fiscal_year(new_agency.id, 2568)
    assert fiscal_year.assessment_year.year == 2567 and len(fiscal_year.assessment_year.items) > 35
    assert client.get("/plan/").status_code == 200


def test_an_agency_with_a_year_cannot_pick_another_year_to_start(coordinator_client, ita_2568):
    page = coordinator_client.get("/plan/rollover/?year=2575").get_data(as_text=True)
    assert "ยืนยันเริ่มปีงบประมาณ พ.ศ. 2569" in page


def test_the_plan_page_links_to_the_rollover_for_the_coordinator_only(coordinator_client, executive_client):
    assert "/plan/rollover/" in coordinator_client.get("/plan/").get_data(as_text=True)
    assert "/plan/rollover/" not in executive_client.get("/plan/").get_data(as_text=True)


# --- reminders ---------------------------------------------------------------------------------

def task_of(measure: Measure, division: str) -> Task:
    return next(t for t in db.session.scalars(select(Task).where(Task.measure_id == measure.id))
                if t.division.name == division)


@pytest.mark.parametrize("rule, moment", [
    ("late", "2025-10-06 08:30"), ("escalation", "2025-11-03 08:30"), ("monthly", "2025-10-27 08:30"),
])
def test_reminders_leave_out_old_tasks_whose_measure_was_carried_over(app, demo, ita_2568, rule, moment):
    carried, left = old_measure(demo.id, 3), old_measure(demo.id, 7)  # both สำนักปลัด's only
    start_2569(demo, [carried.id])
    report = planning.plan(app.config, bangkok(moment))
    bodies = [row.body_text for row in report.created if row.rule == rule]
    assert bodies
    assert not any(f"/tasks/{task_of(carried, 'สำนักปลัด').id}\n" in body for body in bodies)
    assert any(f"/tasks/{task_of(left, 'สำนักปลัด').id}\n" in body for body in bodies)


def test_until_the_new_year_begins_the_old_task_of_a_carried_measure_is_still_reminded(app, demo, ita_2568):
    """The next year started early, in September: this year's last weeks are chased as before."""
    carried = old_measure(demo.id, 3)
    start_2569(demo, [carried.id])
    report = planning.plan(app.config, bangkok("2025-09-29 08:30"))
    bodies = [row.body_text for row in report.created if row.rule == "due"]
    assert any(f"/tasks/{task_of(carried, 'สำนักปลัด').id}\n" in body for body in bodies)


def test_the_monthly_request_asks_about_the_carried_task(app, demo, ita_2568):
    carried = old_measure(demo.id, 3)
    start_2569(demo, [carried.id])
    report = planning.plan(app.config, bangkok("2025-10-27 08:30"))
    [palad] = [row for row in report.created if row.rule == "monthly" and row.user.email == "palad@pichai.example"]
    assert f"/tasks/{task_of(carried_copy(carried), 'สำนักปลัด').id}\n" in palad.body_text


# --- the command line --------------------------------------------------------------------------

def run(app, *args):
    return app.test_cli_runner().invoke(args=["tracker", "rollover", *args])


def test_the_command_starts_the_year_carrying_every_unfinished_measure(app, demo, ita_2568):
    result = run(app, "--to", "2569")
    assert result.exit_code == 0, result.output
    assert "Started fiscal year 2569 (วันที่ 1 ต.ค. 2568 – 30 ก.ย. 2569)" in result.output
    assert "answering ITA 2568" in result.output
    assert old_measure(demo.id, 3).title in result.output
    assert "Carried over 5 of 5 unfinished measures of fiscal year 2568." in result.output
    assert count(Measure) == 6 + 5


def test_the_command_can_carry_nothing(app, demo, ita_2568):
    result = run(app, "--to", "2569", "--carry", "none")
    assert result.exit_code == 0, result.output
    assert "Carried over 0 of 5" in result.output
    assert count(FiscalYear) == 2 and count(Measure) == 6


def test_the_command_names_the_agency_when_there_are_several(app, demo, ita_2568, other_agency):
    db.session.commit()
    assert run(app, "--to", "2569").exit_code != 0
    result = run(app, "--to", "2569", "--organization", other_agency.organization.name, "--carry", "none")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(FiscalYear.id).where(
        FiscalYear.organization_id == other_agency.organization.id, FiscalYear.year == 2569))


def test_the_command_refuses_a_year_that_exists(app, demo):
    result = run(app, "--to", "2568")
    assert result.exit_code == 1
    assert "มีปีงบประมาณ พ.ศ. 2568 ในระบบแล้ว" in result.output


def test_the_command_refuses_a_year_without_an_item_list(app, demo, no_shipped_lists):
    result = run(app, "--to", "2569")
    assert result.exit_code == 1
    assert "ยังไม่มีรายการข้อคำถามของการประเมิน ITA 2568" in result.output
    assert count(FiscalYear) == 1


def test_a_next_year_started_early_does_not_hide_this_years_work(app, demo, ita_2568):
    """Fiscal year 2569 started in March 2568 to draft its measures: pages still open on 2568."""
    start_2569(demo)
    head = login(app.test_client(), "finance@pichai.example")
    assert "ปีงบประมาณ พ.ศ. 2568" in head.get("/my").text
    assert "ปีงบประมาณ พ.ศ. 2569" in head.get("/my?fy=2569").text
    coordinator = login(app.test_client(), "coordinator@pichai.example")
    assert "ปีงบประมาณ พ.ศ. 2568" in coordinator.get("/plan/").text


def test_after_the_year_ends_pages_open_on_the_newest_year(app, demo, ita_2568):
    start_2569(demo)
    app.config["TRACKER_TODAY"] = date(2026, 12, 1)  # after both years
    coordinator = login(app.test_client(), "coordinator@pichai.example")
    assert "ปีงบประมาณ พ.ศ. 2569" in coordinator.get("/plan/").text


@pytest.mark.parametrize("method, url, data", [
    ("GET", "/plan/?fy=²", None), ("GET", "/plan/topics/new?fy=2568&item=²", None),
    ("GET", "/plan/rollover/?year=²", None), ("POST", "/plan/rollover/", {"year": "²"}),
    ("POST", "/plan/rollover/", {"year": "2569", "measure_id": "²"}), ("POST", "/plan/items/load", {"year": "²"}),
    ("POST", "/plan/items/upload", {"year": "²"}),
])
def test_digits_of_other_scripts_in_a_year_or_id_are_refused_not_an_error_page(coordinator_client, method, url, data):
    assert coordinator_client.open(url, method=method, data=data).status_code in (200, 302, 404)


# --- today: fiscal year 2570 answers ITA 2569 ----------------------------------------------------

TODAY_2570 = date(2026, 12, 1)


def add_first_coordinator(app, email: str = "first@today.test"):
    """A fresh install's first account, made as the README says: the agency is created with it."""
    result = app.test_cli_runner().invoke(args=[
        "tracker", "user", "add", email, "--role", "coordinator", "--password", factories.PASSWORD,
        "--organization", "อบต.เริ่มวันนี้"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Organization).where(Organization.name == "อบต.เริ่มวันนี้"))


@pytest.fixture
def fresh_install_today(app):
    app.config["TRACKER_TODAY"] = TODAY_2570
    return add_first_coordinator(app)


def test_a_fresh_install_today_reaches_a_fiscal_year_2570_plan_with_no_upload(app, fresh_install_today):
    client = login(app.test_client(), "first@today.test", factories.PASSWORD)
    page = client.get("/plan/", follow_redirects=True).text
    assert "ปีงบประมาณ พ.ศ. 2570" in page and "1 ต.ค. 2569 – 30 ก.ย. 2570" in page
    assert "ระบบจะสร้างรายการข้อคำถามจากรายการมาตรฐานของ ITA 2569" in page
    plan_page = client.post("/plan/rollover/", data={"year": "2570"}, follow_redirects=True).text
    assert "เริ่มปีงบประมาณ พ.ศ. 2570 แล้ว" in plan_page
    assert "ปีงบประมาณ พ.ศ. 2570 · จากผลการประเมิน ITA 2569" in plan_page


def test_the_first_year_started_today_has_the_shipped_ita_2569_list_and_its_documents(app, fresh_install_today):
    fiscal_year = rollover.start_fiscal_year(fresh_install_today.id, 2570, [], None)
    ita = fiscal_year.assessment_year
    assert [item.code for item in ita.items] == [f"O{n}" for n in range(1, 27)]
    assert (ita.measures_code, ita.results_code, ita.results_covers) == ("O25", "O26", "previous_yearend")


def test_the_command_starts_the_first_year_of_a_fresh_install(app, fresh_install_today):
    result = run(app, "--to", "2570")
    assert result.exit_code == 0, result.output
    assert "Started fiscal year 2570 (วันที่ 1 ต.ค. 2569 – 30 ก.ย. 2570) for อบต.เริ่มวันนี้" in result.output
    assert "answering ITA 2569 (item list made from the standard list)" in result.output
    assert "Carried over 0 of 0 unfinished measures." in result.output
    assert plan.get_fiscal_year(fresh_install_today.id, 2570).assessment_year.year == 2569


# --- a year whose list nobody has published yet: a copy of the latest known one ------------------

@pytest.fixture
def in_2570(app, fresh_install_today):
    """The agency of today, in fiscal year 2570 (ITA 2569); ITA 2570 ships no list."""
    rollover.start_fiscal_year(fresh_install_today.id, 2570, [], None)
    db.session.commit()
    return fresh_install_today


def test_a_year_whose_list_is_not_known_offers_a_copy_of_the_latest(app, in_2570):
    preview = rollover.preview(in_2570.id, 2571)
    assert (preview.item_list, preview.copy_source) == (rollover.ITEM_LIST_MISSING, 2569)
    assert "หรือเลือกเริ่มจากสำเนารายการ ITA 2569" in preview.refusal


def test_starting_from_a_copy_makes_the_year_s_list_marked_as_copied(app, in_2570):
    fiscal_year = rollover.start_fiscal_year(in_2570.id, 2571, [], None, copy_latest_list=True)
    ita = fiscal_year.assessment_year
    assert (ita.year, ita.copied_from) == (2570, 2569)
    assert [item.code for item in ita.items] == [f"O{n}" for n in range(1, 27)]
    assert (ita.measures_code, ita.results_code, ita.results_covers) == ("O25", "O26", "previous_yearend")


def test_the_copy_is_of_the_agencys_own_list_with_its_corrections(app, in_2570):
    ita_2569 = item_banks.get_assessment_year(in_2570.id, 2569)
    ita_2569.items.append(AssessmentItem(organization_id=in_2570.id, code="i1", tool="IIT", title="ข้อที่หน่วยงานเพิ่ม",
                                         position=27))
    item_banks.set_roles(ita_2569, "O24", "O26", "current_midyear", None)
    db.session.commit()
    ita = rollover.start_fiscal_year(in_2570.id, 2571, [], None, copy_latest_list=True).assessment_year
    assert ("i1", "ข้อที่หน่วยงานเพิ่ม") in [(item.code, item.title) for item in ita.items]
    assert (ita.measures_code, ita.results_covers) == ("O24", "current_midyear")


def test_without_asking_for_a_copy_nothing_is_started(app, in_2570):
    assert_refused(lambda: rollover.start_fiscal_year(in_2570.id, 2571, [], None),
                   "ยังไม่มีรายการข้อคำถามของการประเมิน ITA 2570")


def test_a_year_before_every_known_list_has_nothing_to_copy(app, new_agency):
    preview = rollover.preview(new_agency.id, 2567, copy_latest_list=True)  # ITA 2566
    assert (preview.item_list, preview.copy_source) == (rollover.ITEM_LIST_MISSING, None)
    assert "กรุณาอัปโหลดรายการข้อคำถาม" in preview.refusal


def test_the_page_offers_the_copy_as_a_choice_and_explains_it(app, in_2570):
    client = login(app.test_client(), "first@today.test", factories.PASSWORD)
    page = client.get("/plan/rollover/").text
    assert "ยังไม่มีรายการข้อคำถามของ ITA 2570" in page and "เลือกได้สองทาง" in page
    assert "เริ่มจากสำเนารายการ ITA 2569" in page and "อัปโหลดรายการข้อคำถามของ ITA 2570" in page
    assert "ยืนยันเริ่มปีงบประมาณ พ.ศ. 2571 จากสำเนารายการ ITA 2569" in page


def test_confirming_the_copy_starts_the_year_and_asks_to_check_the_list(app, in_2570):
    client = login(app.test_client(), "first@today.test", factories.PASSWORD)
    page = client.post("/plan/rollover/", data={"year": "2571", "copy_latest_list": "1"}, follow_redirects=True).text
    assert "เริ่มปีงบประมาณ พ.ศ. 2571 แล้ว" in page
    assert "รายการข้อคำถามของ ITA 2570 เป็นสำเนาจากรายการ ITA 2569 กรุณาตรวจสอบและแก้ไข" in page
    assert item_banks.get_assessment_year(in_2570.id, 2570).copied_from == 2569


def test_a_form_without_the_copy_choice_is_refused_and_saves_nothing(app, in_2570):
    client = login(app.test_client(), "first@today.test", factories.PASSWORD)
    page = client.post("/plan/rollover/", data={"year": "2571"}).text
    assert "ยังไม่มีรายการข้อคำถามของการประเมิน ITA 2570" in page
    assert count(FiscalYear) == 1 and item_banks.get_assessment_year(in_2570.id, 2570) is None


def test_the_page_marks_an_item_list_that_is_an_unchecked_copy(app, in_2570):
    item_banks.copy_latest_list(in_2570.id, 2570, None)
    db.session.commit()
    page = login(app.test_client(), "first@today.test", factories.PASSWORD).get("/plan/rollover/").text
    assert "ใช้รายการข้อคำถามของหน่วยงานที่มีอยู่แล้ว" in page
    assert "สำเนาจากรายการ ITA 2569 — กรุณาตรวจสอบและแก้ไข" in page


def test_the_analysis_page_marks_a_year_whose_list_is_an_unchecked_copy(app, in_2570):
    rollover.start_fiscal_year(in_2570.id, 2571, [], None, copy_latest_list=True)
    db.session.commit()
    client = login(app.test_client(), "first@today.test", factories.PASSWORD)
    assert "สำเนาจากรายการ ITA 2569 — กรุณาตรวจสอบและแก้ไข" in client.get("/plan/analysis?fy=2571").text
    assert "สำเนาจากรายการ" not in client.get("/plan/analysis?fy=2570").text


def test_the_command_without_the_option_says_how_to_start_from_a_copy(app, in_2570):
    result = run(app, "--to", "2571")
    assert result.exit_code == 1
    assert "ยังไม่มีรายการข้อคำถามของการประเมิน ITA 2570" in result.output
    assert "run the command again with --copy-latest-list" in result.output
    assert count(FiscalYear) == 1


def test_the_command_with_the_option_starts_from_a_copy(app, in_2570):
    result = run(app, "--to", "2571", "--copy-latest-list")
    assert result.exit_code == 0, result.output
    assert "answering ITA 2570 (item list copied from ITA 2569: check and correct it" in result.output
    assert item_banks.get_assessment_year(in_2570.id, 2570).copied_from == 2569

"""Who may open and change what: every route of the app against every kind of user.

The matrix below is read as a table: one row per route, one column per role. The roles are named
relative to one task, the กองคลัง task of topic (4) of the demo agency อบต.พิชัย:
  anonymous   nobody logged in
  coordinator the agency's ITA coordinator
  executive   the agency's executive (reads everything, changes nothing)
  own_head    the head of กองคลัง, whose division owns the task
  other_head  the head of สำนักปลัด, a division that does not own the task
  other_org   the coordinator of another agency (the most powerful user there)
"""
import io
import re
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tests.conftest import login
from tests import factories
from tracker.extensions import db
from tracker.models import (
    AssessmentItem, AssessmentYear, Division, DocumentFile, DocumentVersion, Measure, ProgressUpdate, Task, Topic, User,
)
from tracker.services import evidence, plan, tasks
from tracker.transactions import transaction

ROLES = ("anonymous", "coordinator", "executive", "own_head", "other_head", "other_org")
DEMO_EMAILS = {
    "coordinator": "coordinator@pichai.example",
    "executive": "executive@pichai.example",
    "own_head": "finance@pichai.example",
    "other_head": "palad@pichai.example",
}
OWN_DIVISION = "กองคลัง"
OTHER_DIVISION = "สำนักปลัด"
EVIDENCE_FILENAME = "ใบเสร็จตรวจพัสดุ.pdf"

# What each role gets from each route. 302 on a POST means the change was accepted and the
# browser is sent on; an anonymous 302 always goes to /login.
MATRIX = [
    # method  url                                    anonymous coordinator executive own_head other_head other_org
    ("GET",  "/",                                    302, 302, 302, 302, 302, 302),
    ("GET",  "/dashboard",                           302, 200, 200, 403, 403, 200),
    ("GET",  "/dashboard/timeline",                  302, 200, 200, 403, 403, 200),
    ("GET",  "/search?q=คู่มือ",                      302, 200, 200, 200, 200, 200),
    ("GET",  "/my",                                  302, 403, 403, 200, 200, 403),
    ("POST", "/my/seen",                             302, 403, 403, 302, 302, 403),
    ("GET",  "/tasks",                               302, 200, 200, 302, 302, 200),  # a head: to /my
    ("GET",  "/tasks/export.xlsx",                   302, 200, 200, 200, 200, 200),
    ("GET",  "/tasks/export.csv",                    302, 200, 200, 200, 200, 200),
    ("GET",  "/tasks/{task}",                        302, 200, 200, 200, 403, 404),
    ("POST", "/tasks/{task}",                        302, 302, 403, 302, 403, 404),
    ("GET",  "/evidence/{evidence}",                 302, 200, 200, 200, 403, 404),
    ("POST", "/evidence/{evidence}/public",          302, 302, 403, 302, 403, 404),
    ("GET",  "/plan/",                               302, 200, 200, 200, 200, 200),
    ("GET",  "/plan/result",                         302, 200, 200, 200, 200, 200),
    ("GET",  "/plan/analysis",                       302, 200, 200, 200, 200, 200),
    ("POST", "/plan/analysis/thresholds",            302, 302, 403, 403, 403, 404),
    ("GET",  "/plan/items/",                         302, 200, 403, 403, 403, 200),
    ("GET",  "/plan/topics/new",                     302, 200, 403, 403, 403, 200),
    ("POST", "/plan/topics/new",                     302, 302, 403, 403, 403, 302),
    ("GET",  "/plan/topics/{topic}/edit",            302, 200, 403, 403, 403, 404),
    ("POST", "/plan/topics/{topic}/edit",            302, 302, 403, 403, 403, 404),
    ("POST", "/plan/topics/{topic}/delete",          302, 302, 403, 403, 403, 404),
    ("GET",  "/plan/topics/{topic}/measures/new",    302, 200, 403, 403, 403, 404),
    ("POST", "/plan/topics/{topic}/measures/new",    302, 302, 403, 403, 403, 404),
    ("GET",  "/plan/measures/{measure}/edit",        302, 200, 403, 403, 403, 404),
    ("POST", "/plan/measures/{measure}/edit",        302, 302, 403, 403, 403, 404),
    ("POST", "/plan/measures/{measure}/move",        302, 302, 403, 403, 403, 404),
    ("POST", "/plan/measures/{measure}/delete",      302, 302, 403, 403, 403, 404),
    ("GET",  "/plan/divisions",                      302, 200, 403, 403, 403, 200),
    ("POST", "/plan/divisions",                      302, 302, 403, 403, 403, 302),
    ("GET",  "/plan/divisions/{division}/edit",      302, 200, 403, 403, 403, 404),
    ("POST", "/plan/divisions/{division}/edit",      302, 302, 403, 403, 403, 404),
    ("POST", "/plan/divisions/{division}/delete",    302, 302, 403, 403, 403, 404),
    ("GET",  "/approvals/",                          302, 200, 200, 403, 403, 200),
    ("GET",  "/approvals/new/measures",              302, 200, 403, 403, 403, 200),
    ("GET",  "/approvals/{approval}",                302, 200, 200, 403, 403, 404),
    ("GET",  "/approvals/{approval}/document",       302, 200, 200, 403, 403, 404),
    ("GET",  "/approvals/{approval}.memo-docx",      302, 200, 200, 403, 403, 404),
    ("POST", "/approvals/{approval}/decide",         302, 403, 302, 403, 403, 404),
    ("POST", "/approvals/{approval}/publish",        302, 302, 403, 403, 403, 404),
    ("POST", "/approvals/{approval}/withdraw",       302, 302, 403, 403, 403, 404),
    ("GET",  "/people/api-tokens",                   302, 200, 403, 403, 403, 200),
    ("POST", "/people/api-tokens",                   302, 200, 403, 403, 403, 200),
    ("POST", "/profile/calendar",                    302, 302, 302, 302, 302, 302),
    ("GET",  "/settings/public",                     302, 200, 403, 403, 403, 200),
    ("POST", "/settings/public",                     302, 302, 403, 403, 403, 302),
    ("GET",  "/public/pichai/",                      200, 200, 200, 200, 200, 200),
    ("GET",  "/public/pichai/2568/progress",         200, 200, 200, 200, 200, 200),
    ("GET",  "/public/pichai/evidence/{evidence}",   404, 404, 404, 404, 404, 404),  # not marked public
    ("GET",  "/healthz",                             200, 200, 200, 200, 200, 200),
    ("GET",  "/login",                               200, 302, 302, 302, 302, 302),
    ("POST", "/login",                               302, 302, 302, 302, 302, 302),
    ("POST", "/logout",                              302, 302, 302, 302, 302, 302),
]

MEASURE_FORM = {
    "title": "มาตรการที่เพิ่มระหว่างทดสอบสิทธิ์", "steps": "ขั้นที่หนึ่ง\nขั้นที่สอง",
    "start_date": "1 ต.ค. 2567", "end_date": "30 ก.ย. 2568", "all_divisions": "y",
}
# A valid form for every POST route, so that a 302 means "accepted", never "refused and sent away".
POST_DATA = {
    "/tasks/{task}": {"status": "in_progress", "percent": "50", "done_text": "ตรวจนับพัสดุแล้วครึ่งหนึ่ง",
                      "version": "{version}"},
    "/evidence/{evidence}/public": {"public": "1"},
    "/settings/public": {"slug": "pichai-lampang"},
    "/plan/topics/new": {"number": "9", "title": "ประเด็นที่เพิ่มระหว่างทดสอบสิทธิ์"},
    "/plan/topics/{topic}/edit": {"number": "4", "title": "กระบวนการกำกับดูแลการใช้ทรัพย์สินของราชการ (แก้ไข)"},
    "/plan/topics/{topic}/measures/new": MEASURE_FORM,
    "/plan/measures/{measure}/edit": MEASURE_FORM,
    "/plan/measures/{measure}/move": {"topic_id": "{topic}"},
    "/plan/divisions": {"name": "กองสาธารณสุขและสิ่งแวดล้อม"},
    "/plan/analysis/thresholds": {"oit_threshold": "100", "iit_threshold": "90", "eit_threshold": "85"},
    "/plan/divisions/{division}/edit": {"name": "กองคลังและพัสดุ"},
    "/login": {"email": "executive@pichai.example", "password": "pichai2568"},
    "/approvals/{approval}/decide": {"decision": "approve"},
    "/people/api-tokens": {"name": "ระบบทดสอบสิทธิ์"},
}


def matrix_cases():
    for method, url, *statuses in MATRIX:
        for role, status in zip(ROLES, statuses):
            yield pytest.param(role, method, url, status, id=f"{role}-{method}-{url}")


# --- the world the matrix runs in ----------------------------------------------------------------

def division_named(organization_id: int, name: str) -> Division:
    return db.session.scalar(select(Division).where(Division.organization_id == organization_id,
                                                    Division.name == name))


def division_task_ids(organization_id: int, division_name: str) -> set[int]:
    division = division_named(organization_id, division_name)
    return set(db.session.scalars(select(Task.id).where(Task.division_id == division.id,
                                                        Task.archived_at.is_(None))))


def topic_numbered(organization_id: int, number: int) -> Topic:
    return db.session.scalar(select(Topic).where(Topic.organization_id == organization_id, Topic.number == number))


def pending_request(demo) -> DocumentVersion:
    """A measures document waiting for the executive, with a stand-in for its memo's file."""
    version = factories.published_version(plan.get_fiscal_year(demo.id, 2568), formats=(), status="pending")
    db.session.add(DocumentFile(organization_id=demo.id, version_id=version.id, fmt="memo-docx", content=b"memo",
                                sha256="0" * 64, size=4))
    db.session.commit()
    return version


@pytest.fixture
def world(app, demo, other_agency):
    """The demo agency with a PDF attached to กองคลัง's task of topic (4), and a second agency."""
    topic = topic_numbered(demo.id, 4)
    measure = topic.measures[0]
    task = db.session.scalar(select(Task).where(Task.measure_id == measure.id))
    head = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["own_head"]))
    upload = FileStorage(io.BytesIO(b"%PDF-1.4 evidence"), filename=EVIDENCE_FILENAME,
                         content_type="application/pdf")
    files = evidence.save_uploads(task, head, [upload], app.config["TRACKER_UPLOAD_DIR"],
                                  app.config["TRACKER_UPLOAD_EXTENSIONS"], 10 * 1024 ** 2)
    tasks.record_progress(task, head, tasks.ProgressInput(status="done", percent=100, done_text="แนบใบเสร็จ"),
                          task.version, files)
    return {
        "organization": demo, "other_agency": other_agency,
        "ids": {"task": task.id, "version": task.version, "evidence": files[0].id, "topic": topic.id,
                "measure": measure.id, "division": task.division_id,
                "approval": pending_request(demo).id},
        "measure_title": measure.title,
    }


@pytest.fixture
def client_as(app, world):
    def make(role: str):
        client = app.test_client()
        if role == "anonymous":
            return client
        if role == "other_org":
            return login(client, world["other_agency"].coordinator.email, factories.PASSWORD)
        return login(client, DEMO_EMAILS[role])
    return make


def fill(template: str, ids: dict) -> str:
    return template.format(**ids)


def read(response):
    """Read the body and close the response (a served file stays open until closed)."""
    response.get_data()
    response.close()
    return response


def send(client, method: str, url: str, ids: dict):
    if method == "GET":
        return read(client.get(fill(url, ids)))
    data = {name: fill(value, ids) for name, value in POST_DATA.get(url, {}).items()}
    return read(client.post(fill(url, ids), data=data))


# --- the matrix ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role, method, url, expected", list(matrix_cases()))
def test_permission_matrix(client_as, world, role, method, url, expected):
    response = send(client_as(role), method, url, world["ids"])

    assert response.status_code == expected
    if role == "anonymous" and expected == 302 and url != "/login":
        assert urlparse(response.headers["Location"]).path == "/login"


# --- where a 302 goes ----------------------------------------------------------------------------

@pytest.mark.parametrize("role, target", [
    ("coordinator", "/dashboard"),
    ("executive", "/dashboard"),
    ("own_head", "/my"),
    ("other_head", "/my"),
])
def test_home_page_sends_each_role_to_its_start_page(client_as, role, target):
    response = client_as(role).get("/")

    assert urlparse(response.headers["Location"]).path == target


def test_anonymous_user_is_asked_to_log_in_and_returned_to_the_page_afterwards(client_as):
    response = client_as("anonymous").get("/tasks")

    assert "next=%2Ftasks" in response.headers["Location"]


def test_login_page_shows_anonymous_user_why_they_were_sent_there(client_as):
    response = client_as("anonymous").get("/dashboard", follow_redirects=True)

    assert "กรุณาเข้าสู่ระบบก่อนใช้งาน" in response.get_data(as_text=True)


def test_logged_out_user_must_log_in_again(client_as):
    client = client_as("coordinator")
    client.post("/logout")

    response = client.get("/tasks")

    assert urlparse(response.headers["Location"]).path == "/login"


# --- nothing of another division's task is shown ------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_forbidden_task_page_shows_nothing_of_the_task(client_as, world, method):
    response = send(client_as("other_head"), method, "/tasks/{task}", world["ids"])
    body = response.get_data(as_text=True)

    assert response.status_code == 403
    assert "คุณไม่มีสิทธิ์เข้าถึงหน้านี้" in body
    assert world["measure_title"] not in body
    assert OWN_DIVISION not in body


def test_forbidden_evidence_shows_nothing_of_the_file(client_as, world):
    response = send(client_as("other_head"), "GET", "/evidence/{evidence}", world["ids"])
    body = response.get_data(as_text=True)

    assert response.status_code == 403
    assert EVIDENCE_FILENAME not in body
    assert "%PDF" not in body


def test_evidence_file_is_served_to_its_division_head(client_as, world):
    response = send(client_as("own_head"), "GET", "/evidence/{evidence}", world["ids"])

    assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize("url", ["/tasks/{task}", "/evidence/{evidence}"])
def test_head_of_another_organization_gets_not_found_for_this_organizations_task(app, world, url):
    """Another agency's rows do not exist for the user: 404, not 403, so ids reveal nothing."""
    other = world["other_agency"]
    head = factories.head(other.organization, "กองคลัง")
    client = login(app.test_client(), head.email, factories.PASSWORD)

    response = client.get(fill(url, world["ids"]))

    assert response.status_code == 404


# --- a head's lists show their own division only --------------------------------------------------

def listed_task_ids(response) -> set[int]:
    return {int(task_id) for task_id in re.findall(r'href="/tasks/(\d+)"', response.get_data(as_text=True))}


def test_head_task_list_shows_only_own_division_tasks(client_as, world):
    response = client_as("own_head").get("/tasks", follow_redirects=True)

    assert listed_task_ids(response) == division_task_ids(world["organization"].id, OWN_DIVISION)


def test_head_my_tasks_shows_only_own_division_tasks(client_as, world):
    response = client_as("own_head").get("/my")

    assert listed_task_ids(response) == division_task_ids(world["organization"].id, OWN_DIVISION)


def test_head_asking_for_another_division_in_task_list_still_sees_only_own_tasks(client_as, world):
    other_division = division_named(world["organization"].id, OTHER_DIVISION)

    response = client_as("own_head").get(f"/tasks?division={other_division.id}", follow_redirects=True)

    assert listed_task_ids(response) == division_task_ids(world["organization"].id, OWN_DIVISION)


def test_head_asking_for_another_division_in_task_list_sees_none_of_its_tasks(client_as, world):
    other_division = division_named(world["organization"].id, OTHER_DIVISION)

    response = client_as("own_head").get(f"/tasks?division={other_division.id}", follow_redirects=True)

    assert not listed_task_ids(response) & division_task_ids(world["organization"].id, OTHER_DIVISION)


def test_coordinator_task_list_shows_every_division(client_as, world):
    response = client_as("coordinator").get("/tasks")

    all_ids = set(db.session.scalars(select(Task.id).where(Task.organization_id == world["organization"].id)))
    assert listed_task_ids(response) == all_ids


def test_other_organization_task_list_shows_none_of_this_organizations_tasks(client_as, world):
    response = client_as("other_org").get("/tasks")

    demo_ids = set(db.session.scalars(select(Task.id).where(Task.organization_id == world["organization"].id)))
    assert listed_task_ids(response)
    assert not listed_task_ids(response) & demo_ids


# --- what the accepted POSTs did ----------------------------------------------------------------

def update_count(task_id: int) -> int:
    return db.session.scalar(select(func.count(ProgressUpdate.id)).where(ProgressUpdate.task_id == task_id))


def test_head_update_of_own_task_is_recorded(client_as, world):
    send(client_as("own_head"), "POST", "/tasks/{task}", world["ids"])

    task = db.session.get(Task, world["ids"]["task"])
    assert (task.status, task.percent) == ("in_progress", 50)
    assert db.session.scalar(select(ProgressUpdate.done_text).where(ProgressUpdate.task_id == task.id)
                             .order_by(ProgressUpdate.id.desc()).limit(1)) == "ตรวจนับพัสดุแล้วครึ่งหนึ่ง"


@pytest.mark.parametrize("role", ["executive", "other_head", "other_org"])
def test_refused_task_update_changes_nothing(client_as, world, role):
    task_id = world["ids"]["task"]
    updates_before = update_count(task_id)

    send(client_as(role), "POST", "/tasks/{task}", world["ids"])

    task = db.session.get(Task, task_id)
    assert (task.status, task.percent) == ("done", 100)
    assert update_count(task_id) == updates_before


def test_deleting_a_division_with_tasks_deactivates_it_and_keeps_its_tasks(client_as, world):
    division_id = world["ids"]["division"]
    task_ids = division_task_ids(world["organization"].id, OWN_DIVISION)

    response = send(client_as("coordinator"), "POST", "/plan/divisions/{division}/delete", world["ids"])

    division = db.session.get(Division, division_id)
    assert response.status_code == 302
    assert division is not None and division.active is False
    assert {t.id for t in db.session.scalars(select(Task).where(Task.id.in_(task_ids)))} == task_ids
    assert all(db.session.get(Task, task_id).archived_at is not None for task_id in task_ids)


def test_deactivated_division_is_listed_as_no_longer_used(client_as, world):
    client = client_as("coordinator")
    send(client, "POST", "/plan/divisions/{division}/delete", world["ids"])

    body = client.get("/plan/divisions").get_data(as_text=True)

    assert f'<td data-label="ชื่อ">{OWN_DIVISION}</td><td data-label="สถานะ">เลิกใช้</td>' in body


def test_deleting_a_division_nobody_used_removes_it(client_as, world):
    # Added straight to the table: a division added through the page at once gets the tasks of
    # every running "ทุกกอง" measure, and is then "used".
    division = Division(organization_id=world["organization"].id, name="หน่วยตรวจสอบภายใน", position=9)
    db.session.add(division)
    db.session.commit()
    division_id = division.id

    response = client_as("coordinator").post(f"/plan/divisions/{division_id}/delete")

    assert response.status_code == 302
    assert db.session.get(Division, division_id) is None


def test_deleting_a_topic_without_measures_removes_it(client_as, world):
    with transaction():
        topic = plan.create_topic(plan.get_fiscal_year(world["organization"].id, 2568),
                                  plan.TopicInput(number=8, title="ประเด็นว่าง"), actor=None)
    topic_id = topic.id

    response = client_as("coordinator").post(f"/plan/topics/{topic_id}/delete")

    assert response.status_code == 302
    assert db.session.get(Topic, topic_id) is None


def test_deleting_a_topic_with_measures_keeps_it_and_says_why(client_as, world):
    client = client_as("coordinator")

    response = client.post(fill("/plan/topics/{topic}/delete", world["ids"]), follow_redirects=True)

    assert db.session.get(Topic, world["ids"]["topic"]) is not None
    assert "ลบประเด็นนี้ไม่ได้ เพราะยังมีมาตรการอยู่" in response.get_data(as_text=True)


def test_deleting_a_measure_without_progress_removes_it_and_its_tasks(client_as, world):
    measure = topic_numbered(world["organization"].id, 2).measures[0]
    measure_id = measure.id

    response = client_as("coordinator").post(f"/plan/measures/{measure_id}/delete")

    assert response.status_code == 302
    assert db.session.get(Measure, measure_id) is None
    assert db.session.scalar(select(func.count(Task.id)).where(Task.measure_id == measure_id)) == 0


def test_deleting_a_measure_with_progress_keeps_it_and_says_why(client_as, world):
    response = client_as("coordinator").post(fill("/plan/measures/{measure}/delete", world["ids"]),
                                              follow_redirects=True)

    assert db.session.get(Measure, world["ids"]["measure"]) is not None
    assert "ลบมาตรการนี้ไม่ได้ เพราะมีการรายงานความก้าวหน้าแล้ว" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["executive", "own_head", "other_org"])
def test_refused_division_delete_changes_nothing(client_as, world, role):
    send(client_as(role), "POST", "/plan/divisions/{division}/delete", world["ids"])

    assert db.session.get(Division, world["ids"]["division"]).active is True


@pytest.mark.parametrize("role", ["executive", "own_head", "other_org"])
def test_refused_measure_delete_changes_nothing(client_as, world, role):
    measure = topic_numbered(world["organization"].id, 2).measures[0]
    measure_id = measure.id

    client_as(role).post(f"/plan/measures/{measure_id}/delete")

    assert db.session.get(Measure, measure_id) is not None


def test_coordinator_topic_edit_is_saved(client_as, world):
    send(client_as("coordinator"), "POST", "/plan/topics/{topic}/edit", world["ids"])

    assert db.session.get(Topic, world["ids"]["topic"]).title == POST_DATA["/plan/topics/{topic}/edit"]["title"]


def test_coordinator_division_rename_is_saved(client_as, world):
    send(client_as("coordinator"), "POST", "/plan/divisions/{division}/edit", world["ids"])

    assert db.session.get(Division, world["ids"]["division"]).name == "กองคลังและพัสดุ"


def test_other_organization_topic_created_in_its_own_plan(client_as, world):
    send(client_as("other_org"), "POST", "/plan/topics/new", world["ids"])

    topic = topic_numbered(world["other_agency"].organization.id, 9)
    assert topic is not None
    assert topic_numbered(world["organization"].id, 9) is None



def test_archived_task_refuses_updates_even_from_the_coordinator(client_as, world):
    client = client_as("coordinator")
    send(client, "POST", "/plan/divisions/{division}/delete", world["ids"])
    updates_before = update_count(world["ids"]["task"])

    response = send(client, "POST", "/tasks/{task}", world["ids"])

    assert response.status_code == 403
    assert update_count(world["ids"]["task"]) == updates_before


# --- another organization's rows cannot be linked in through a form -------------------------------

def test_measure_cannot_be_given_a_division_of_another_organization(client_as, world):
    foreign_division = world["other_agency"].divisions["กองคลัง"]
    form = {**MEASURE_FORM, "all_divisions": "", "division_ids": str(foreign_division.id)}

    response = client_as("coordinator").post(fill("/plan/measures/{measure}/edit", world["ids"]), data=form)

    measure = db.session.get(Measure, world["ids"]["measure"])
    assert response.status_code != 302
    assert "ตัวเลือกไม่ถูกต้อง" in response.get_data(as_text=True)
    assert [d.name for d in measure.divisions] == [OWN_DIVISION]


def test_topic_cannot_be_linked_to_an_assessment_item_of_another_organization(client_as, world):
    other = world["other_agency"].organization
    year = AssessmentYear(organization_id=other.id, year=2567)
    year.items.append(AssessmentItem(organization_id=other.id, code="O99", tool="OIT", title="ข้อของหน่วยงานอื่น"))
    db.session.add(year)
    db.session.commit()
    foreign_item_id = year.items[0].id
    form = {**POST_DATA["/plan/topics/{topic}/edit"], "item_ids": str(foreign_item_id)}

    response = client_as("coordinator").post(fill("/plan/topics/{topic}/edit", world["ids"]), data=form)

    topic = db.session.get(Topic, world["ids"]["topic"])
    assert response.status_code != 302
    assert foreign_item_id not in {item.id for item in topic.items}


# --- where the login page sends a user afterwards ------------------------------------------------

@pytest.mark.parametrize("next_url, landing", [
    ("/tasks", "/tasks"),
    ("//evil.example/phish", "/"),
    ("https://evil.example/phish", "/"),
])
def test_login_returns_only_to_a_page_of_this_site(app, world, next_url, landing):
    response = app.test_client().post("/login", query_string={"next": next_url},
                                      data=POST_DATA["/login"])

    location = urlparse(response.headers["Location"])
    assert (location.netloc, location.path) == ("", landing)


# --- the menu shows what the user may open, and nothing else ---------------------------------------

def menu_links(body: str) -> list[tuple[str, str, bool]]:
    """(href, label, marked as the page shown) of each link in the top bar's menu."""
    bar = body[body.index('<header class="topbar">'):body.index("</header>")]
    nav = bar[bar.index('<nav id="main-menu"'):bar.index("</nav>")]
    return [(href, label.strip(), bool(current)) for href, current, label in
            re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)(?:<span class="count-badge".*?</span></span>)?</a>',
                       nav, re.S)]


@pytest.mark.parametrize("role, sections", [
    ("coordinator", {"ภาพรวม", "งานทั้งหมด", "มาตรการ", "ผล ITA", "รายงาน", "อนุมัติและเผยแพร่", "จัดการกอง",
                     "ผู้ใช้", "การแจ้งเตือน", "กล่องข้อความ", "ตั้งค่าของฉัน", "คู่มือ"}),
    ("executive", {"ภาพรวม", "งานทั้งหมด", "มาตรการ", "ผล ITA", "รายงาน", "อนุมัติและเผยแพร่", "กล่องข้อความ",
                   "ตั้งค่าของฉัน", "คู่มือ"}),
    ("own_head", {"งานของฉัน", "มาตรการ", "ผล ITA", "กล่องข้อความ", "ตั้งค่าของฉัน", "คู่มือ"}),  # no งานทั้งหมด: the same list
])
def test_menu_offers_each_role_only_pages_it_may_open(client_as, role, sections):
    client = client_as(role)
    links = menu_links(client.get("/inbox").get_data(as_text=True))

    assert {label for _, label, _ in links} == sections
    assert [label for _, label, current in links if current] == ["กล่องข้อความ"]
    for href, label, _ in links:
        assert client.get(href).status_code == 200, label

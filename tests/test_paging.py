"""Long lists a page at a time: tasks, งานของฉัน, people, deliveries and a task's audit trail show 30
rows with the total and links either side, and the filters stay on every page."""
import re

import pytest
from flask import current_app
from sqlalchemy import select

from tests import factories
from tests.conftest import login
from tracker import clock
from tracker.extensions import db
from tracker.models import Delivery, Task
from tracker.services import outbox, plan, tasks, users
from tracker.services.paging import PER_PAGE
from tracker.transactions import transaction

MEASURES = 35  # over two divisions: 70 tasks, 35 of them a head's


@pytest.fixture
def big_plan(app):
    agency = factories.agency("อบต.หน้ายาว", divisions=("สำนักปลัด", "กองคลัง"))
    with transaction():
        for number in range(2, MEASURES + 1):
            plan.create_measure(agency.topic, factories.measure_input(
                agency.fiscal_year, title=f"มาตรการที่ {number:02d}", all_divisions=True), actor=None)
    factories.head(agency.organization, "กองคลัง", email="head@long.test")
    return agency


def page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def task_links(html: str) -> list[str]:
    return re.findall(r'<td data-label="มาตรการ"><a href="(/tasks/\d+)"', html)


def next_link(html: str) -> str:
    return re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_the_task_list_shows_30_tasks_a_page_and_together_the_whole_list_in_order(app, big_plan):
    client = login(app.test_client(), big_plan.coordinator.email, factories.PASSWORD)
    first = page(client.get("/tasks?fy=2568"))
    assert "70 งาน" in first and "หน้า 1 จาก 3 · รายการที่ 1–30 จาก 70" in first
    assert 'rel="prev"' not in first

    shown, html = task_links(first), first
    while 'rel="next"' in html:
        html = page(client.get(next_link(html)))
        shown += task_links(html)
    everything = tasks.task_page(big_plan.coordinator, big_plan.fiscal_year, tasks.TaskFilter(), clock.today(), 1,
                                 per_page=1000).items
    assert shown == [f"/tasks/{task.id}" for task in everything]
    assert "หน้า 3 จาก 3 · รายการที่ 61–70 จาก 70" in html and 'rel="prev"' in html


def test_the_filter_stays_on_every_page(app, big_plan):
    client = login(app.test_client(), big_plan.coordinator.email, factories.PASSWORD)
    division = big_plan.divisions["กองคลัง"].id
    first = page(client.get(f"/tasks?fy=2568&division={division}&status=not_started"))
    link = next_link(first)
    assert f"division={division}" in link and "status=not_started" in link and "fy=2568" in link
    second = page(client.get(link))
    assert "หน้า 2 จาก 2 · รายการที่ 31–35 จาก 35" in second
    assert "สำนักปลัด</td>" not in second


def test_a_heads_list_pages_too(app, big_plan):
    client = login(app.test_client(), "head@long.test", factories.PASSWORD)
    first = page(client.get("/my?fy=2568"))
    assert "หน้า 1 จาก 2 · รายการที่ 1–30 จาก 35" in first and len(task_links(first)) == PER_PAGE
    link = next_link(first)
    assert link.startswith("/my?")
    assert len(task_links(page(client.get(link)))) == 5


@pytest.mark.parametrize("asked, shown", [("999", "หน้า 3 จาก 3"), ("0", "หน้า 1 จาก 3"), ("abc", "หน้า 1 จาก 3"),
                                          ("-4", "หน้า 1 จาก 3"), ("99999999999999999999", "หน้า 1 จาก 3"),
                                          ("123456789", "หน้า 3 จาก 3")])
def test_a_page_number_past_the_end_or_unreadable_shows_a_page_that_exists(app, big_plan, asked, shown):
    client = login(app.test_client(), big_plan.coordinator.email, factories.PASSWORD)
    html = page(client.get(f"/tasks?fy=2568&page={asked}"))
    assert shown in html and task_links(html)


def test_a_short_list_has_no_pager(coordinator_client):
    assert 'class="pager"' not in page(coordinator_client.get("/tasks?fy=2568&status=done"))


def test_the_people_page_pages_and_a_save_returns_to_the_page_of_the_person(app, big_plan):
    with transaction():
        for number in range(PER_PAGE + 5):
            users.create_user(big_plan.organization, f"person{number:02d}@long.test", "executive",
                              factories.PASSWORD, f"ผู้ใช้ที่ {number:02d}", config=current_app.config)
    client = login(app.test_client(), big_plan.coordinator.email, factories.PASSWORD)
    first = page(client.get("/people"))
    total = PER_PAGE + 5 + 2  # and the coordinator and the head
    assert f"หน้า 1 จาก 2 · รายการที่ 1–30 จาก {total}" in first
    last = users.people_page(big_plan.organization.id, 2).items[-1]
    response = client.post(f"/people/{last.id}/edit", data={
        "name": last.name + " (แก้)", "position": "", "role": last.role, "division": "", "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.location.endswith(f"/people?page=2#user-{last.id}")
    assert f'id="user-{last.id}"' in page(client.get("/people?page=2"))


def test_the_delivery_log_keeps_its_filter_across_pages(app, big_plan):
    head = users.find_user_by_email("head@long.test")
    with transaction():
        for number in range(60):
            outbox.queue(head, "test", str(number), f"เรื่องที่ {number}", "ข้อความ", current_app.config, clock.now())
    client = login(app.test_client(), big_plan.coordinator.email, factories.PASSWORD)
    first = page(client.get("/notify/deliveries?channel=inbox"))
    assert "รายการที่ 1–50 จาก 60" in first
    link = next_link(first)
    assert "channel=inbox" in link and "page=2" in link
    assert "รายการที่ 51–60 จาก 60" in page(client.get(link))
    assert db.session.scalar(select(db.func.count(Delivery.id)).where(Delivery.channel == "inbox")) == 60


def test_a_tasks_audit_trail_pages_below_its_history(app, big_plan):
    head = users.find_user_by_email("head@long.test")
    task = big_plan.task("กองคลัง")
    for percent in range(1, PER_PAGE + 6):
        with transaction():
            task = db.session.get(Task, task.id)
            tasks.record_progress(task, head, tasks.ProgressInput("in_progress", percent), task.version)
    client = login(app.test_client(), "head@long.test", factories.PASSWORD)
    html = page(client.get(f"/tasks/{task.id}"))
    assert html.count('<article class="update') == PER_PAGE + 5  # the history is whole
    link = next_link(html)
    assert link == f"/tasks/{task.id}?audit_page=2#audit"
    older = page(client.get(link))
    assert "หน้า 2 จาก 2" in older and "(1%)" in older  # the first report is the oldest event
    past_the_end = page(client.get(f"/tasks/{task.id}?audit_page=9"))
    assert "หน้า 2 จาก 2" in past_the_end and f"จาก {PER_PAGE + 6}" in past_the_end
    assert "(1%)" in past_the_end  # a page past the end shows the last one

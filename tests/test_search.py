"""Search: any part of the Thai text of topics, measures, steps, tasks and reports; every word must
appear; a head finds only their division's work; another agency's rows are never found."""
import re

import pytest

from tests.test_dashboard import html_of
from tracker.extensions import db
from tracker.models import Task
from tracker.services import search, tasks
from tracker.services.users import find_user_by_email
from tracker.transactions import transaction


def found(user_email: str, query: str) -> search.Found:
    return search.search(find_user_by_email(user_email), query)


def wheres(result: search.Found, kind: str) -> list[str]:
    return [hit.where for hit in result.hits[kind]]


def test_part_of_a_thai_word_finds_topics_measures_steps_and_tasks(demo):
    result = found("coordinator@pichai.example", "คู่มือ")  # inside "การจัดทำคู่มือหรือแนวทาง…"

    assert any("การจัดทำคู่มือ" in where for where in wheres(result, "measure"))
    assert result.hits["step"] and result.hits["task"]
    before, match, after = result.hits["measure"][0].snippet
    assert match == "คู่มือ" and (before + match + after).replace("…", "") in result.hits["measure"][0].where


def test_every_word_must_appear_in_one_of_the_hits_fields(demo):
    result = found("coordinator@pichai.example", "กองคลัง คู่มือ")

    assert result.total == 1 and wheres(result, "task")[0].startswith("กองคลัง: การจัดทำคู่มือ")


def test_progress_texts_are_found_and_link_to_the_report_on_its_task(coordinator_client, demo):
    result = found("coordinator@pichai.example", "Facebook")
    update = result.hits["update"][0]
    assert update.snippet[1] == "Facebook" and update.where.startswith("สำนักปลัด · ")

    page = html_of(coordinator_client, "/search?q=facebook")  # not case sensitive
    link = re.search(r'<a href="(/tasks/\d+#update-(\d+))">', page)
    assert link and "<mark>Facebook</mark>" in page
    assert f'id="update-{link.group(2)}"' in html_of(coordinator_client, link.group(1).split("#")[0])


def test_a_head_finds_the_plan_but_only_their_divisions_tasks_and_reports(demo):
    everyone = found("coordinator@pichai.example", "ประชาสัมพันธ์")
    head = found("finance@pichai.example", "ประชาสัมพันธ์")

    assert wheres(head, "measure") == wheres(everyone, "measure")
    assert head.hits["task"] and {where.split(":")[0] for where in wheres(head, "task")} == {"กองคลัง"}
    assert len(head.hits["task"]) < len(everyone.hits["task"])
    assert found("finance@pichai.example", "Facebook").hits["update"] == []  # สำนักปลัด's report


def test_another_agencys_plan_is_never_found(demo, other_agency):
    assert found("coordinator@pichai.example", "ประเด็นทดสอบ").total == 0
    assert found(other_agency.coordinator.email, "ประเด็นทดสอบ").hits["topic"]
    assert found(other_agency.coordinator.email, "คู่มือ").total == 0


@pytest.mark.parametrize("query", ["%", "_", "100%", "\\"])
def test_wildcards_are_searched_as_the_characters_typed(demo, query):
    assert found("coordinator@pichai.example", query).total == 0


def test_thai_digits_find_arabic_ones(demo):
    task = db.session.scalar(db.select(Task).order_by(Task.id))
    with transaction():
        tasks.record_progress(task, find_user_by_email("coordinator@pichai.example"),
                              tasks.ProgressInput(status="in_progress", percent=5, done_text="จัดอบรมแล้ว 3 รุ่น"),
                              task.version)
    result = found("coordinator@pichai.example", "๓ รุ่น")
    assert [hit.snippet[1] for hit in result.hits["update"]] == ["3"]


def test_what_people_wrote_is_shown_as_text_not_markup(app, coordinator_client, demo):
    task = db.session.scalar(db.select(Task).order_by(Task.id))
    with transaction():
        tasks.record_progress(task, find_user_by_email("coordinator@pichai.example"),
                              tasks.ProgressInput(status="in_progress", percent=5,
                                                  done_text='ทดสอบ <script>alert("x")</script> ค้นหา'), task.version)
    page = html_of(coordinator_client, "/search?q=ทดสอบ")
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<mark>ทดสอบ</mark>" in page


def test_an_empty_search_asks_for_words_and_the_top_bar_has_the_box(coordinator_client):
    page = html_of(coordinator_client, "/search?q=+++")
    assert "กรุณาพิมพ์คำที่ต้องการค้นหา" in page
    assert 'role="search"' in html_of(coordinator_client, "/dashboard")


def test_search_needs_a_login(app):
    assert app.test_client().get("/search?q=x").status_code == 302


def test_a_long_search_uses_its_first_words(demo):
    result = found("coordinator@pichai.example", "คู่มือ " * 3 + "a b c d e f g")
    assert result.terms == ["คู่มือ", "a", "b", "c", "d", "e"]

"""The measures' time line: each measure's period across the fiscal year's months, today's line, and
each division's progress."""
import re
from datetime import date

import pytest

from tests.test_dashboard import html_of
from tracker.extensions import db
from tracker.models import Division
from tracker.services import plan, tasks, timeline
from tracker.services.users import find_user_by_email

FY_2568 = 2568


@pytest.fixture
def fiscal_year(demo):
    return plan.get_fiscal_year(demo.id, FY_2568)


@pytest.mark.parametrize("day, end_of_day, months", [
    (date(2024, 10, 1), False, 0.0),  # the year's first morning
    (date(2025, 9, 30), True, 12.0),  # its last evening
    (date(2024, 10, 31), True, 1.0),  # a period ending with October reaches November
    (date(2025, 4, 16), False, 6.5),  # half of April gone: 15 of its 30 days
    (date(2024, 3, 1), False, 0.0),  # before the year: kept at its start
    (date(2026, 1, 1), True, 12.0),  # after it: kept at its end
])
def test_a_day_is_placed_in_months_from_the_first_of_october(fiscal_year, day, end_of_day, months):
    assert timeline.months_from_start(fiscal_year, day, end_of_day) == pytest.approx(months)


def test_months_are_labelled_in_thai_from_october_to_september(fiscal_year):
    labels = timeline.month_labels(fiscal_year)
    assert labels[0] == "ต.ค. 67" and labels[3] == "ม.ค. 68" and labels[-1] == "ก.ย. 68" and len(labels) == 12


def test_each_measure_is_one_bar_with_its_divisions_progress_in_plan_order(fiscal_year):
    coordinator = find_user_by_email("coordinator@pichai.example")
    shown = timeline.timeline(coordinator, fiscal_year, tasks.TaskFilter(), date(2025, 3, 31))

    assert [bar.topic_number for bar in shown.measures] == [1, 2, 2, 3, 4, 7]
    assert sum(len(bar.tasks) for bar in shown.measures) == 15  # every task of the demo, once
    first = shown.measures[0]
    assert (first.starts_at, first.ends_at) == (0.0, 12.0)  # the demo's measures run all year
    assert [(task.division, task.percent) for task in first.tasks][:3] == [
        ("สำนักปลัด", 100), ("กองคลัง", 60), ("กองช่าง", 0)]
    assert first.percent == 40.0
    assert shown.today_at == pytest.approx(5 + 30 / 31)  # 31 Mar: March's thirtieth day gone


def test_late_tasks_are_marked_and_today_outside_the_year_draws_no_line(fiscal_year):
    coordinator = find_user_by_email("coordinator@pichai.example")
    shown = timeline.timeline(coordinator, fiscal_year, tasks.TaskFilter(), date(2025, 10, 10))

    assert shown.today_at is None
    late = {(bar.topic_number, task.division) for bar in shown.measures for task in bar.tasks if task.late}
    assert (2, "กองช่าง") in late and all(bar.late for bar in shown.measures if bar.percent < 100)


def test_the_page_draws_every_measure_and_follows_the_dashboards_filter(executive_client, demo):
    page = html_of(executive_client, "/dashboard/timeline?fy=2568")
    assert page.count('class="gantt-row') == 6
    assert len(re.findall(r'<line class="today" x1="5\.9\d*"', page)) == 6
    assert "สำนักปลัด 100%" in page and "กองคลัง 60%" in page

    division = db.session.scalar(db.select(Division).where(Division.name == "กองช่าง"))
    narrowed = html_of(executive_client, f"/dashboard/timeline?fy=2568&division={division.id}")
    assert narrowed.count('class="gantt-row') == 3
    assert "สำนักปลัด 100%" not in narrowed and "กองช่าง 0%" in narrowed


def test_the_dashboard_links_to_the_time_line_with_its_filter(executive_client, demo):
    division = db.session.scalar(db.select(Division).where(Division.name == "กองช่าง"))
    page = html_of(executive_client, f"/dashboard?division={division.id}")
    assert f'href="/dashboard/timeline?fy=2568&amp;division={division.id}"' in page

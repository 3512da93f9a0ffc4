"""The dashboard: where the fiscal year stands, by topic and by division, every number a link."""
import re
from datetime import date

from tests import factories
from tests.conftest import login
from tracker.extensions import db
from tracker.models import Division
from tracker.services import dashboard, plan, tasks
from tracker.services.users import find_user_by_email

TODAY = date(2025, 3, 31)


def html_of(client, url="/dashboard") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_progress_by_division_counts_the_demo(app, demo):
    coordinator = find_user_by_email("coordinator@pichai.example")
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    rows = {r.label: r for r in dashboard.overview(coordinator, fiscal_year, tasks.TaskFilter(), TODAY).by_division}
    # กองคลัง: the ทุกกอง measures (1 + 2) and topic 4's measure; one done, one in progress.
    finance = rows["กองคลัง"]
    assert (finance.total, finance.done, finance.in_progress, finance.not_started, finance.late) == (4, 1, 1, 2, 0)
    assert rows["สำนักปลัด"].total == 5


def test_progress_by_topic_follows_topic_order(app, demo):
    coordinator = find_user_by_email("coordinator@pichai.example")
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    counted = dashboard.overview(coordinator, fiscal_year, tasks.TaskFilter(), TODAY)
    assert [r.total for r in counted.by_topic] == [4, 8, 1, 1, 1]
    assert counted.total.total == 15
    assert [r.number for r in counted.by_division] == sorted(r.number for r in counted.by_division)



def test_rows_by_topic_and_by_division_add_up_to_the_same_tasks(app, demo):
    coordinator = find_user_by_email("coordinator@pichai.example")
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    counted = dashboard.overview(coordinator, fiscal_year, tasks.TaskFilter(), TODAY)
    listed = tasks.task_page(coordinator, fiscal_year, tasks.TaskFilter(), TODAY, 1, per_page=10_000).items
    for rows in (counted.by_topic, counted.by_division):
        for count in dashboard.COUNTS:
            assert sum(getattr(row, count) for row in rows) == getattr(counted.total, count)
    assert counted.total.total == len(listed)
    assert counted.total.average_percent == round(sum(task.percent for task in listed) / len(listed), 1)
    finance = [task.percent for task in listed if task.division.name == "กองคลัง"]
    assert next(row for row in counted.by_division if row.label == "กองคลัง").average_percent == round(
        sum(finance) / len(finance), 1)

FILTERS = [{}, {"status": "late"}, {"status": "done"}, {"status": "in_progress"}, {"status": "no-such-status"},
           {"topic": 2}, {"division": "กองคลัง", "status": "not_started"}, {"division": "กองช่าง", "topic": 2}]


def test_every_filter_counts_the_tasks_its_list_shows(app, demo):
    """Each filter's statements are built once per shape and reused with other values: the counts,
    the late list and the list of tasks agree for every shape, as coordinator and as a head."""
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    topics = {topic.number: topic.id for topic in fiscal_year.topics}
    divisions = {division.name: division.id for division in plan.divisions(demo.id)}
    for email in ("coordinator@pichai.example", "finance@pichai.example"):
        user = find_user_by_email(email)
        for today in (TODAY, date(2025, 10, 1)):
            for chosen in FILTERS:
                task_filter = tasks.TaskFilter(divisions.get(chosen.get("division")), topics.get(chosen.get("topic")),
                                               chosen.get("status"))
                listed = tasks.task_page(user, fiscal_year, task_filter, today, 1, per_page=10_000).items
                counted = dashboard.overview(user, fiscal_year, task_filter, today)
                assert counted.total.total == len(listed), (email, today, chosen)
                late = [task.id for task in listed if task.is_late(today)]
                assert counted.total.late == len(late)
                late_only = tasks.TaskFilter(task_filter.division_id, task_filter.topic_id, tasks.LATE)
                assert sorted(row.task_id for row in counted.late) == sorted(
                    task.id for task in tasks.task_page(user, fiscal_year, late_only, today, 1, 10_000).items)
                if user.is_head:
                    assert {task.division_id for task in listed} <= {user.division_id}


def test_late_is_counted_after_the_due_date(app, demo):
    coordinator = find_user_by_email("coordinator@pichai.example")
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    total = dashboard.overview(coordinator, fiscal_year, tasks.TaskFilter(), date(2025, 10, 1)).total
    assert total.late == 15 - total.done


def test_dashboard_shows_numbers_that_link_to_their_tasks(executive_client):
    html = html_of(executive_client)
    assert "ภาพรวมปีงบประมาณ พ.ศ. 2568" in html
    assert "1 ต.ค. 2567 – 30 ก.ย. 2568" in html
    link = re.search(r'<a href="(/tasks\?[^"]*status=done[^"]*)">(\d+)</a>', html)
    assert link, "the done count links to the task list"
    listed = executive_client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(re.findall(r'href="/tasks/\d+"', listed)) == int(link.group(2))


def test_dashboard_division_filter_narrows_every_number(executive_client, demo):
    division = db.session.scalar(db.select(Division).where(Division.name == "กองช่าง"))
    html = html_of(executive_client, f"/dashboard?division={division.id}")
    summary = re.search(r'<div class="stat"><a href="[^"]*">(\d+)</a><span>งานทั้งหมด', html)
    assert summary.group(1) == "3"


def test_dashboard_lists_recent_updates_and_late_tasks(app, executive_client):
    app.config["TRACKER_TODAY"] = "2025-10-10"
    html = html_of(executive_client)
    recent = html.split("การรายงานล่าสุด", 1)[1]
    assert "สุดารัตน์ มั่นคง" in recent and "เสร็จสิ้น 100%" in recent  # who reported what
    assert "งานที่ล่าช้า" in html and "กำหนดเสร็จ 30 ก.ย. 2568" in html


def test_dashboard_of_another_agency_shows_only_its_own_tasks(app, demo, other_agency):
    client = app.test_client()
    login(client, other_agency.coordinator.email, factories.PASSWORD)
    html = html_of(client)
    assert re.search(r'<div class="stat"><a href="[^"]*">(\d+)</a><span>งานทั้งหมด', html).group(1) == "2"
    assert "สุดารัตน์" not in html


# --- the cards and bars say what they count -------------------------------------------------------

def summary_cards(html: str) -> dict[str, int]:
    cards = re.findall(r'<div class="stat[^"]*">(?:<a href="[^"]*">|<span class="zero">)(\d+)</(?:a|span)><span>([^<]+)</span>',
                       html)
    return {label: int(number) for number, label in cards}


def test_status_cards_count_each_task_once_and_say_how_lateness_is_counted(app, executive_client):
    app.config["TRACKER_TODAY"] = "2025-10-10"  # past every due date: the unfinished work is late
    html = html_of(executive_client)
    cards = summary_cards(html)

    assert set(cards) == {"งานทั้งหมด", "เสร็จสิ้น", "กำลังดำเนินการ", "ยังไม่เริ่ม", "ล่าช้า", "ยกเลิก"}
    assert cards["ล่าช้า"] > 0
    assert cards["งานทั้งหมด"] == sum(count for label, count in cards.items() if label != "งานทั้งหมด")
    assert "แต่ละงานนับครั้งเดียว" in html and "ไม่นับซ้ำใน “กำลังดำเนินการ” หรือ “ยังไม่เริ่ม”" in html


def test_each_rows_bar_shows_its_average_progress_beside_the_status_mix(executive_client):
    html = html_of(executive_client)
    table = html.split("ความคืบหน้ารายกอง", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'aria-valuenow="(\d+)".*?aria-label="เสร็จสิ้น (\d+) กำลังดำเนินการ (\d+) ยังไม่เริ่ม (\d+)'
                      r' ล่าช้า (\d+) ยกเลิก (\d+)">.*?data-label="งาน">(?:<a[^>]*>)?(\d+).*?data-label="เฉลี่ย">(\d+)%',
                      table, re.S)

    assert len(rows) == 4  # the demo's four divisions
    for bar, *mix, total, average in rows:
        assert bar == average
        assert sum(int(count) for count in mix) == int(total)
    assert ("34", "1", "1", "3", "0", "0", "5", "34") in rows  # สำนักปลัด: 100 + 70 + 0 + 0 + 0, over 5


def test_score_chart_compares_each_tool_with_last_years_same_items(app, executive_client, demo):
    from tests.test_analysis import add_assessment_year
    from tracker.services import analysis
    add_assessment_year(demo, 2566, {"O8": 100, "O9": 100, "i10": 90})
    scores = {row.tool: row for row in analysis.score_comparison(plan.get_fiscal_year(demo.id, 2568)).tools}

    assert (scores["OIT"].items, scores["OIT"].last_items, scores["OIT"].last_score) == (29, 2, 100)
    assert scores["OIT"].difference == -75  # O8 50 and O9 0 this year: their mean 25, against 100
    assert (scores["IIT"].last_items, scores["IIT"].last_score) == (1, 90)
    assert (scores["EIT"].last_items, scores["EIT"].last_score, scores["EIT"].difference) == (0, None, None)
    chart = html_of(executive_client).split('id="scores"', 1)[1].split("</section>", 1)[0]
    assert "คะแนน ITA 2567 เทียบกับ ITA 2566" in chart
    oit = re.search(r'<th scope="row">OIT</th>(.*?)</tr>', chart, re.S).group(1)
    assert 'class="last-year"' in oit and "87.93" in oit and "-75" in oit


def test_score_chart_without_last_years_result_shows_this_year_and_says_so(executive_client):
    chart = html_of(executive_client).split('id="scores"', 1)[1].split("</section>", 1)[0]
    assert "คะแนน ITA 2567</h2>" in chart and "ยังไม่มีผล ITA 2566 ในระบบให้เทียบ" in chart
    assert 'class="last-year"' not in chart
    assert [tool for tool in re.findall(r'<th scope="row">(\w+)</th>', chart)] == ["IIT", "EIT", "OIT"]


def test_score_chart_with_last_years_list_but_no_score_yet_says_there_is_none(app, executive_client, demo):
    """The item list of ITA 2566 brought in (an item bank), its scores not yet: nothing to compare."""
    from tracker.models import AssessmentItem, AssessmentYear
    earlier = AssessmentYear(organization_id=demo.id, year=2566)
    earlier.items = [AssessmentItem(organization_id=demo.id, code=code, tool="OIT", title=f"ข้อ {code}",
                                    position=number) for number, code in enumerate(["O8", "O9"])]
    db.session.add(earlier)
    db.session.commit()
    chart = html_of(executive_client).split('id="scores"', 1)[1].split("</section>", 1)[0]
    assert "คะแนน ITA 2567</h2>" in chart and "ยังไม่มีผล ITA 2566 ในระบบให้เทียบ" in chart


# --- who has not reported this month --------------------------------------------------------------

def test_divisions_with_open_work_and_no_report_this_month_are_named(app, demo):
    coordinator = find_user_by_email("coordinator@pichai.example")
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)

    march = dashboard.silent_divisions(coordinator, fiscal_year, date(2025, 3, 31))
    assert [(row.division, row.open_tasks, row.last_report) for row in march] == [
        ("กองช่าง", 3, None), ("กองการศึกษา ศาสนาและวัฒนธรรม", 3, None)]  # สำนักปลัด and กองคลัง reported in March
    april = {row.division: row for row in dashboard.silent_divisions(coordinator, fiscal_year, date(2025, 4, 2))}
    assert set(april) == {"สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม"}
    assert april["กองคลัง"].last_report.date() == date(2025, 3, 28)
    assert dashboard.silent_divisions(coordinator, fiscal_year, date(2025, 10, 5)) is None  # after the year


def test_the_dashboard_names_the_silent_divisions_with_links_to_their_tasks(executive_client, demo):
    section = html_of(executive_client).split('id="silent"', 1)[1].split("</section>", 1)[0]
    works = db.session.scalar(db.select(Division).where(Division.name == "กองช่าง"))
    assert "ตั้งแต่ 1 มี.ค. 2568" in section
    assert f'href="/tasks?fy=2568&amp;division={works.id}">กองช่าง</a>' in section
    assert "สำนักปลัด" not in section and "ยังไม่เคยรายงานในปีนี้" in section

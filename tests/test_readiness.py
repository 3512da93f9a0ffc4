"""Readiness before publishing: the demo's O34 and O35 held against each element of the criteria."""
from datetime import date, datetime

from sqlalchemy import func, select

from tests.statements import counted_statements
from tracker.extensions import db
from tracker.models import Division, DocumentVersion, ProgressUpdate, ReportSettings, Role, Task, Topic, User
from tracker.services import approvals, plan, readiness, tasks
from tracker.services.reports import compile as reports
from tracker.transactions import transaction


MIDYEAR = date(2025, 3, 31)
YEAR_END = date(2025, 9, 30)
NOW = datetime(2025, 3, 31, 5, 0)
O34 = ("analysis", "urgent_issues", "measures", "steps", "responsible", "period", "monitoring", "approved",
       "published")
O35 = ("results", "progress", "problems", "acknowledged", "published")


def fiscal_year(demo):
    return plan.get_fiscal_year(demo.id, 2568)


def results(demo, as_of=MIDYEAR) -> dict[tuple[str, str], readiness.ElementResult]:
    return {(r.document, r.element): r for r in readiness.check(fiscal_year(demo), as_of)}


T = readiness.Target


def where(result: readiness.ElementResult) -> tuple[readiness.Target, dict]:
    """The first place to fix a missing element: its target and the ids that name it."""
    return result.first_fix.target, result.first_fix.of


def missing(demo, document: str, as_of=MIDYEAR) -> set[str]:
    return {element for (doc, element), r in results(demo, as_of).items() if doc == document and not r.met}


def coordinator(demo) -> User:
    return db.session.scalar(select(User).where(User.organization_id == demo.id, User.role == Role.COORDINATOR))


def set_report_settings(demo, **values) -> None:
    reports.update_settings(reports.settings_for(demo.id), values, None, False, coordinator(demo))


def topic(demo, number: int) -> Topic:
    return db.session.scalar(select(Topic).where(Topic.organization_id == demo.id, Topic.number == number))


def active_tasks(demo) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.organization_id == demo.id, Task.archived_at.is_(None))))


def silent_task_ids(demo) -> set[int]:
    reported = set(db.session.scalars(select(ProgressUpdate.task_id).where(ProgressUpdate.done_text != "")))
    return {t.id for t in active_tasks(demo)} - reported


def report_on(task: Task, author: User, when: datetime, status="in_progress", problems: str = "") -> None:
    tasks.record_progress(task, author, tasks.ProgressInput(status, 50, "ดำเนินการตามขั้นตอนแล้ว", problems),
                          task.version, now=when)


def report_everything(demo) -> None:
    """What the mid-year O35 needs from the divisions and the coordinator: suggestions, and a report
    from every task that had none."""
    set_report_settings(demo, chief_name="นายปลัด ทดสอบ", executive_name="ประเสริฐ พิชัยกุล",
                        suggestions="ควรจัดอบรมการใช้ระบบ E-Service ให้เจ้าหน้าที่ทุกกอง")
    author = coordinator(demo)
    for task in active_tasks(demo):
        if task.id in silent_task_ids(demo):
            report_on(task, author, datetime(2025, 3, 30, 3, 0))


def approve_and_publish(app, demo, kind: str, period: str = "") -> DocumentVersion:
    executive = db.session.scalar(select(User).where(User.organization_id == demo.id, User.role == Role.EXECUTIVE))
    version = approvals.request(fiscal_year(demo), kind, period, "", "", coordinator(demo), NOW, app.config)
    approvals.decide(version, True, "", executive, NOW, app.config)
    return approvals.publish(version, coordinator(demo), NOW)


def make_ready(app, demo) -> None:
    """Everything the mid-year O35 and the O34 need: the divisions' reports, then both documents
    approved (acknowledged) by the executive and published."""
    report_everything(demo)
    approve_and_publish(app, demo, "measures")
    approve_and_publish(app, demo, "results", "mid")


# --- O34 ----------------------------------------------------------------------------------------

def test_each_element_of_the_criteria_is_checked_in_order(app, demo):
    checked = readiness.check(fiscal_year(demo), MIDYEAR)
    assert [(r.document, r.element) for r in checked] == [("measures", e) for e in O34] + [("results", e) for e in O35]
    assert all(r.title and r.detail for r in checked)


def test_demo_o34_lacks_only_the_executives_approval_and_its_publication(app, demo):
    """The seed's plan has analysis, measures, steps, divisions and periods, and every weak item
    (O8, O9, O25, O34) sits under a topic with a measure; monitoring has its default text. Nobody
    has approved it yet."""
    assert missing(demo, "measures") == {"approved", "published"}
    approved = results(demo)[("measures", "approved")]
    assert "ยังไม่ได้อนุมัติ" in approved.detail
    assert where(approved) == (T.APPROVAL_REQUEST, {"fiscal_year": 2568, "document": "measures"})
    urgent = results(demo)[("measures", "urgent_issues")]
    assert all(code in urgent.detail for code in ("O8", "O9", "O25", "O34"))


def test_only_a_recorded_approval_and_publication_of_the_current_plan_count(app, demo):
    set_report_settings(demo, chief_name="นายปลัด ทดสอบ", executive_name="ประเสริฐ พิชัยกุล")
    assert {"approved", "published"} <= missing(demo, "measures")  # names typed in settings are no approval
    executive = db.session.scalar(select(User).where(User.organization_id == demo.id, User.role == Role.EXECUTIVE))
    version = approvals.request(fiscal_year(demo), "measures", "", "", "", coordinator(demo), NOW, app.config)
    approvals.decide(version, True, "", executive, NOW, app.config)
    assert missing(demo, "measures") == {"published"}
    assert where(results(demo)[("measures", "published")]) == (T.DOCUMENT_VERSION, {"version": version.id})
    approvals.publish(version, coordinator(demo), NOW)
    assert missing(demo, "measures") == set()
    assert executive.name in results(demo)[("measures", "approved")].detail
    first = topic(demo, 1)
    plan.update_topic(first, plan.TopicInput(first.number, first.title, first.analysis + " (แก้ไข)",
                                             [item.id for item in first.items]), None)
    assert missing(demo, "measures") == {"approved", "published"}
    assert "ฉบับที่ 1" in results(demo)[("measures", "approved")].detail


def test_a_topic_without_analysis_is_missing_and_points_to_its_edit_page(app, demo):
    seven = topic(demo, 7)
    plan.update_topic(seven, plan.TopicInput(number=7, title=seven.title, analysis="  ",
                                             item_ids=[i.id for i in seven.items]), actor=None)
    analysis = results(demo)[("measures", "analysis")]
    assert not analysis.met and "ประเด็นที่ 7" in analysis.detail
    assert where(analysis) == (T.TOPIC, {"topic": seven.id})


def test_a_weak_item_whose_measure_is_gone_is_an_urgent_issue_left_open(app, demo):
    seven = topic(demo, 7)
    with transaction():
        plan.delete_measure(seven.measures[0], actor=None)
    checked = results(demo)
    assert not checked[("measures", "urgent_issues")].met and "O34" in checked[("measures", "urgent_issues")].detail
    assert where(checked[("measures", "urgent_issues")]) == (T.NEW_MEASURE, {"topic": seven.id})
    assert where(checked[("measures", "measures")]) == (T.NEW_MEASURE, {"topic": seven.id})


def test_a_measure_whose_only_division_left_has_nobody_responsible(app, demo):
    finance = db.session.scalar(select(Division).where(Division.organization_id == demo.id,
                                                       Division.name == "กองคลัง"))
    plan.remove_division(finance, actor=None, today=MIDYEAR)
    responsible = results(demo)[("measures", "responsible")]
    measure = topic(demo, 4).measures[0]
    assert not responsible.met and where(responsible) == (T.MEASURE, {"measure": measure.id})


def test_imported_rows_without_steps_or_with_a_period_outside_the_year_are_missing(app, demo):
    # The plan's forms refuse both; an import or an older database could still hold them.
    measure = topic(demo, 3).measures[0]
    measure.steps.clear()
    measure.end_date = date(2025, 12, 31)
    db.session.commit()
    checked = results(demo)
    for element in ("steps", "period"):
        assert not checked[("measures", element)].met
        assert where(checked[("measures", element)]) == (T.MEASURE, {"measure": measure.id})
    assert "นอกปีงบประมาณ 2568" in checked[("measures", "period")].detail


def test_blank_monitoring_text_is_missing(app, demo):
    set_report_settings(demo, monitoring="")
    assert "monitoring" in missing(demo, "measures")


# --- O35 ----------------------------------------------------------------------------------------

def test_midyear_o35_lists_every_task_with_no_report(app, demo):
    silent = silent_task_ids(demo)
    assert len(silent) == 11  # 15 tasks, 4 reported in the demo
    element = results(demo)[("results", "results")]
    assert not element.met and "11 งาน" in element.detail and "31 มี.ค. 2568" in element.detail
    assert {fix.of["task"] for fix in element.fixes} == silent
    assert {fix.target for fix in element.fixes} == {T.TASK}


def test_demo_midyear_o35_lacks_reports_suggestions_and_the_acknowledgement(app, demo):
    assert missing(demo, "results") == {"results", "progress", "problems", "acknowledged", "published"}
    acknowledged = results(demo)[("results", "acknowledged")]
    assert "ยังไม่ได้รับทราบ" in acknowledged.detail
    assert where(acknowledged) == (T.APPROVAL_REQUEST, {"fiscal_year": 2568, "document": "results-6-month"})


def test_reports_suggestions_and_an_acknowledged_published_report_make_the_midyear_o35_ready(app, demo):
    make_ready(app, demo)
    assert missing(demo, "results") == set() and missing(demo, "measures") == set()


def test_a_report_made_on_the_rounds_last_day_after_the_acknowledgement_asks_for_a_new_one(app, demo):
    make_ready(app, demo)
    task = active_tasks(demo)[0]
    report_on(task, coordinator(demo), datetime(2025, 3, 31, 6, 0))
    acknowledged = results(demo)[("results", "acknowledged")]
    assert not acknowledged.met and "ฉบับใหม่" in acknowledged.detail
    assert acknowledged.first_fix.target == T.DOCUMENT_VERSION


def test_at_the_year_end_unfinished_tasks_must_say_what_held_them_back(app, demo):
    report_everything(demo)
    problems = results(demo, YEAR_END)[("results", "problems")]
    unfinished = {t.id for t in active_tasks(demo) if t.status not in ("done", "cancelled")}
    assert not problems.met and "ยังไม่แล้วเสร็จ" in problems.detail
    assert {fix.of["task"] for fix in problems.fixes} == unfinished
    for task in active_tasks(demo):
        if task.id in unfinished:
            report_on(task, coordinator(demo), datetime(2025, 9, 29, 3, 0), problems="งบประมาณไม่เพียงพอ")
    assert results(demo, YEAR_END)[("results", "problems")].met


def test_the_year_end_round_needs_its_own_reports_and_acknowledgement(app, demo):
    make_ready(app, demo)
    assert {"progress", "acknowledged"} <= missing(demo, "results", YEAR_END)
    assert "ประจำปี" in results(demo, YEAR_END)[("results", "progress")].detail


def test_the_check_makes_as_many_queries_for_many_reports_as_for_few(app, demo):
    year = fiscal_year(demo)
    db.session.expire_all()
    with counted_statements() as before:
        readiness.check(year, MIDYEAR)
    report_everything(demo)
    db.session.expire_all()
    with counted_statements() as after:
        readiness.check(year, MIDYEAR)
    assert len(after) == len(before)


def test_reading_settings_never_saved_writes_nothing_and_saving_adds_them(app, demo):
    """An agency that never saved its report settings reads their defaults: the readiness check (a
    GET page) sends no INSERT; the first save adds the row, with the defaults it did not change."""
    with counted_statements() as sent:
        readiness.check(fiscal_year(demo), MIDYEAR)
    assert not [statement for statement in sent if statement.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert db.session.scalar(select(func.count(ReportSettings.id))) == 0
    settings = reports.settings_for(demo.id)
    assert (settings.midyear_compile_on, settings.id) == ("04-01", None)
    reports.update_settings(settings, {"chief_name": "นายทดสอบ"}, None, False, coordinator(demo))
    db.session.commit()
    db.session.expire_all()
    stored = reports.settings_for(demo.id)
    assert (stored.chief_name, stored.midyear_compile_on, stored.id) == ("นายทดสอบ", "04-01", settings.id)


# --- the command --------------------------------------------------------------------------------

def run(app, *args):
    return app.test_cli_runner().invoke(args=["tracker", "readiness", "--fiscal-year", "2568", *args])


def test_command_prints_each_element_and_fails_when_any_is_missing(app, demo):
    result = run(app, "--as-of", "2025-03-31")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("[")]
    assert len(lines) == len(O34) + len(O35)
    assert any(line.startswith("[missing] O34") and "ยังไม่ได้อนุมัติ" in line for line in lines)
    assert any(line.startswith("[met]") and "O34" in line for line in lines)


def test_command_succeeds_when_every_element_is_met_and_reads_a_thai_date(app, demo):
    make_ready(app, demo)
    result = run(app, "--as-of", "31 มี.ค. 2568", "--organization", demo.name)
    assert result.exit_code == 0, result.output
    assert "[missing]" not in result.output and "14 met, 0 missing." in result.output


def test_command_refuses_an_unknown_fiscal_year_or_agency(app, demo):
    assert app.test_cli_runner().invoke(args=["tracker", "readiness", "--fiscal-year", "2570"]).exit_code != 0
    assert run(app, "--organization", "ไม่มีหน่วยงานนี้").exit_code != 0


# --- the page -----------------------------------------------------------------------------------

def test_coordinator_sees_each_element_with_a_link_to_fix_it(coordinator_client):
    html = coordinator_client.get("/reports/readiness?fy=2568&as_of=2025-03-31").get_data(as_text=True)
    assert "ยังขาด" in html and "✓" in html and "แก้ไขที่นี่" in html
    assert 'href="/approvals/new/measures?fy=2568"' in html and "/tasks/" in html
    assert "URL สำหรับกรอกในระบบ ITAS: <code class=\"url\">http://127.0.0.1:5000/public/pichai/2568/measures.pdf" in html


def test_executive_sees_the_readiness_page(executive_client):
    response = executive_client.get("/reports/readiness?fy=2568")
    assert response.status_code == 200 and "ความพร้อมก่อนเผยแพร่" in response.get_data(as_text=True)


def test_head_cannot_open_the_readiness_page(finance_client):
    assert finance_client.get("/reports/readiness?fy=2568").status_code == 403


def test_every_fix_target_is_an_address_on_the_site(app, demo):
    from tracker.web.readiness import ADDRESSES, fix_url
    ids = {"fiscal_year": 2568, "task": 1, "measure": 2, "topic": 3, "item": 4, "version": 5, "document": "measures"}
    named = {T.TASK: ["task"], T.MEASURE: ["measure"], T.TOPIC: ["topic"], T.NEW_TOPIC: ["fiscal_year", "item"],
             T.NEW_MEASURE: ["topic"], T.ITA_RESULT: ["fiscal_year"], T.PLAN: ["fiscal_year"], T.REPORT_SETTINGS: [],
             T.APPROVAL_REQUEST: ["fiscal_year", "document"], T.DOCUMENT_VERSION: ["version"],
             T.APPROVALS: ["fiscal_year"]}
    assert set(ADDRESSES) == set(T) == set(named)
    with app.test_request_context():
        urls = {target: fix_url(readiness.Fix("", target, {name: ids[name] for name in named[target]}))
                for target in T}
    assert urls[T.TASK] == "/tasks/1" and urls[T.NEW_TOPIC] == "/plan/topics/new?fy=2568&item=4"
    assert urls[T.APPROVAL_REQUEST] == "/approvals/new/measures?fy=2568"
    for target, url in urls.items():
        assert app.url_map.bind("localhost").match(url.split("?")[0]), target

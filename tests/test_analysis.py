"""The analysis of the ITA result: weak items under their topics beside last year's score, the weak
items no measure covers yet with a way to start one, and the year's marks set by the coordinator."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from tests import factories
from tests.conftest import login
from tests.statements import counted_statements
from tracker.extensions import db
from tracker.models import AssessmentItem, AssessmentYear, AuditEvent, ItemScore, Topic
from tracker.services import analysis, item_banks, plan
from tracker.services.imports.codes import normalise_code
from tracker.services.errors import ServiceError
from tracker.transactions import transaction


def demo_item(organization, code: str) -> AssessmentItem:
    return db.session.scalar(select(AssessmentItem).where(
        AssessmentItem.organization_id == organization.id, AssessmentItem.code == code))


def give_score(organization, code: str, score) -> AssessmentItem:
    item = demo_item(organization, code)
    db.session.add(ItemScore(organization_id=organization.id, item=item, score=Decimal(score)))
    db.session.commit()
    return item


def demo_analysis(organization) -> analysis.Analysis:
    return analysis.analyse(plan.get_fiscal_year(organization.id, 2568))


def year_2567(organization) -> AssessmentYear:
    return item_banks.get_assessment_year(organization.id, 2567)


def add_assessment_year(organization, year: int, scores: dict[str, int], titles: dict[str, str] | None = None
                        ) -> AssessmentYear:
    """An earlier ITA result; each item titled as the 2567 item of its code, unless `titles` says otherwise."""
    known = {item["code"]: item["title"] for item in item_banks.shipped_bank(2567)["items"]}
    titles = titles or {}
    assessment_year = AssessmentYear(organization_id=organization.id, year=year)
    db.session.add(assessment_year)
    for position, (code, score) in enumerate(scores.items()):
        title = titles.get(code) or known.get(normalise_code(code, known) or "", f"ข้อ {code}")
        item = AssessmentItem(organization_id=organization.id, code=code, tool="OIT" if code[0] in "Oo0" else "IIT",
                              title=title, position=position)
        assessment_year.items.append(item)
        db.session.add(ItemScore(organization_id=organization.id, item=item, score=Decimal(score)))
    db.session.commit()
    return assessment_year


def row_of(html: str, code: str) -> re.Match:
    """The analysis table row of an item: its class and its cells."""
    return re.search(rf'<tr class="([^"]*)">\s*<td>{code}</td>(.*?)</tr>', html, re.S)


def audit_events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the service on the demo ---

def test_demo_weak_items_are_O8_O9_O25_O34(demo):
    assert [row.code for row in demo_analysis(demo).weak] == ["O8", "O9", "O25", "O34"]


def test_every_weak_item_of_the_demo_is_covered_by_a_measure_of_its_topic(demo):
    result = demo_analysis(demo)
    assert all(row.covered for row in result.weak)
    assert (result.covered_count, result.uncovered_count) == (4, 0)
    assert result.without_topic == [] and result.without_measure == []


def test_each_topic_lists_its_items_with_this_years_score(demo):
    first = demo_analysis(demo).topics[0]
    assert (first.number, first.measure_count) == (1, 1)
    assert [(row.code, row.score, row.weak) for row in first.items][-4:] == [
        ("O7", 100, False), ("O8", 50, True), ("O9", 0, True), ("O10", 100, False)]


def test_without_last_years_result_last_score_and_difference_are_empty(demo):
    result = demo_analysis(demo)
    assert result.last_year is None
    assert {(row.last_score, row.difference) for row in result.weak} == {(None, None)}


def test_a_weak_item_in_no_topic_is_named_as_uncovered(demo):
    give_score(demo, "O14", 0)
    result = demo_analysis(demo)
    assert [row.code for row in result.without_topic] == ["O14"]
    assert (result.covered_count, result.uncovered_count) == (4, 1)


def test_a_weak_item_whose_topic_has_no_measure_is_named_with_that_topic(demo):
    item = give_score(demo, "O15", 40)
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    plan.create_topic(fiscal_year, plan.TopicInput(number=8, title="การจัดซื้อจัดจ้าง", item_ids=[item.id]), None)
    result = demo_analysis(demo)
    assert [(row.code, topic.number) for row, topic in result.without_measure] == [("O15", 8)]
    assert result.without_topic == []


def test_an_item_is_covered_when_any_of_its_topics_has_a_measure(demo):
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    plan.create_topic(fiscal_year, plan.TopicInput(number=8, title="รายงานประจำปี",
                                                   item_ids=[demo_item(demo, "O9").id]), None)
    result = demo_analysis(demo)
    assert next(row for row in result.topics[-1].items if row.code == "O9").covered
    assert result.uncovered_count == 0


def test_last_years_item_of_another_code_with_the_same_title_is_compared(demo):
    """Items are renumbered between years: 2568's o5 is 2567's O7 แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน."""
    add_assessment_year(demo, 2566, {"o5": 0}, titles={"o5": "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน"})
    rows = {row.code: row for topic in demo_analysis(demo).topics for row in topic.items}
    assert rows["O7"].last_score == 0 and rows["O5"].last_score is None


def test_last_years_item_of_the_same_code_about_something_else_is_not_compared(demo):
    add_assessment_year(demo, 2566, {"O8": 100}, titles={"O8": "คู่มือหรือแนวทางการปฏิบัติงานของเจ้าหน้าที่"})
    rows = {row.code: row for topic in demo_analysis(demo).topics for row in topic.items}
    assert rows["O8"].last_score is None and rows["O10"].last_score == 100


def test_last_years_score_is_matched_by_code_whatever_its_spelling(demo):
    add_assessment_year(demo, 2566, {"O08": 100, "o9": 0, "i10": 90, "O7": 100})
    result = demo_analysis(demo)
    rows = {row.code: row for topic in result.topics for row in topic.items}
    assert result.last_year == 2566
    assert (rows["O8"].last_score, rows["O8"].difference) == (100, Decimal("-50.00"))
    assert (rows["O9"].last_score, rows["O9"].difference) == (0, 0)
    assert rows["i10"].difference == Decimal("7.14")
    assert (rows["O25"].last_score, rows["O25"].difference) == (None, None)


def test_last_years_list_without_a_score_yet_is_not_compared_with(demo):
    add_assessment_year(demo, 2566, {"O8": 100})
    db.session.execute(delete(ItemScore).where(ItemScore.organization_id == demo.id,
                                               ItemScore.item_id.in_(select(AssessmentItem.id).join(AssessmentYear)
                                                                     .where(AssessmentYear.year == 2566))))
    db.session.commit()
    assert demo_analysis(demo).last_year is None


def test_another_agencys_earlier_year_is_not_compared_with(demo, other_agency):
    add_assessment_year(other_agency.organization, 2566, {"O8": 100})
    assert demo_analysis(demo).last_year is None


def test_a_fiscal_year_without_an_ita_result_has_nothing_to_analyse(other_agency):
    result = analysis.analyse(other_agency.fiscal_year)
    assert result.assessment_year is None and result.topics == [] and result.weak == []


# --- the year's marks ---

def test_a_higher_eit_mark_makes_e9_weak(demo):
    analysis.set_thresholds(year_2567(demo), {"EIT": Decimal(99)}, None)
    assert [row.code for row in demo_analysis(demo).weak] == ["e9", "O8", "O9", "O25", "O34"]


def test_a_lower_oit_mark_lets_O8_pass(demo):
    analysis.set_thresholds(year_2567(demo), {"OIT": Decimal(50)}, None)
    assert [row.code for row in demo_analysis(demo).weak] == ["O9", "O25", "O34"]


def test_changing_the_marks_is_audited_with_only_what_changed(demo):
    analysis.set_thresholds(year_2567(demo), {"OIT": Decimal(100), "IIT": Decimal("90.5"), "EIT": Decimal(85)}, None)
    [event] = audit_events("assessment_year.thresholds")
    assert (event.before, event.after) == ({"เกณฑ์ IIT": 85.0}, {"เกณฑ์ IIT": 90.5})


def test_a_mark_outside_0_to_100_is_refused(demo):
    with pytest.raises(ServiceError, match="ต้องอยู่ระหว่าง 0 ถึง 100"):
        analysis.set_thresholds(year_2567(demo), {"IIT": Decimal(90), "OIT": Decimal(101)}, None)
    db.session.rollback()
    assert year_2567(demo).iit_threshold == 85 and audit_events("assessment_year.thresholds") == []


# --- a topic proposed for an item ---

def test_a_proposed_topic_takes_the_number_after_the_last_and_the_items_name(demo):
    item = give_score(demo, "O14", 0)
    proposal = analysis.proposed_topic(plan.get_fiscal_year(demo.id, 2568), item)
    assert (proposal.number, proposal.title, proposal.item_ids) == (8, item.title, [item.id])
    assert proposal.analysis == f"ข้อ O14 {item.title} ได้คะแนน 0 ต่ำกว่าเกณฑ์ 100"


# --- the page ---

def test_coordinator_sees_the_summary_the_marks_and_the_form(coordinator_client, demo):
    page = coordinator_client.get("/plan/analysis?fy=2568")
    assert page.status_code == 200
    text = page.text
    assert "วิเคราะห์ผลการประเมิน ITA 2567" in text
    assert re.search(r"<strong>4</strong><span>ข้อที่ต่ำกว่าเกณฑ์", text)
    assert re.search(r"<strong>4</strong><span>มีมาตรการรองรับแล้ว", text)
    assert re.search(r"<strong>0</strong>\s*<span>ยังไม่มีมาตรการรองรับ", text)
    assert "ต่ำกว่า OIT 100, IIT 85,\n  EIT 85" in text
    assert 'name="oit_threshold" type="text" value="100"' in text


def test_a_weak_row_is_marked_in_text_as_well_as_colour(coordinator_client, demo):
    text = coordinator_client.get("/plan/analysis?fy=2568").text
    weak, passing = row_of(text, "O8"), row_of(text, "O7")
    assert weak.group(1) == "weak" and "ต่ำกว่าเกณฑ์" in weak.group(2) and "มีมาตรการรองรับ" in weak.group(2)
    assert passing.group(1) == "" and "ผ่านเกณฑ์" in passing.group(2)


def test_the_page_shows_last_years_score_and_the_difference(coordinator_client, demo):
    add_assessment_year(demo, 2566, {"O8": 100})
    text = coordinator_client.get("/plan/analysis?fy=2568").text
    assert "เทียบกับผลการประเมิน ITA 2566" in text
    assert re.findall(r'<td class="num">([^<]*)</td>', row_of(text, "O8").group(2)) == ["50", "100", "-50"]
    assert re.findall(r'<td class="num">([^<]*)</td>', row_of(text, "O9").group(2)) == ["0", "–", "–"]


def test_an_uncovered_item_has_a_button_that_starts_a_topic_for_it(coordinator_client, demo):
    item = give_score(demo, "O14", 0)
    text = coordinator_client.get("/plan/analysis?fy=2568").text
    assert "O14 " + item.title in text and "ยังไม่อยู่ในประเด็นใด" in text
    assert f'href="/plan/topics/new?fy=2568&amp;item={item.id}">เริ่มมาตรการสำหรับข้อนี้' in text


def test_an_item_of_a_topic_without_measures_has_a_button_to_a_new_measure(coordinator_client, demo):
    item = give_score(demo, "O15", 0)
    with transaction():
        topic = plan.create_topic(plan.get_fiscal_year(demo.id, 2568),
                                  plan.TopicInput(number=8, title="การจัดซื้อจัดจ้าง", item_ids=[item.id]), None)
    text = coordinator_client.get("/plan/analysis?fy=2568").text
    assert "อยู่ในประเด็น (8) การจัดซื้อจัดจ้าง ซึ่งยังไม่มีมาตรการ" in text
    assert f'href="/plan/topics/{topic.id}/measures/new">เริ่มมาตรการสำหรับข้อนี้' in text
    assert "ยังไม่มีมาตรการรองรับ" in row_of(text, "O15").group(2)


@pytest.mark.parametrize("who", ["executive_client", "finance_client"])
def test_executive_and_heads_read_the_analysis_without_buttons_or_form(request, demo, who):
    give_score(demo, "O14", 0)
    page = request.getfixturevalue(who).get("/plan/analysis?fy=2568")
    assert page.status_code == 200
    assert "O14 " in page.text and "ยังไม่อยู่ในประเด็นใด" in page.text
    assert "เริ่มมาตรการสำหรับข้อนี้" not in page.text and "oit_threshold" not in page.text


def test_anonymous_is_sent_to_login(client, demo):
    for response in (client.get("/plan/analysis"), client.post("/plan/analysis/thresholds?fy=2568")):
        assert response.status_code == 302 and "/login" in response.location


def test_an_unknown_fiscal_year_is_not_found(coordinator_client):
    assert coordinator_client.get("/plan/analysis?fy=2599").status_code == 404


def test_another_agency_sees_its_own_year_without_a_result(app, demo, other_agency):
    client = login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD)
    page = client.get("/plan/analysis?fy=2568")
    assert page.status_code == 200 and "ยังไม่ได้ผูกกับผลการประเมิน ITA" in page.text
    assert "แผนและความก้าวหน้าในการดำเนินงาน" not in page.text  # the demo's O8 (a bare "O8" may be in a token)
    assert client.post("/plan/analysis/thresholds?fy=2568", data={
        "oit_threshold": "50", "iit_threshold": "50", "eit_threshold": "50"}).status_code == 404


def test_plan_and_result_pages_link_to_the_analysis(coordinator_client, demo):
    for url in ("/plan/?fy=2568", "/plan/result?fy=2568"):
        assert 'href="/plan/analysis?fy=2568">วิเคราะห์ผลการประเมิน' in coordinator_client.get(url).text


# --- setting the marks on the page ---

MARKS = {"oit_threshold": "100", "iit_threshold": "๘๕", "eit_threshold": "99"}


def test_coordinator_sets_the_marks_and_every_page_follows_them(coordinator_client, demo):
    response = coordinator_client.post("/plan/analysis/thresholds?fy=2568", data=MARKS)
    assert response.status_code == 302 and response.location.endswith("/plan/analysis?fy=2568")
    assert (year_2567(demo).iit_threshold, year_2567(demo).eit_threshold) == (85, 99)
    assert len(audit_events("assessment_year.thresholds")) == 1
    analysis_page = coordinator_client.get(response.location).text
    assert "บันทึกเกณฑ์แล้ว" in analysis_page and row_of(analysis_page, "e9").group(1) == "weak"
    result_page = coordinator_client.get("/plan/result?fy=2568").text
    assert "OIT ต่ำกว่า 100, IIT ต่ำกว่า 85,\n    EIT ต่ำกว่า 99" in result_page
    assert re.search(r'<tr class="weak">\s*<td>e9</td>.*?ต่ำกว่าเกณฑ์</span>', result_page, re.S)
    assert re.search(r'<tr class="weak">\s*<td>e9 ', coordinator_client.get("/plan/?fy=2568").text)


@pytest.mark.parametrize("field, typed, message", [
    ("oit_threshold", "", "กรุณากรอกเกณฑ์ OIT"),
    ("iit_threshold", "   ", "กรุณากรอกเกณฑ์ IIT"),
    ("eit_threshold", "แปดสิบห้า", "กรุณากรอกเป็นตัวเลข เช่น 85 หรือ 85.5"),
    ("oit_threshold", "150", "ต้องเป็นตัวเลขระหว่าง 0 ถึง 100"),
    ("iit_threshold", "-1", "ต้องเป็นตัวเลขระหว่าง 0 ถึง 100"),
])
def test_bad_marks_are_refused_in_thai_and_nothing_is_saved(coordinator_client, demo, field, typed, message):
    response = coordinator_client.post("/plan/analysis/thresholds?fy=2568", data={**MARKS, field: typed})
    assert response.status_code == 200 and message in response.text
    assert f'name="{field}" type="text" value="{typed}"' in response.text
    marks = year_2567(demo)
    assert (marks.oit_threshold, marks.iit_threshold, marks.eit_threshold) == (100, 85, 85)
    assert audit_events("assessment_year.thresholds") == []


def test_a_mark_of_zero_is_a_mark(coordinator_client, demo):
    coordinator_client.post("/plan/analysis/thresholds?fy=2568", data={**MARKS, "oit_threshold": "0"})
    assert year_2567(demo).oit_threshold == 0
    assert 'name="oit_threshold" type="text" value="0"' in coordinator_client.get("/plan/analysis?fy=2568").text


@pytest.mark.parametrize("who", ["executive_client", "finance_client"])
def test_executive_and_heads_may_not_set_the_marks(request, demo, who):
    response = request.getfixturevalue(who).post("/plan/analysis/thresholds?fy=2568", data=MARKS)
    assert response.status_code == 403
    assert year_2567(demo).eit_threshold == 85


# --- the topic form started from the analysis ---

def test_the_topic_form_is_prefilled_for_the_item(coordinator_client, demo):
    item = give_score(demo, "O14", 0)
    page = coordinator_client.get(f"/plan/topics/new?fy=2568&item={item.id}")
    assert page.status_code == 200
    assert re.search(r'name="number"[^>]* value="8"', page.text)
    assert re.search(rf'name="title"[^>]* value="{item.title}"', page.text)
    assert re.search(rf'<input checked [^>]*value="{item.id}"> <label [^>]*>O14 ', page.text)
    assert "ได้คะแนน 0 ต่ำกว่าเกณฑ์ 100" in page.text


def test_saving_the_prefilled_topic_goes_on_to_its_new_measure(coordinator_client, demo):
    item = give_score(demo, "O14", 0)
    response = coordinator_client.post(f"/plan/topics/new?fy=2568&item={item.id}", data={
        "number": "8", "title": item.title, "analysis": "", "item_ids": [str(item.id)]})
    topic = db.session.scalar(select(Topic).where(Topic.organization_id == demo.id, Topic.number == 8))
    assert response.status_code == 302 and response.location.endswith(f"/plan/topics/{topic.id}/measures/new")
    assert [i.code for i in topic.items] == ["O14"]
    assert "เพิ่มมาตรการสำหรับข้อ O14 ต่อได้เลย" in coordinator_client.get(response.location).text


def test_another_agencys_item_is_not_found(app, demo, other_agency):
    client = login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD)
    assert client.get(f"/plan/topics/new?fy=2568&item={demo_item(demo, 'O9').id}").status_code == 404


def test_an_item_of_another_assessment_year_is_not_found(coordinator_client, demo):
    earlier = add_assessment_year(demo, 2566, {"O9": 0})
    assert coordinator_client.get(f"/plan/topics/new?fy=2568&item={earlier.items[0].id}").status_code == 404


# --- queries ---

def agency_with_result(name: str, topic_count: int, items_per_topic: int = 5) -> factories.Agency:
    """An agency whose fiscal year answers an ITA 2567 result, with ITA 2566 to compare with, and
    topic_count topics of items_per_topic items each, every other one with a measure."""
    agency = factories.agency(name)
    organization = agency.organization
    codes = {f"O{n}": (n % 2) * 100 for n in range(1, topic_count * items_per_topic + 3)}
    add_assessment_year(organization, 2566, codes)
    agency.fiscal_year.assessment_year = add_assessment_year(organization, 2567, codes)
    db.session.commit()
    items = agency.fiscal_year.assessment_year.items
    with transaction():
        for n in range(topic_count):
            chosen = [item.id for item in items[n * items_per_topic:(n + 1) * items_per_topic]]
            topic = plan.create_topic(agency.fiscal_year, plan.TopicInput(number=n + 2, title=f"ประเด็น {n}",
                                                                          item_ids=chosen), None)
            if n % 2:
                plan.create_measure(topic, factories.measure_input(agency.fiscal_year, all_divisions=True), None)
    return agency


def statements_for_analysis(app, agency: factories.Agency) -> int:
    client = login(app.test_client(), agency.coordinator.email, factories.PASSWORD)
    client.get("/plan/analysis?fy=2568")  # warm caches that are not per request
    with counted_statements() as statements:
        response = client.get("/plan/analysis?fy=2568")
    assert response.status_code == 200 and "ยังไม่มีมาตรการรองรับ" in response.text
    return len(statements)


def test_the_analysis_page_queries_do_not_grow_with_topics_and_items(app):
    small = statements_for_analysis(app, agency_with_result("อบต.เล็ก", topic_count=2))
    large = statements_for_analysis(app, agency_with_result("อบต.ใหญ่", topic_count=30))
    assert small == large, f"{small} statements for 2 topics, {large} for 30"


def test_analyse_counts_its_queries(app):
    agency = agency_with_result("อบต.นับ", topic_count=3)
    db.session.expire_all()
    with counted_statements() as statements:
        analysis.analyse(agency.fiscal_year)
    # fiscal year, its ITA year, items with their scores, ITA 2566's scores, topics, topic items,
    # measure counts
    assert len(statements) == 7

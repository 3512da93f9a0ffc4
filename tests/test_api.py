"""The read-only JSON API for other systems: its tokens (made and revoked by the coordinator),
what each endpoint answers, that one agency's token never reads another's data, and the whole API
against its own OpenAPI description (schemathesis)."""
import hashlib
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from sqlalchemy import func, select

from tests import factories
from tests.conftest import login
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, Division, Measure, Task, User
from tracker.services import plan

TOKEN = re.compile(r'value="(ita_[A-Za-z0-9_-]+)"')


def page(response) -> str:
    return response.get_data(as_text=True)


def make_token(client, name: str = "ระบบของจังหวัด") -> str:
    """Create a token through the coordinator's page and read it off the page, as a person would."""
    response = client.post("/people/api-tokens", data={"name": name})
    assert response.status_code == 200
    return TOKEN.search(page(response)).group(1)


# --- tokens -------------------------------------------------------------------------------------

def test_new_token_is_shown_once_and_kept_only_as_its_hash(coordinator_client, demo):
    plain = make_token(coordinator_client)

    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert row.prefix == plain[:12] and row.organization_id == demo.id
    assert plain not in page(coordinator_client.get("/people/api-tokens"))
    assert "ระบบของจังหวัด" in page(coordinator_client.get("/people/api-tokens"))


def test_token_without_a_name_is_refused_in_thai(coordinator_client, demo):
    response = coordinator_client.post("/people/api-tokens", data={"name": "  "})

    assert "กรุณาตั้งชื่อโทเค็น" in page(response)
    assert db.session.scalar(select(ApiToken)) is None


def test_making_and_revoking_tokens_is_audited(coordinator_client, demo):
    make_token(coordinator_client)
    token = db.session.scalar(select(ApiToken))

    response = coordinator_client.post(f"/people/api-tokens/{token.id}/revoke")

    db.session.refresh(token)
    assert response.status_code == 302 and token.revoked_at is not None
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "api_token")))
    assert actions == {"api_token.create", "api_token.revoke"}
    assert "ยกเลิกแล้ว" in page(coordinator_client.get("/people/api-tokens"))


def test_people_page_links_the_coordinator_to_api_tokens(coordinator_client, demo):
    assert "/people/api-tokens" in page(coordinator_client.get("/people"))


def test_only_the_coordinator_manages_tokens(executive_client, finance_client, demo):
    for client in (executive_client, finance_client):
        assert client.get("/people/api-tokens").status_code == 403
        assert client.post("/people/api-tokens", data={"name": "ลับ"}).status_code == 403
    assert db.session.scalar(select(ApiToken)) is None


def test_another_agencys_coordinator_cannot_revoke_the_demos_token(app, coordinator_client, demo, other_agency):
    make_token(coordinator_client)
    token = db.session.scalar(select(ApiToken))
    other = login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD)

    assert other.post(f"/people/api-tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


# --- reading with a token -------------------------------------------------------------------------

def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def demo_token(coordinator_client):
    return make_token(coordinator_client)


@pytest.fixture
def other_token(app, other_agency):
    return make_token(login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD))


def demo_fiscal_year(demo):
    return plan.get_fiscal_year(demo.id, 2568)


def test_fiscal_years_are_listed_for_the_tokens_agency(client, demo, demo_token):
    response = client.get("/api/v1/fiscal-years", headers=bearer(demo_token))

    assert response.status_code == 200
    assert response.json == {"fiscal_years": [
        {"year": 2568, "start_date": "2024-10-01", "end_date": "2025-09-30", "ita_year": 2567}]}


def test_a_request_records_when_the_token_was_last_used(client, demo, demo_token):
    client.get("/api/v1/fiscal-years", headers=bearer(demo_token))

    assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_measures_carry_steps_period_divisions_budget_indicator_and_target(client, demo, demo_token):
    measures = client.get("/api/v1/fiscal-years/2568/measures", headers=bearer(demo_token)).json["measures"]
    stored = db.session.scalar(select(Measure).where(Measure.organization_id == demo.id).order_by(Measure.id))

    first = next(m for m in measures if m["id"] == stored.id)
    assert first["steps"] == [step.text for step in stored.steps]
    assert (first["start_date"], first["end_date"]) == (stored.start_date.isoformat(), stored.end_date.isoformat())
    assert {d["name"] for d in first["divisions"]} == {d.name for d in stored.divisions}
    assert {"budget", "budget_amount", "no_budget", "indicator", "target", "period"} <= set(first)
    assert len(measures) == db.session.scalar(select(func.count(Measure.id)).where(Measure.organization_id == demo.id))


def test_topics_carry_their_items_and_measures(client, demo, demo_token):
    topics = client.get("/api/v1/fiscal-years/2568/topics", headers=bearer(demo_token)).json["topics"]

    first = topics[0]
    assert first["number"] == 1 and first["measure_ids"]
    assert {"code": "O8", "tool": "OIT"}.items() <= next(i for i in first["items"] if i["code"] == "O8").items()


def test_tasks_carry_status_progress_lateness_and_last_report(client, demo, demo_token):
    tasks = client.get("/api/v1/fiscal-years/2568/tasks", headers=bearer(demo_token)).json["tasks"]

    reported = [t for t in tasks if t["last_update_date"]]
    assert len(tasks) == db.session.scalar(select(func.count(Task.id)).where(Task.organization_id == demo.id,
                                                                             Task.archived_at.is_(None)))
    assert {(t["division"]["name"], t["status"], t["percent"]) for t in reported} >= {("กองคลัง", "done", 100)}
    assert all(t["late"] is False for t in tasks)  # the demo is as of 31 Mar 2025, every task due 30 Sep


def test_tasks_can_be_narrowed_to_one_division(client, demo, demo_token):
    division = db.session.scalar(select(Division).where(Division.organization_id == demo.id,
                                                        Division.name == "กองคลัง"))

    tasks = client.get(f"/api/v1/fiscal-years/2568/tasks?division={division.id}", headers=bearer(demo_token)).json

    assert tasks["tasks"] and {t["division"]["id"] for t in tasks["tasks"]} == {division.id}


@pytest.mark.parametrize("division", ["abc", "0", "99999999999999999999", "-1"])
def test_a_division_out_of_bounds_is_a_json_400(client, demo, demo_token, division):
    response = client.get(f"/api/v1/fiscal-years/2568/tasks?division={division}", headers=bearer(demo_token))

    assert response.status_code == 400 and "division" in response.json["error"]


def test_published_documents_link_to_the_public_pages(client, demo, demo_token):
    version = factories.published_version(demo_fiscal_year(demo))

    documents = client.get("/api/v1/fiscal-years/2568/documents", headers=bearer(demo_token)).json["documents"]

    assert documents == [{
        "fiscal_year": 2568, "document": "measures", "title": "เอกสารมาตรการ", "version": version.number,
        "as_of": "2024-10-01", "published_at": "2025-01-10T03:00:00+00:00",
        "files": [{"format": "docx", "url": "http://127.0.0.1:5000/public/pichai/2568/measures.docx"},
                  {"format": "xlsx", "url": "http://127.0.0.1:5000/public/pichai/2568/measures.xlsx"}]}]


def test_unpublished_versions_are_not_listed(client, demo, demo_token):
    factories.published_version(demo_fiscal_year(demo), published=False)

    assert client.get("/api/v1/fiscal-years/2568/documents", headers=bearer(demo_token)).json["documents"] == []


def test_public_documents_need_no_token(client, demo):
    factories.published_version(demo_fiscal_year(demo))

    response = client.get("/api/v1/public/pichai/documents")

    assert response.status_code == 200
    assert response.json["organization"] == {"name": "องค์การบริหารส่วนตำบลพิชัย", "slug": "pichai"}
    assert [d["document"] for d in response.json["documents"]] == ["measures"]


@pytest.mark.parametrize("url", ["/api/v1/public/nobody/documents", "/api/v1/public/PICHAI%00/documents"])
def test_unknown_agency_is_a_json_404(client, demo, url):
    response = client.get(url)

    assert response.status_code == 404 and response.json["error"]


# --- refusals: always JSON, with a Thai message --------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer ita_wrong"}, {"Authorization": "Basic abc"}])
def test_missing_or_wrong_token_is_a_json_401(client, demo, headers):
    response = client.get("/api/v1/fiscal-years/2568/tasks", headers=headers)

    assert response.status_code == 401
    assert response.content_type == "application/json"
    assert "โทเค็น" in response.json["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refused(client, coordinator_client, demo, demo_token):
    token = db.session.scalar(select(ApiToken))
    coordinator_client.post(f"/people/api-tokens/{token.id}/revoke")

    assert client.get("/api/v1/fiscal-years", headers=bearer(demo_token)).status_code == 401


@pytest.mark.parametrize("url", ["/api/v1/fiscal-years/2569/tasks", "/api/v1/fiscal-years/99999999999999999999/tasks",
                                 "/api/v1/fiscal-years/2568/nothing", "/api/v1/nothing"])
def test_what_does_not_exist_is_a_json_404(client, demo, demo_token, url):
    response = client.get(url, headers=bearer(demo_token))

    assert response.status_code == 404
    assert response.json == {"error": "ไม่พบหน้าที่ต้องการ"}


def test_an_unknown_parameter_is_a_json_400(client, demo, demo_token):
    response = client.get("/api/v1/fiscal-years/2568/tasks?divison=2", headers=bearer(demo_token))

    assert response.status_code == 400 and "divison" in response.json["error"]


def test_writing_is_refused_as_json_with_the_allowed_methods(client, demo, demo_token):
    response = client.post("/api/v1/fiscal-years", headers=bearer(demo_token))

    assert response.status_code == 405 and response.json["error"]
    assert "GET" in response.headers["Allow"]


# --- one agency never reads another's --------------------------------------------------------------

def test_a_token_reads_only_its_own_agency(client, demo, demo_token, other_agency, other_token):
    demo_ids = set(db.session.scalars(select(Task.id).where(Task.organization_id == demo.id)))
    other_ids = {task.id for task in other_agency.measure_tasks()}

    def seen_with(token: str) -> set[int]:
        return {t["id"] for t in client.get("/api/v1/fiscal-years/2568/tasks", headers=bearer(token)).json["tasks"]}

    assert seen_with(demo_token) == demo_ids and seen_with(other_token) == other_ids


def test_another_agencys_token_sees_none_of_the_demos_plan_or_documents(client, demo, other_agency, other_token):
    factories.published_version(demo_fiscal_year(demo))

    for what in ("topics", "measures", "documents"):
        body = client.get(f"/api/v1/fiscal-years/2568/{what}", headers=bearer(other_token)).get_data(as_text=True)
        assert "พิชัย" not in body and "pichai" not in body
    measures = client.get("/api/v1/fiscal-years/2568/measures", headers=bearer(other_token)).json["measures"]
    assert [m["id"] for m in measures] == [other_agency.measure.id]


def test_a_division_of_another_agency_gives_no_tasks(client, demo, demo_token, other_agency):
    foreign = other_agency.divisions["กองคลัง"].id

    response = client.get(f"/api/v1/fiscal-years/2568/tasks?division={foreign}", headers=bearer(demo_token))

    assert response.json["tasks"] == []


# --- nothing private ------------------------------------------------------------------------------

def test_no_endpoint_shows_problems_text_or_people(client, demo, demo_token):
    factories.published_version(demo_fiscal_year(demo))
    people = list(db.session.scalars(select(User).where(User.organization_id == demo.id)))
    urls = ["/api/v1/fiscal-years"] + [f"/api/v1/fiscal-years/2568/{what}"
                                       for what in ("topics", "measures", "tasks", "documents")]

    bodies = [client.get(url, headers=bearer(demo_token)).get_data(as_text=True) for url in urls]
    bodies.append(client.get("/api/v1/public/pichai/documents").get_data(as_text=True))

    for body in bodies:
        assert "problems" not in body and "done_text" not in body
        assert not any(person.email in body or person.name in body for person in people)


# --- the whole API against its own description ----------------------------------------------------

OPERATIONS = ("/api/v1/fiscal-years", "/api/v1/fiscal-years/{year}/topics", "/api/v1/fiscal-years/{year}/measures",
              "/api/v1/fiscal-years/{year}/tasks", "/api/v1/fiscal-years/{year}/documents",
              "/api/v1/public/{slug}/documents")


def cases(operation, kind: str):
    """The documented examples (the demo's year and slug, so the answers are full lists), or cases
    generated from the schema: valid ones, or ones the schema says are invalid."""
    if kind == "examples":
        return st.one_of(operation.get_strategies_from_examples() or [operation.as_strategy()])
    mode = GenerationMode.POSITIVE if kind == "valid" else GenerationMode.NEGATIVE
    return operation.as_strategy(generation_mode=mode)


@pytest.mark.parametrize("path", OPERATIONS)
@pytest.mark.parametrize("kind", ["examples", "valid", "invalid"])
def test_api_answers_as_its_openapi_document_says(app, demo, demo_token, path, kind):
    """Requests made from the live schema, with the demo's token where the case carries one: never
    a 5xx, and every answer (status, content type, body) as documented.
    (Built per operation here: schemathesis' own pytest loader does not run on pytest 9.)"""
    factories.published_version(demo_fiscal_year(demo))
    config = SchemathesisConfig.from_dict({"auth": {"openapi": {"bearerAuth": {"bearer": demo_token}}}})
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)[path]["GET"]

    @given(case=cases(operation, kind))
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        response = case.call_and_validate()
        assert kind != "examples" or response.status_code == 200

    check()


def test_openapi_document_describes_the_bearer_token_and_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json

    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert set(document["paths"]) == {
        "/api/v1/fiscal-years", "/api/v1/fiscal-years/{year}/topics", "/api/v1/fiscal-years/{year}/measures",
        "/api/v1/fiscal-years/{year}/tasks", "/api/v1/fiscal-years/{year}/documents",
        "/api/v1/public/{slug}/documents"}

"""The security headers on every response the app gives, and uploaded files served as the kind they
were checked to be, whatever type the uploader's browser sent."""
import io
from datetime import datetime

import pytest
from flask import Response
from sqlalchemy import select

from tests import factories
from tests.conftest import fresh_database, make_app
from tracker.extensions import db
from tracker.models import Delivery, Division, Evidence, FiscalYear, Task, User
from tracker.services import api_tokens, evidence
from tracker.web import security

EMBEDDABLE = ("public.agency", "public.year", "public.progress")
# Addresses the walk cannot fill from the demo (no draft compiled, no calendar subscribed), and a page
# for heads only: their error pages are checked like any other answer.
NOT_FOR_THE_COORDINATOR = {"reports.draft", "reports.draft_file", "calendar.feed", "tasks.mine"}


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy as {directive: sources}."""
    parts = (part.strip().split(None, 1) for part in response.headers["Content-Security-Policy"].split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts if part}


def assert_security_headers(response, frameable: bool = False) -> None:
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no other origin
    assert directives["style-src"] == "'self'" and directives["img-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http
    if frameable:
        assert directives["frame-ancestors"] == "*" and "X-Frame-Options" not in response.headers
    else:
        assert directives["frame-ancestors"] == "'none'" and response.headers["X-Frame-Options"] == "DENY"


def read(response):
    """Read the body and close the response (a served file stays open until closed)."""
    response.get_data()
    response.close()
    return response


def upload(client, task: Task, name: str, content: bytes, sent_type: str, public: bool = False):
    data = {"status": "in_progress", "percent": "50", "done_text": "แนบหลักฐาน", "problems": "", "links": "",
            "version": str(task.version), "files": (io.BytesIO(content), name, sent_type)}
    if public:
        data["files_public"] = "y"
    response = client.post(f"/tasks/{task.id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(Evidence).where(Evidence.filename == name)).one()


def finance_task() -> Task:
    return db.session.scalar(select(Task).join(Task.division).where(Division.name == "กองคลัง").order_by(Task.id))


# --- every GET route -----------------------------------------------------------------------------

@pytest.fixture
def published(demo):
    """The demo's measures document, published."""
    fiscal_year = db.session.scalar(select(FiscalYear).where(FiscalYear.organization_id == demo.id))
    return factories.published_version(fiscal_year)


@pytest.fixture
def walk(app, demo, published, finance_client):
    """Values for every URL argument, from the demo: a published measures document, a public
    evidence file and an API token."""
    fiscal_year, version = published.fiscal_year, published
    item = upload(finance_client, finance_task(), "ประกาศ.pdf", b"%PDF-1.4 public", "application/pdf", public=True)
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@pichai.example"))
    _, token = api_tokens.create(demo.id, "ระบบทดสอบ", coordinator, datetime(2025, 3, 31, 3, 0))
    db.session.commit()
    delivery = db.session.scalar(select(Delivery.id).where(Delivery.organization_id == demo.id))
    values = {
        "year": fiscal_year.year, "ita_year": fiscal_year.assessment_year.year, "fy": fiscal_year.year, "slug": demo.slug, "doc": "measures", "kind": "measures",
        "fmt": "docx", "number": version.number, "version_id": version.id, "evidence_id": item.id,
        "task_id": item.task_id, "topic_id": fiscal_year.topics[0].id, "measure_id": fiscal_year.topics[0].measures[0].id,
        "division_id": finance_task().division_id, "user_id": coordinator.id, "delivery_id": delivery or 999999,
        "draft_id": 999999, "token": "ita_not-a-token", "filename": "tracker.css", "page": "ita",
        "update_id": item.update_id,
    }
    return values, {"Authorization": f"Bearer {token}"}


def get_routes(app):
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]


def url_of(adapter, rule, values: dict) -> str:
    if rule.endpoint.startswith("item_banks."):
        values = values | {"year": values["ita_year"]}  # item lists go by ITA year (2567), not fiscal year
    if rule.endpoint == "tasks.export":
        values = values | {"fmt": "xlsx"}  # a task list is a spreadsheet, not a document
    return adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})


def test_every_get_route_carries_the_security_headers(app, coordinator_client, walk):
    values, bearer = walk
    adapter = app.url_map.bind("localhost")
    answered = {}
    for rule in get_routes(app):
        url = url_of(adapter, rule, values)
        response = read(coordinator_client.get(url, headers=bearer if url.startswith("/api/") else {}))
        assert response.status_code < 500, url
        assert_security_headers(response)
        answered[rule.endpoint] = response.status_code
    # the walk saw the real pages and files, not only their error pages
    failed = {endpoint for endpoint, status in answered.items() if status >= 400}
    assert failed == NOT_FOR_THE_COORDINATOR, failed
    assert len(answered) >= 60


def test_the_public_embed_view_may_be_framed_by_other_sites(client, published):
    for url in ("/public/pichai/?embed=1", "/public/pichai/2568/?embed=1", "/public/pichai/2568/progress?embed=1"):
        response = client.get(url)
        assert response.status_code == 200
        assert_security_headers(response, frameable=True)


def test_public_pages_outside_the_embed_view_may_not_be_framed(client, published):
    for url in ("/public/pichai/", "/public/pichai/2568/progress", "/public/pichai/2568/measures?embed=1"):
        response = client.get(url)
        assert response.status_code == 200
        assert_security_headers(response)


def test_a_revalidated_public_page_keeps_its_headers(client, published):
    first = client.get("/public/pichai/?embed=1")
    again = client.get("/public/pichai/?embed=1", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert_security_headers(again, frameable=True)


@pytest.mark.parametrize("url", ["/login", "/healthz", "/public/pichai/", "/static/tracker.js", "/no-such-page",
                                 "/api/v1/fiscal-years"])
def test_anonymous_answers_carry_the_headers(client, demo, url):
    response = read(client.get(url))
    assert response.status_code in (200, 401, 404)
    assert_security_headers(response)


def test_forbidden_and_not_found_pages_carry_the_headers(finance_client):
    forbidden = finance_client.get("/dashboard")
    missing = finance_client.get("/tasks/999999")
    assert forbidden.status_code == 403 and missing.status_code == 404
    assert_security_headers(forbidden)
    assert_security_headers(missing)


def test_wrong_method_and_api_errors_carry_the_headers(client, demo):
    wrong_method = client.delete("/login")
    api_refused = client.get("/api/v1/fiscal-years", headers={"Authorization": "Bearer ita_wrong"})
    assert wrong_method.status_code == 405 and api_refused.status_code == 401
    assert api_refused.is_json
    assert_security_headers(wrong_method)
    assert_security_headers(api_refused)


def test_a_server_error_page_carries_the_headers(tmp_path):
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.route("/broken")
    def broken():
        raise RuntimeError("a bug")

    with fresh_database(app):
        response = app.test_client().get("/broken")
    assert response.status_code == 500 and "ระบบขัดข้อง" in response.get_data(as_text=True)
    assert_security_headers(response)


# --- HTTPS ---------------------------------------------------------------------------------------

def test_hsts_is_sent_over_https_only(client, demo):
    secure = client.get("/login", base_url="https://ita.pichai.example")
    plain = client.get("/login", base_url="http://ita.pichai.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in plain.headers


def test_behind_a_proxy_hsts_follows_the_proxys_scheme(tmp_path):
    app = make_app(tmp_path, TRACKER_PROXIES=1)
    with fresh_database(app):
        client = app.test_client()
        over_https = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        over_http = client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in over_http.headers


def test_a_header_a_view_set_itself_is_kept(app):
    own_policy = "default-src 'none'; frame-ancestors 'none'"
    with app.test_request_context("/"):
        response = security.add_security_headers(Response("x", headers={"Content-Security-Policy": own_policy}))
    assert response.headers["Content-Security-Policy"] == own_policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- uploaded files ------------------------------------------------------------------------------

def test_a_pdf_sent_as_html_is_served_as_a_pdf(finance_client):
    item = upload(finance_client, finance_task(), "สรุป.pdf", b"%PDF-1.4 <script>alert(1)</script>", "text/html")
    response = read(finance_client.get(f"/evidence/{item.id}"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert item.content_type == "application/pdf"  # the stored type is the checked one too
    assert_security_headers(response)


def test_a_text_file_sent_as_html_is_downloaded_as_plain_text(finance_client):
    page = b"<html><script>alert(document.cookie)</script></html>"
    item = upload(finance_client, finance_task(), "บันทึก.txt", page, "text/html")
    response = read(finance_client.get(f"/evidence/{item.id}"))
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.get_data() == page
    assert_security_headers(response)


def test_a_public_file_is_served_as_its_checked_kind(client, finance_client, demo):
    item = upload(finance_client, finance_task(), "ภาพ.png", b"\x89PNG\r\n\x1a\n", "text/html", public=True)
    response = read(client.get(f"/public/{demo.slug}/evidence/{item.id}"))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert_security_headers(response)


def test_a_file_stored_with_the_uploaders_type_is_still_served_as_its_kind(finance_client):
    """Rows saved before the rule kept whatever type the browser sent; serving does not trust it."""
    item = upload(finance_client, finance_task(), "ตาราง.csv", b"a,b\n1,2\n", "text/csv")
    item.content_type = "text/html"
    db.session.commit()
    response = read(finance_client.get(f"/evidence/{item.id}"))
    assert response.mimetype == "text/csv" and response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("kind", sorted(evidence.CONTENT_TYPES))
def test_every_accepted_kind_has_a_fixed_type_and_only_checked_images_and_pdfs_show_inline(app, kind):
    assert kind in app.config["TRACKER_UPLOAD_EXTENSIONS"]
    item = Evidence(stored_name=f"abc.{kind}")
    assert evidence.served_type(item) == evidence.CONTENT_TYPES[kind] and "html" not in evidence.served_type(item)
    assert evidence.shows_inline(item) == (kind in ("pdf", "png", "jpg", "jpeg", "gif"))
    if evidence.shows_inline(item):
        assert kind in evidence.SIGNATURES  # shown only when its leading bytes were checked


def test_an_html_file_is_refused_with_a_thai_message(finance_client):
    task = finance_task()
    data = {"status": "in_progress", "percent": "50", "done_text": "", "problems": "", "links": "",
            "version": str(task.version), "files": (io.BytesIO(b"<script>alert(1)</script>"), "หน้า.html", "text/html")}
    response = finance_client.post(f"/tasks/{task.id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "เป็นชนิดที่ไม่รับ" in response.get_data(as_text=True)
    assert db.session.scalar(select(Evidence).where(Evidence.filename == "หน้า.html")) is None

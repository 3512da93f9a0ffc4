"""The read-only JSON API for other systems: its tokens (made and revoked by the coordinator),
what each endpoint answers, that one agency's token never reads another's data, and the whole API
against its own OpenAPI description (schemathesis)."""
import hashlib
import re

from sqlalchemy import select

from tests import factories
from tests.conftest import login
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent

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

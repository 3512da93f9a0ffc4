"""People: the coordinator adds, changes, resets and deactivates users; everyone changes their own
password; failed logins are counted in the database and refused after too many."""
from datetime import timedelta

from flask import current_app
import pytest
from sqlalchemy import select, update

from tests import factories
from tests.conftest import ON_POSTGRES, login
from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, Division, LoginAttempt, Role, User
from tracker.services import users
from tracker.services.demo import DEMO_PASSWORD
from tracker.services.errors import NotFound, ServiceError
from tracker.transactions import transaction

BLOCKED = "เข้าสู่ระบบผิดหลายครั้ง กรุณารอ 15 นาทีแล้วลองใหม่"
WRONG = "อีเมลหรือรหัสผ่านไม่ถูกต้อง"
NEW_PASSWORD = "ใหม่-2568-pass"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def division(demo, name: str) -> Division:
    return db.session.scalar(select(Division).where(Division.organization_id == demo.id, Division.name == name))


def edit_data(target: User, **overrides) -> dict:
    data = {"name": target.name, "position": target.position, "role": target.role,
            "division_id": str(target.division_id or ""), "active": "y" if target.active else ""}
    return {key: value for key, value in {**data, **overrides}.items() if value is not None}


def try_login(client, email: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_overrides={"REMOTE_ADDR": ip})


def page(response) -> str:
    return response.get_data(as_text=True)


def audit_events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the list and permissions ---

def test_coordinator_sees_every_user_of_the_organization(coordinator_client, other_agency):
    body = page(coordinator_client.get("/people"))
    assert "finance@pichai.example" in body and "สุดารัตน์ มั่นคง" in body and "กองคลัง" in body
    assert f"coordinator@{other_agency.organization.id}.test" not in body


@pytest.mark.parametrize("url", ["/people", "/people/new", "/people/{id}/edit", "/people/{id}/password"])
@pytest.mark.parametrize("who", ["finance_client", "executive_client"])
def test_head_and_executive_cannot_open_people_pages(request, who, url):
    client = request.getfixturevalue(who)
    target = user("works@pichai.example")
    assert client.get(url.format(id=target.id)).status_code == 403
    if url != "/people":
        assert client.post(url.format(id=target.id), data={}).status_code == 403


def test_head_cannot_reset_another_users_password(finance_client):
    target = user("works@pichai.example")
    finance_client.post(f"/people/{target.id}/password", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert user("works@pichai.example").check_password(DEMO_PASSWORD)


@pytest.mark.parametrize("url", ["/people/{id}/edit", "/people/{id}/password"])
def test_another_organizations_user_is_not_found(coordinator_client, other_agency, url):
    stranger = other_agency.coordinator
    assert coordinator_client.get(url.format(id=stranger.id)).status_code == 404
    response = coordinator_client.post(url.format(id=stranger.id),
                                       data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                             **edit_data(stranger, active="")})
    assert response.status_code == 404
    assert db.session.get(User, stranger.id).active
    assert db.session.get(User, stranger.id).check_password(factories.PASSWORD)


def test_anonymous_user_is_sent_to_login_from_account_password(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_role_can_open_the_change_password_page(coordinator_client, executive_client, finance_client):
    for client in (coordinator_client, executive_client, finance_client):
        assert "เปลี่ยนรหัสผ่าน" in page(client.get("/account/password"))


def test_navigation_shows_users_link_to_coordinator_only(coordinator_client, finance_client):
    assert 'href="/people"' in page(coordinator_client.get("/plan/"))
    assert 'href="/people"' not in page(finance_client.get("/plan/"))
    assert 'href="/account/password"' in page(finance_client.get("/profile"))  # under ตั้งค่าของฉัน


# --- adding users ---

def test_coordinator_adds_a_head_who_can_log_in(app, coordinator_client, demo):
    works = division(demo, "กองช่าง")
    response = coordinator_client.post("/people/new", data={
        "email": " New.Head@Pichai.example ", "name": "ผู้อำนวยการคนใหม่", "position": "ผู้อำนวยการกองช่าง",
        "role": "head", "division_id": str(works.id), "password": NEW_PASSWORD})
    assert response.status_code == 302
    added = user("new.head@pichai.example")
    assert (added.organization_id, added.role, added.division_id) == (demo.id, Role.HEAD, works.id)
    login(app.test_client(), "new.head@pichai.example", NEW_PASSWORD)


@pytest.mark.parametrize("data, message", [
    ({"email": ""}, "กรุณากรอกอีเมล"),
    ({"email": "ไม่ใช่อีเมล"}, "อีเมลไม่ถูกต้อง"),
    ({"email": "finance@pichai.example"}, "ใช้อีเมลนี้ไม่ได้ กรุณาใช้อีเมลอื่น"),
    ({"name": ""}, "กรุณากรอกชื่อ-นามสกุล"),
    ({"role": "admin"}, "ตัวเลือกไม่ถูกต้อง"),
    ({"division_id": ""}, "หัวหน้ากองต้องเลือกกอง"),
    ({"division_id": "999999"}, "ตัวเลือกไม่ถูกต้อง"),
    ({"division_id": "abc"}, "ตัวเลือกไม่ถูกต้อง"),
    ({"password": ""}, "กรุณากำหนดรหัสผ่านเริ่มต้น"),
    ({"password": "short"}, "รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร"),
    ({"password": "password123"}, "รหัสผ่านนี้เดาง่ายเกินไป"),
])
def test_new_user_form_refusals(coordinator_client, demo, data, message):
    form = {"email": "someone@pichai.example", "name": "ผู้ใช้ใหม่", "role": "head",
            "division_id": str(division(demo, "กองช่าง").id), "password": NEW_PASSWORD, **data}
    response = coordinator_client.post("/people/new", data=form)
    assert response.status_code == 200
    assert message in page(response)
    assert user("someone@pichai.example") is None


def test_new_user_cannot_be_put_in_another_organizations_division(coordinator_client, other_agency):
    foreign = division(other_agency.organization, "กองคลัง")
    response = coordinator_client.post("/people/new", data={
        "email": "someone@pichai.example", "name": "ผู้ใช้ใหม่", "role": "head", "division_id": str(foreign.id),
        "password": NEW_PASSWORD})
    assert "ตัวเลือกไม่ถูกต้อง" in page(response)
    assert user("someone@pichai.example") is None


def test_adding_a_user_is_audited_without_the_password(coordinator_client, demo):
    coordinator_client.post("/people/new", data={"email": "exec2@pichai.example", "name": "รองนายก",
                                                 "role": "executive", "division_id": "", "password": NEW_PASSWORD})
    [event] = [e for e in audit_events("user.create") if e.entity_id == user("exec2@pichai.example").id]
    assert event.after["email"] == "exec2@pichai.example"
    assert NEW_PASSWORD not in str(event.before) + str(event.after)


# --- editing users ---

def test_coordinator_moves_a_head_to_another_division_and_it_is_audited(coordinator_client, demo):
    finance, works = user("finance@pichai.example"), division(demo, "กองช่าง")
    response = coordinator_client.post(f"/people/{finance.id}/edit",
                                       data=edit_data(finance, division_id=str(works.id), position="ผอ.กองช่าง"))
    assert response.status_code == 302
    assert user("finance@pichai.example").division_id == works.id
    [event] = audit_events("user.update")
    assert event.before == {"position": "ผู้อำนวยการกองคลัง", "division": "กองคลัง"}
    assert event.after == {"position": "ผอ.กองช่าง", "division": "กองช่าง"}
    assert event.actor_id == user("coordinator@pichai.example").id


def test_edit_page_shows_the_users_current_values(coordinator_client):
    finance = user("finance@pichai.example")
    body = page(coordinator_client.get(f"/people/{finance.id}/edit"))
    assert "สุดารัตน์ มั่นคง" in body and "finance@pichai.example" in body


def test_coordinator_deactivates_a_user_who_then_cannot_log_in(app, coordinator_client):
    finance = user("finance@pichai.example")
    coordinator_client.post(f"/people/{finance.id}/edit", data=edit_data(finance, active=""))
    assert not user("finance@pichai.example").active
    response = try_login(app.test_client(), "finance@pichai.example", DEMO_PASSWORD)
    assert response.status_code == 200 and WRONG in page(response)
    [event] = audit_events("user.update")
    assert (event.before, event.after) == ({"active": True}, {"active": False})


def test_edit_form_refuses_head_without_division(coordinator_client):
    executive = user("executive@pichai.example")
    response = coordinator_client.post(f"/people/{executive.id}/edit", data=edit_data(executive, role="head"))
    assert "หัวหน้ากองต้องเลือกกอง" in page(response)
    assert user("executive@pichai.example").role == Role.EXECUTIVE


def test_edit_form_refuses_empty_name(coordinator_client):
    finance = user("finance@pichai.example")
    assert "กรุณากรอกชื่อ-นามสกุล" in page(coordinator_client.post(f"/people/{finance.id}/edit",
                                                                  data=edit_data(finance, name="")))


def test_coordinator_cannot_deactivate_themself(coordinator_client):
    me = user("coordinator@pichai.example")
    response = coordinator_client.post(f"/people/{me.id}/edit", data=edit_data(me, active=""))
    assert "ไม่สามารถปิดบัญชีหรือเปลี่ยนบทบาทของตนเองได้" in page(response)
    assert user("coordinator@pichai.example").active


def test_coordinator_cannot_demote_themself_even_with_another_coordinator(app, coordinator_client, demo):
    with transaction():
        users.create_user(demo, "second@pichai.example", "coordinator", NEW_PASSWORD, "ผู้ประสานงานสำรอง", config=current_app.config)
    me = user("coordinator@pichai.example")
    response = coordinator_client.post(f"/people/{me.id}/edit", data=edit_data(me, role="executive"))
    assert "ไม่สามารถปิดบัญชีหรือเปลี่ยนบทบาทของตนเองได้" in page(response)
    assert user("coordinator@pichai.example").role == Role.COORDINATOR


def test_coordinator_may_demote_another_coordinator(coordinator_client, demo):
    with transaction():
        second = users.create_user(demo, "second@pichai.example", "coordinator", NEW_PASSWORD, "ผู้ประสานงานสำรอง", config=current_app.config)
    response = coordinator_client.post(f"/people/{second.id}/edit", data=edit_data(second, role="executive"))
    assert response.status_code == 302
    assert user("second@pichai.example").role == Role.EXECUTIVE


def test_coordinator_may_edit_own_name(coordinator_client):
    me = user("coordinator@pichai.example")
    assert coordinator_client.post(f"/people/{me.id}/edit", data=edit_data(me, name="สมศรี ใจงาม")).status_code == 302
    assert user("coordinator@pichai.example").name == "สมศรี ใจงาม"


@pytest.mark.parametrize("change", [{"active": False}, {"role": "executive"}])
def test_last_active_coordinator_cannot_be_deactivated_or_demoted(demo, change):
    last = user("coordinator@pichai.example")
    values = {"name": last.name, "position": last.position, "role": last.role, "division": None, "active": True,
              **change}
    with pytest.raises(ServiceError, match="ต้องมีผู้ประสานงาน ITA ที่ใช้งานอยู่อย่างน้อย 1 คน"):
        users.update_user(last, actor=None, **values)
    db.session.rollback()
    assert user("coordinator@pichai.example").active and user("coordinator@pichai.example").is_coordinator


def test_an_inactive_coordinator_does_not_count_as_the_remaining_one(demo):
    second = users.create_user(demo, "second@pichai.example", "coordinator", NEW_PASSWORD, "สำรอง", config=current_app.config)
    users.update_user(second, second.name, "", "coordinator", None, False, actor=None)
    last = user("coordinator@pichai.example")
    with pytest.raises(ServiceError, match="อย่างน้อย 1 คน"):
        users.update_user(last, last.name, "", "coordinator", None, False, actor=None)


def test_update_user_refuses_a_division_of_another_organization(demo, other_agency):
    finance = user("finance@pichai.example")
    foreign = division(other_agency.organization, "กองคลัง")
    with pytest.raises(ServiceError, match="ไม่พบกองนี้ในหน่วยงาน"):
        users.update_user(finance, finance.name, "", "head", foreign, True, actor=None)


def test_update_user_refuses_an_actor_of_another_organization(demo, other_agency):
    finance = user("finance@pichai.example")
    with pytest.raises(NotFound):
        users.update_user(finance, finance.name, "", "head", finance.division, False, other_agency.coordinator)


def test_service_refuses_head_without_division(demo):
    executive = user("executive@pichai.example")
    with pytest.raises(ServiceError, match="หัวหน้ากองต้องระบุกอง"):
        users.update_user(executive, executive.name, "", "head", None, True, actor=None)


# --- passwords ---

def test_coordinator_resets_a_password_the_old_one_stops_working(app, coordinator_client):
    finance = user("finance@pichai.example")
    response = coordinator_client.post(f"/people/{finance.id}/password",
                                       data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    login(app.test_client(), "finance@pichai.example", NEW_PASSWORD)
    assert WRONG in page(try_login(app.test_client(), "finance@pichai.example", DEMO_PASSWORD))


@pytest.mark.parametrize("data, message", [
    ({"new_password": "", "confirm": ""}, "กรุณากรอกรหัสผ่านใหม่"),
    ({"new_password": "short", "confirm": "short"}, "รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร"),
    ({"new_password": NEW_PASSWORD, "confirm": "different-1"}, "รหัสผ่านทั้งสองช่องไม่ตรงกัน"),
    ({"new_password": NEW_PASSWORD, "confirm": ""}, "กรุณากรอกรหัสผ่านใหม่อีกครั้ง"),
])
def test_password_reset_form_refusals(coordinator_client, data, message):
    finance = user("finance@pichai.example")
    response = coordinator_client.post(f"/people/{finance.id}/password", data=data)
    assert response.status_code == 200 and message in page(response)
    assert user("finance@pichai.example").check_password(DEMO_PASSWORD)


def test_user_changes_own_password_and_only_the_new_one_works(app, finance_client):
    response = finance_client.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    login(app.test_client(), "finance@pichai.example", NEW_PASSWORD)
    assert WRONG in page(try_login(app.test_client(), "finance@pichai.example", DEMO_PASSWORD))


def test_a_password_reset_ends_the_users_open_sessions(app, coordinator_client, finance_client):
    assert finance_client.get("/my").status_code == 200
    finance = user("finance@pichai.example")
    coordinator_client.post(f"/people/{finance.id}/password", data={"new_password": NEW_PASSWORD,
                                                                     "confirm": NEW_PASSWORD})
    response = finance_client.get("/my")
    assert response.status_code == 302 and "/login" in response.location


def test_a_coordinator_resetting_their_own_password_stays_logged_in(coordinator_client):
    me = user("coordinator@pichai.example")
    coordinator_client.post(f"/people/{me.id}/password", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert coordinator_client.get("/people").status_code == 200


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, finance_client):
    phone = login(app.test_client(), "finance@pichai.example")
    response = finance_client.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "ออกจากระบบในอุปกรณ์อื่นให้แล้ว" in page(finance_client.get(response.location, follow_redirects=True))
    assert finance_client.get("/my").status_code == 200
    assert phone.get("/my").status_code == 302


def test_a_session_cookie_with_a_forged_key_is_not_logged_in(app, demo):
    finance = user("finance@pichai.example")
    client = app.test_client()
    for forged in (str(finance.id), f"{finance.id}:{'0' * 32}", "x:y"):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert client.get("/my").status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"current_password": "wrong-password"}, "รหัสผ่านปัจจุบันไม่ถูกต้อง"),
    ({"current_password": ""}, "กรุณากรอกรหัสผ่านปัจจุบัน"),
    ({"new_password": "short", "confirm": "short"}, "รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร"),
    ({"confirm": "different-1"}, "รหัสผ่านทั้งสองช่องไม่ตรงกัน"),
    ({"new_password": DEMO_PASSWORD, "confirm": DEMO_PASSWORD}, "รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิม"),
])
def test_change_own_password_refusals(finance_client, data, message):
    form = {"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, **data}
    response = finance_client.post("/account/password", data=form)
    assert response.status_code == 200 and message in page(response)
    assert user("finance@pichai.example").check_password(DEMO_PASSWORD)


def test_change_own_password_service_checks_the_current_one(demo):
    with pytest.raises(ServiceError, match="รหัสผ่านปัจจุบันไม่ถูกต้อง"):
        users.change_own_password(user("finance@pichai.example"), "wrong-password", NEW_PASSWORD, config=current_app.config)


def test_password_changes_are_audited_without_password_values(coordinator_client, finance_client):
    finance = user("finance@pichai.example")
    coordinator_client.post(f"/people/{finance.id}/password", data={"new_password": NEW_PASSWORD,
                                                                    "confirm": NEW_PASSWORD})
    login(finance_client, "finance@pichai.example", NEW_PASSWORD)  # the reset ended the old session
    finance_client.post("/account/password", data={"current_password": NEW_PASSWORD,
                                                   "new_password": "another-pass-1", "confirm": "another-pass-1"})
    [reset] = audit_events("user.password_reset")
    [change] = audit_events("user.password_change")
    assert (reset.entity_id, reset.actor_id) == (finance.id, user("coordinator@pichai.example").id)
    assert (change.entity_id, change.actor_id) == (finance.id, finance.id)
    everything = str([(e.before, e.after) for e in db.session.scalars(select(AuditEvent))])
    assert NEW_PASSWORD not in everything and "another-pass-1" not in everything
    assert "password_hash" not in everything and finance.password_hash not in everything


# --- login rate limiting ---

def test_five_failures_block_even_the_right_password(app, demo):
    client = app.test_client()
    for _ in range(5):
        assert WRONG in page(try_login(client, "finance@pichai.example", "wrong-password"))
    response = try_login(client, "finance@pichai.example", DEMO_PASSWORD)
    assert response.status_code == 429 and BLOCKED in page(response)
    assert WRONG not in page(response)


def test_four_failures_still_allow_the_right_password(app, demo):
    client = app.test_client()
    for _ in range(4):
        try_login(client, "finance@pichai.example", "wrong-password")
    assert try_login(client, "finance@pichai.example", DEMO_PASSWORD).status_code == 302


def test_blocked_message_is_the_same_for_an_unknown_email(app, demo):
    client = app.test_client()
    for _ in range(5):
        assert WRONG in page(try_login(client, "nobody@pichai.example", "wrong-password"))
    assert BLOCKED in page(try_login(client, "nobody@pichai.example", "wrong-password"))


def test_email_limit_ignores_case(app, demo):
    client = app.test_client()
    for email in ("Finance@Pichai.example", "finance@pichai.example", "FINANCE@PICHAI.EXAMPLE") * 2:
        try_login(client, email, "wrong-password", ip=f"10.0.0.{len(email)}")
    assert BLOCKED in page(try_login(client, "finance@pichai.example", DEMO_PASSWORD, ip="10.9.9.9"))


def test_login_is_allowed_again_after_fifteen_minutes(app, demo):
    client = app.test_client()
    for _ in range(5):
        try_login(client, "finance@pichai.example", "wrong-password")
    db.session.execute(update(LoginAttempt).values(at=LoginAttempt.at - timedelta(minutes=15, seconds=1)))
    db.session.commit()
    assert try_login(client, "finance@pichai.example", DEMO_PASSWORD).status_code == 302


def test_blocked_attempts_do_not_extend_the_block(demo):
    start = clock.now()
    for minute in range(5):
        users.record_login("finance@pichai.example", "10.0.0.1", False, start + timedelta(minutes=minute))
    last_failure = start + timedelta(minutes=4)
    assert users.login_blocked("finance@pichai.example", "10.0.0.1", last_failure + timedelta(minutes=14))
    assert not users.login_blocked("finance@pichai.example", "10.0.0.1", last_failure + timedelta(minutes=15))


def test_failures_spread_over_more_than_fifteen_minutes_do_not_block(demo):
    start = clock.now()
    for minute in (0, 4, 8, 12, 16):
        users.record_login("finance@pichai.example", "10.0.0.1", False, start + timedelta(minutes=minute))
    assert not users.login_blocked("finance@pichai.example", "10.0.0.1", start + timedelta(minutes=17))


def test_a_success_counts_only_the_failures_after_it(demo):
    start = clock.now()
    for minute in range(4):
        users.record_login("finance@pichai.example", "10.0.0.1", False, start + timedelta(minutes=minute))
    users.record_login("finance@pichai.example", "10.0.0.1", True, start + timedelta(minutes=5))
    for minute in range(6, 10):
        users.record_login("finance@pichai.example", "10.0.0.1", False, start + timedelta(minutes=minute))
    assert not users.login_blocked("finance@pichai.example", "10.0.0.2", start + timedelta(minutes=10))
    users.record_login("finance@pichai.example", "10.0.0.1", False, start + timedelta(minutes=10))
    assert users.login_blocked("finance@pichai.example", "10.0.0.2", start + timedelta(minutes=11))
    assert db.session.scalar(select(db.func.count()).select_from(LoginAttempt)) == 10  # nothing was cleared


def test_twenty_failures_from_one_ip_block_every_email_from_it(app, demo):
    client = app.test_client()
    for n in range(20):
        assert WRONG in page(try_login(client, f"guess{n}@pichai.example", "wrong-password", ip="192.0.2.7"))
    assert BLOCKED in page(try_login(client, "finance@pichai.example", DEMO_PASSWORD, ip="192.0.2.7"))
    assert try_login(client, "finance@pichai.example", DEMO_PASSWORD, ip="192.0.2.8").status_code == 302


def test_nineteen_failures_from_one_ip_still_allow_a_login(app, demo):
    client = app.test_client()
    for n in range(19):
        try_login(client, f"guess{n}@pichai.example", "wrong-password", ip="192.0.2.7")
    assert try_login(client, "finance@pichai.example", DEMO_PASSWORD, ip="192.0.2.7").status_code == 302


def test_attempts_are_stored_in_the_database_where_every_worker_sees_them(app, demo):
    """Two clients stand for two gunicorn workers: they share nothing but the database."""
    for n in range(5):
        try_login(app.test_client(), "finance@pichai.example", "wrong-password", ip=f"10.0.1.{n}")
    attempts = db.session.scalars(select(LoginAttempt)).all()
    assert [(a.email, a.succeeded) for a in attempts] == [("finance@pichai.example", False)] * 5
    assert BLOCKED in page(try_login(app.test_client(), "finance@pichai.example", DEMO_PASSWORD, ip="10.0.2.1"))


def test_attempts_older_than_a_day_are_forgotten_at_the_next_login(app, demo):
    try_login(app.test_client(), "finance@pichai.example", "wrong-password")
    db.session.execute(update(LoginAttempt).values(at=clock.now() - timedelta(days=1, minutes=1)))
    db.session.commit()
    try_login(app.test_client(), "palad@pichai.example", DEMO_PASSWORD)
    assert [a.email for a in db.session.scalars(select(LoginAttempt))] == ["palad@pichai.example"]


@pytest.mark.skipif(not ON_POSTGRES, reason="runs with TRACKER_TEST_DATABASE_URL=postgresql+psycopg://…")
def test_counts_on_postgresql(app, demo):
    assert db.engine.dialect.name == "postgresql"
    client = app.test_client()
    for _ in range(5):
        try_login(client, "finance@pichai.example", "wrong-password")
    assert BLOCKED in page(try_login(client, "finance@pichai.example", DEMO_PASSWORD))


def test_a_deactivated_user_is_logged_out_at_the_next_request(finance_client):
    head = users.find_user_by_email("finance@pichai.example")
    assert finance_client.get("/my").status_code == 200
    head.active = False
    db.session.commit()
    response = finance_client.get("/my")
    assert response.status_code == 302 and "/login" in response.location

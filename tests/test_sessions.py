"""Sessions and logins: where a login may send the browser, logins held and ended on the server,
the same work for an unknown email as for a known one, strong new passwords, and nothing learnt
of another agency from an email that is in use."""
from datetime import timedelta
from urllib.parse import quote

from flask import current_app
import pytest
from sqlalchemy import select

from tests.conftest import TODAY, login
from tracker.extensions import db
from tracker.models import LoginSession, User
from tracker.services import users
from tracker.services.demo import DEMO_PASSWORD
from tracker.services.errors import ServiceError
from tracker.transactions import transaction
from tracker.web.auth import local_path

FINANCE = "finance@pichai.example"
STRONG = "ใหม่-2568-pass"
WEAK = "รหัสผ่านนี้เดาง่ายเกินไป"
UNUSABLE = "ใช้อีเมลนี้ไม่ได้ กรุณาใช้อีเมลอื่น"


def page(response) -> str:
    return response.get_data(as_text=True)


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def login_with_next(client, target: str):
    return client.post("/login?next=" + quote(target, safe=""), data={"email": FINANCE, "password": DEMO_PASSWORD})


def sessions_of(email: str) -> list[LoginSession]:
    return list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user(email).id)
                                   .order_by(LoginSession.id)))


def move_last_seen_back(by: timedelta) -> None:
    """In Python: SQLite cannot subtract an interval from a stored date."""
    for login_session in db.session.scalars(select(LoginSession)):
        login_session.last_seen_at -= by
    db.session.commit()


# --- where a login may send the browser ---

# Each of these is read by a browser as another site (or a script) once it has dropped tab, CR and
# LF, trimmed C0 controls and spaces, and read backslashes as slashes.
BYPASSES = [
    "//evil.example/x", "/\t/evil.example/x", "/\r/evil.example/x", "/\n/evil.example/x", "/\t\r\n/evil.example",
    "\t//evil.example", " //evil.example", "\x00//evil.example", "\x1f//evil.example", "//evil.example\x00",
    "/\\evil.example", "\\/evil.example", "\\\\evil.example", "/\t\\evil.example", "\\\t\\evil.example",
    "///evil.example", "https://evil.example/", "http:evil.example", "javascript:alert(1)", "evil.example",
    "", " ",
]


@pytest.mark.parametrize("target", BYPASSES)
def test_a_next_address_that_leaves_the_site_falls_back_to_the_dashboard(client, demo, target):
    response = login_with_next(client, target)
    assert response.status_code == 302 and response.location == "/"


def test_the_reported_tab_bypass_goes_to_the_dashboard(client, demo):
    response = client.post("/login?next=/%09/evil.example/x", data={"email": FINANCE, "password": DEMO_PASSWORD})
    assert response.location == "/"


@pytest.mark.parametrize("target", ["/my", "/plan/?year=2568", "/tasks/1#updates", "/%2F/not-a-host"])
def test_a_local_next_address_is_followed_after_login(client, demo, target):
    assert login_with_next(client, target).location == target


def test_a_local_address_with_a_tab_is_followed_as_the_browser_reads_it():
    assert local_path(" /my\t") == "/my" and local_path("/pl\nan/") == "/plan/"


def test_the_login_page_sent_from_a_protected_page_comes_back_to_it(client, demo):
    sent = client.get("/my?x=1")
    response = client.post(sent.location, data={"email": FINANCE, "password": DEMO_PASSWORD})
    assert response.location == "/my?x=1"


# --- logins held on the server ---

def test_a_copied_session_cookie_stops_working_after_logout(app, demo):
    browser = login(app.test_client(), FINANCE)
    copy = app.test_client()
    copy.set_cookie("session", browser.get_cookie("session").value)
    assert copy.get("/my").status_code == 200  # the copy works while the login holds
    browser.post("/logout")
    assert browser.get("/my").status_code == 302
    response = copy.get("/my")
    assert response.status_code == 302 and "/login" in response.location
    [ended] = sessions_of(FINANCE)
    assert ended.ended_at is not None


def test_logging_out_ends_only_that_login(app, demo):
    laptop, phone = login(app.test_client(), FINANCE), login(app.test_client(), FINANCE)
    laptop.post("/logout")
    assert phone.get("/my").status_code == 200


def test_a_login_sets_no_remember_me_cookie(app, demo):
    client = login(app.test_client(), FINANCE)
    assert client.get_cookie("remember_token") is None and client.get_cookie("session") is not None


def test_the_session_table_keeps_only_a_digest_of_the_token(app, demo):
    client = login(app.test_client(), FINANCE)
    [login_session] = sessions_of(FINANCE)
    with client.session_transaction() as session:
        token = session["_user_id"].rsplit(":", 1)[1]
    assert len(token) >= 40 and token not in login_session.token_hash


def test_a_login_idle_longer_than_the_setting_is_ended(app, demo):
    app.config["TRACKER_SESSION_IDLE_MINUTES"] = 30
    client = login(app.test_client(), FINANCE)
    move_last_seen_back(timedelta(minutes=29))
    assert client.get("/my").status_code == 200  # and last seen moves on to now
    move_last_seen_back(timedelta(minutes=30, seconds=1))
    response = client.get("/my")
    assert response.status_code == 302 and "/login" in response.location


def test_by_default_a_login_lasts_an_office_day_but_not_overnight(app, demo):
    assert app.config["TRACKER_SESSION_IDLE_MINUTES"] == 8 * 60
    client = login(app.test_client(), FINANCE)
    move_last_seen_back(timedelta(hours=7, minutes=59))
    assert client.get("/my").status_code == 200
    move_last_seen_back(timedelta(hours=16))  # overnight
    assert client.get("/my").status_code == 302


def test_idle_time_is_real_time_whatever_day_the_pages_show(app, demo):
    client = login(app.test_client(), FINANCE)
    app.config["TRACKER_TODAY"] = TODAY + timedelta(days=200)
    assert client.get("/my").status_code == 200


def test_each_request_keeps_the_login_alive(app, demo):
    app.config["TRACKER_SESSION_IDLE_MINUTES"] = 30
    client = login(app.test_client(), FINANCE)
    for _ in range(3):
        move_last_seen_back(timedelta(minutes=20))
        assert client.get("/my").status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(app, demo):
    client = login(app.test_client(), FINANCE)
    [started] = sessions_of(FINANCE)
    client.get("/my")
    assert sessions_of(FINANCE)[0].last_seen_at == started.last_seen_at
    move_last_seen_back(timedelta(minutes=2))
    moved_back = sessions_of(FINANCE)[0].last_seen_at
    client.get("/my")
    assert sessions_of(FINANCE)[0].last_seen_at >= moved_back + timedelta(minutes=2)


def test_a_password_reset_ends_the_users_logins_on_the_server(app, coordinator_client, demo):
    phone = login(app.test_client(), FINANCE)
    with transaction():
        users.reset_password(user(FINANCE), STRONG, actor=user("coordinator@pichai.example"), config=current_app.config)
    assert all(s.ended_at is not None for s in sessions_of(FINANCE))
    assert phone.get("/my").status_code == 302
    assert coordinator_client.get("/people").status_code == 200


def test_changing_ones_password_ends_the_other_logins_on_the_server(app, finance_client):
    phone = login(app.test_client(), FINANCE)
    finance_client.post("/account/password", data={"current_password": DEMO_PASSWORD, "new_password": STRONG,
                                                   "confirm": STRONG})
    assert [s.ended_at is None for s in sessions_of(FINANCE)] == [True, False]
    assert finance_client.get("/my").status_code == 200 and phone.get("/my").status_code == 302


@pytest.mark.parametrize("user_id", ["99999999999999999999", "-1", "", "1.5"])
def test_a_cookie_with_an_impossible_user_id_is_anonymous(app, demo, user_id):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{'0' * 32}:token"
    assert client.get("/my").status_code == 302


def test_stale_logins_are_deleted_at_a_later_login(app, demo):
    client = login(app.test_client(), FINANCE)
    client.post("/logout")
    move_last_seen_back(timedelta(days=2))
    login(app.test_client(), "palad@pichai.example")
    assert sessions_of(FINANCE) == [] and len(sessions_of("palad@pichai.example")) == 1


# --- the same work whether or not the email has an account ---

@pytest.fixture
def password_checks(monkeypatch):
    """The hashes that login checked a password against, in order (the real check still runs)."""
    checked = []
    real = users.check_password_hash

    def counting(password_hash, password):
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(users, "check_password_hash", counting)
    return checked


def hash_method(password_hash: str) -> str:
    return password_hash.split("$", 1)[0]


@pytest.mark.parametrize("email, password", [
    ("nobody@pichai.example", DEMO_PASSWORD), (FINANCE, "wrong-password"), (FINANCE, DEMO_PASSWORD)])
def test_every_login_checks_one_password_hashed_like_the_real_ones(client, demo, password_checks, email, password):
    client.post("/login", data={"email": email, "password": password})
    assert len(password_checks) == 1
    assert hash_method(password_checks[0]) == hash_method(user(FINANCE).password_hash)


def test_an_inactive_account_checks_a_password_too_and_is_refused(client, demo, password_checks):
    finance = user(FINANCE)
    finance.active = False
    db.session.commit()
    response = client.post("/login", data={"email": FINANCE, "password": DEMO_PASSWORD})
    assert len(password_checks) == 1 and "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in page(response)


def test_an_unknown_email_is_never_let_in_by_the_stand_in_hash(demo):
    assert users.authenticate("nobody@pichai.example", "", current_app.config) is None
    assert users.authenticate("nobody@pichai.example", DEMO_PASSWORD, current_app.config) is None


# --- new passwords ---

@pytest.mark.parametrize("password", ["password123", "12345678", "qwertyuiop", "iloveyou", "P@ssw0rd", "sunshine1",
                                      "abcdefgh", "aaaaaaaa", "finance2568"])
def test_a_common_or_own_name_password_is_refused_at_reset(demo, password):
    finance = user(FINANCE)
    with pytest.raises(ServiceError, match=WEAK):
        users.reset_password(finance, password, actor=None, config=current_app.config)
    db.session.rollback()
    assert user(FINANCE).check_password(DEMO_PASSWORD)


def test_a_short_password_is_refused_with_its_length(demo):
    with pytest.raises(users.WeakPassword, match="อย่างน้อย 8 ตัวอักษร"):
        users.check_new_password("Zx9#q")


def test_a_password_made_of_several_words_is_accepted(demo):
    users.reset_password(user(FINANCE), "ต้นไม้-ฝนตก-2568", actor=None, config=current_app.config)
    assert user(FINANCE).check_password("ต้นไม้-ฝนตก-2568")


def test_changing_ones_own_password_to_a_common_one_is_refused_on_the_page(finance_client):
    response = finance_client.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "new_password": "password1234", "confirm": "password1234"})
    assert response.status_code == 200 and WEAK in page(response)
    assert user(FINANCE).check_password(DEMO_PASSWORD)


def test_a_coordinator_resetting_to_a_common_password_is_refused_on_the_page(coordinator_client):
    response = coordinator_client.post(f"/people/{user(FINANCE).id}/password",
                                       data={"new_password": "iloveyou1", "confirm": "iloveyou1"})
    assert response.status_code == 200 and WEAK in page(response)
    assert user(FINANCE).check_password(DEMO_PASSWORD)


def test_a_new_user_with_the_email_name_as_password_is_refused(demo):
    with pytest.raises(users.WeakPassword):
        users.create_user(demo, "somchai@pichai.example", "executive", "somchai2568", "สมชาย", config=current_app.config)
    assert user("somchai@pichai.example") is None


def test_the_cli_refuses_a_common_password(app, demo):
    result = app.test_cli_runner().invoke(args=["tracker", "user", "add", "new@pichai.example", "--role", "executive",
                                                "--password", "password123", "--organization", demo.name])
    assert result.exit_code != 0 and WEAK in result.output
    assert user("new@pichai.example") is None


# --- an email in use tells nothing of another agency ---

def new_user_form(email: str, **overrides) -> dict:
    return {"email": email, "name": "ผู้ใช้ใหม่", "role": "executive", "division_id": "", "password": STRONG,
            **overrides}


def error_messages(response) -> list[str]:
    body = page(response)
    return [part.split("<", 1)[0] for part in body.split('class="error" role="alert">')[1:]]


def test_another_agencys_email_gets_the_same_message_as_one_of_ones_own(coordinator_client, other_agency):
    stranger = other_agency.coordinator
    theirs = coordinator_client.post("/people/new", data=new_user_form(stranger.email))
    ours = coordinator_client.post("/people/new", data=new_user_form(FINANCE))
    assert theirs.status_code == ours.status_code == 200
    assert UNUSABLE in page(theirs) and error_messages(theirs) == error_messages(ours)
    body = page(theirs)
    assert other_agency.organization.name not in body and stranger.name not in body
    assert db.session.get(User, stranger.id).organization_id == other_agency.organization.id


def test_an_email_in_use_differing_only_in_case_is_refused_alike(coordinator_client, other_agency):
    response = coordinator_client.post("/people/new", data=new_user_form(other_agency.coordinator.email.upper()))
    assert UNUSABLE in page(response)
    assert len(db.session.scalars(select(User).where(User.email == other_agency.coordinator.email)).all()) == 1


@pytest.mark.parametrize("email", ["x" * 5000 + "@a.b"])
def test_a_login_with_a_control_character_or_an_overlong_email_is_refused_plainly(client, demo, email):
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "อีเมลไม่ถูกต้อง" in page(response) or "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in page(response)

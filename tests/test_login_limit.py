"""The five-failures limit holds when wrong passwords arrive all at once: many threads post to a
live threaded server on a file SQLite database (or the PostgreSQL test database), and exactly five
attempts have their password checked."""
import http.client
import threading
from urllib.parse import urlencode

from flask import current_app
import pytest
from sqlalchemy import func, select

from tests.conftest import ON_POSTGRES, fresh_database, make_app
from tests.e2e.live_server import LiveServer
from tracker.extensions import db
from tracker.models import LoginAttempt, LoginGuard
from tracker.services import demo as demo_service
from tracker.services import users

FINANCE = "finance@pichai.example"
WRONG = "อีเมลหรือรหัสผ่านไม่ถูกต้อง"
AT_ONCE = 16
# A slower hash than the suite's, as in production: it widens the moment between the limit's
# check and the attempt's record, where requests arriving together would slip through.
SLOW_HASH = "pbkdf2:sha256:60000"


@pytest.fixture
def live_app(tmp_path):
    database = {} if ON_POSTGRES else {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limit.db'}"}
    with fresh_database(make_app(tmp_path, TRACKER_PASSWORD_HASH=SLOW_HASH, **database)) as app:
        demo_service.load_demo(current_app.config)
        yield app


def post_login(url: str, email: str, password: str) -> tuple[int, str]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("POST", "/login", body=urlencode({"email": email, "password": password}),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def all_at_once(url: str, email: str, password: str, count: int) -> list[tuple[int, str]]:
    start = threading.Barrier(count)
    answers: list[tuple[int, str]] = []

    def attempt() -> None:
        start.wait()
        answers.append(post_login(url, email, password))

    threads = [threading.Thread(target=attempt) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_wrong_passwords_at_once_get_exactly_five_checks_and_the_rest_429(live_app):
    with LiveServer(live_app) as server:
        answers = all_at_once(server.url, FINANCE, "wrong-password", AT_ONCE)
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] * 5 + [429] * (AT_ONCE - 5)
        assert all(WRONG in body for status, body in answers if status == 200)
        assert all(users.LOGIN_BLOCKED_MESSAGE in body for status, body in answers if status == 429)
        right = post_login(server.url, FINANCE, demo_service.DEMO_PASSWORD)
    assert right[0] == 429 and users.LOGIN_BLOCKED_MESSAGE in right[1]
    recorded = db.session.scalars(select(LoginAttempt.succeeded).where(LoginAttempt.email == FINANCE)).all()
    assert recorded == [False] * 5


def test_different_emails_at_once_are_each_counted_on_their_own(live_app):
    with LiveServer(live_app) as server:
        emails = [FINANCE, "palad@pichai.example", "nobody@pichai.example"]
        answers = {email: [] for email in emails}

        def try_five(email: str) -> None:
            answers[email] = all_at_once(server.url, email, "wrong-password", 5)

        threads = [threading.Thread(target=try_five, args=(email,)) for email in emails]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert {email: sorted(s for s, _ in got) for email, got in answers.items()} == {e: [200] * 5 for e in emails}
    assert db.session.scalar(select(func.count()).select_from(LoginGuard)) == len(emails) + 1  # and one address


def test_the_right_password_among_wrong_ones_at_once_logs_in(live_app):
    with LiveServer(live_app) as server:
        wrong = threading.Thread(target=all_at_once, args=(server.url, FINANCE, "wrong-password", 3))
        wrong.start()
        status, _ = post_login(server.url, FINANCE, demo_service.DEMO_PASSWORD)
        wrong.join(timeout=120)
    assert status == 302

"""The national-scale generator (scripts/national_data): a few agencies, each shaped as designed,
consistent, usable through the app, and rebuilt only when asked for another size."""
import json

import pytest
from tracker.schema import downgrade
from psycopg import sql

from scripts import national_data
from scripts.national_data import shape as national_shape
from tests.conftest import BASE_DATABASE_URL, ON_POSTGRES, login, make_app, private_postgres_database
from tracker.extensions import db

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="the generator writes PostgreSQL SQL (generate_series, COPY, hashint8): "
                            "run with TRACKER_TEST_DATABASE_URL naming a PostgreSQL server")
AGENCIES = 2


@pytest.fixture(scope="module")
def shape():
    return national_shape.build_shape()


@pytest.fixture(scope="module")
def national_url():
    url = private_postgres_database(BASE_DATABASE_URL, "_national")
    national_data.generate(url, AGENCIES, log=lambda line: None)
    return url


def query(url: str, statement: str) -> list[tuple]:
    with national_data.connect(url) as connection:
        return connection.execute(statement).fetchall()


def per_agency(url: str, table: str) -> list[int]:
    """How many rows of the table each agency has, agency by agency."""
    rows = query(url, f'SELECT organization_id, count(*) FROM "{table}" GROUP BY 1 ORDER BY 1')
    assert [agency for agency, _ in rows] == list(range(1, AGENCIES + 1))
    return [count for _, count in rows]


@pytest.mark.parametrize("table, shape_table", [
    ("division", "division"), ("user", "user"), ("assessment_year", "assessment_year"),
    ("assessment_item", "item"), ("item_score", "item"), ("fiscal_year", "fiscal_year"), ("topic", "topic"),
    ("measure", "measure"), ("measure_step", "step"), ("task", "task"),
])
def test_every_agency_has_the_rows_of_the_shape(national_url, shape, table, shape_table):
    assert per_agency(national_url, table) == [len(shape.tables[shape_table][1])] * AGENCIES


def test_an_agency_has_six_divisions_a_hundred_tasks_and_a_few_hundred_reports(national_url):
    assert per_agency(national_url, "division") == [6] * AGENCIES
    assert all(95 <= count <= 110 for count in per_agency(national_url, "task"))
    assert all(300 <= count <= 450 for count in per_agency(national_url, "progress_update"))


def test_the_outbox_history_is_every_month_sent_and_email_only_to_who_wants_it(national_url, shape):
    email_off = {local for local, *_, email_off in shape.tables["user"][1] if email_off}
    planned = [row for row in shape.tables["delivery"][1] if not (row[4] == "email" and row[1] in email_off)]
    assert per_agency(national_url, "delivery") == [len(planned)] * AGENCIES
    assert query(national_url, "SELECT DISTINCT status FROM delivery") == [("sent",)]
    assert query(national_url, "SELECT count(*) FROM delivery d JOIN notification_preference p ON p.user_id = d.user_id "
                               "WHERE d.channel = 'email' AND NOT p.email_enabled") == [(0,)]


@pytest.mark.parametrize("statement", [
    # a task's division and measure are its agency's
    "SELECT count(*) FROM task t JOIN division d ON d.id = t.division_id JOIN measure m ON m.id = t.measure_id "
    "WHERE d.organization_id <> t.organization_id OR m.organization_id <> t.organization_id",
    # a measure's divisions are its agency's, and it has a task for each of them
    "SELECT count(*) FROM measure_division md JOIN measure m ON m.id = md.measure_id "
    "JOIN division d ON d.id = md.division_id LEFT JOIN task t ON t.measure_id = m.id AND t.division_id = d.id "
    "WHERE d.organization_id <> m.organization_id OR t.id IS NULL",
    # a head is the head of a division of their own agency
    "SELECT count(*) FROM \"user\" u JOIN division d ON d.id = u.division_id WHERE d.organization_id <> u.organization_id",
    # a report is written by the head of its task's division
    "SELECT count(*) FROM progress_update p JOIN task t ON t.id = p.task_id JOIN \"user\" u ON u.id = p.author_id "
    "WHERE u.division_id <> t.division_id OR u.role <> 'head' OR p.organization_id <> t.organization_id",
    # a carried measure comes from its agency's year before
    "SELECT count(*) FROM measure m JOIN topic t ON t.id = m.topic_id JOIN fiscal_year f ON f.id = t.fiscal_year_id "
    "JOIN measure c ON c.id = m.carried_from_id JOIN topic ct ON ct.id = c.topic_id "
    "JOIN fiscal_year cf ON cf.id = ct.fiscal_year_id "
    "WHERE c.organization_id <> m.organization_id OR cf.year <> f.year - 1",
    # a topic's items are of the ITA year its fiscal year answers
    "SELECT count(*) FROM topic_item ti JOIN topic t ON t.id = ti.topic_id JOIN fiscal_year f ON f.id = t.fiscal_year_id "
    "JOIN assessment_item i ON i.id = ti.item_id WHERE i.assessment_year_id <> f.assessment_year_id",
    # a task says what its last report says, its version counts its reports, and it was updated then
    "SELECT count(*) FROM task t LEFT JOIN LATERAL (SELECT count(*) AS reports, max(created_at) AS at FROM progress_update "
    "WHERE task_id = t.id) r ON true LEFT JOIN LATERAL (SELECT status, percent FROM progress_update WHERE task_id = t.id "
    "ORDER BY id DESC LIMIT 1) last ON true WHERE t.version <> 1 + r.reports "
    "OR (r.reports > 0 AND (last.status <> t.status OR last.percent <> t.percent OR r.at <> t.updated_at))",
    # reports come in time order, and none after today
    "SELECT count(*) FROM progress_update p JOIN progress_update q ON q.task_id = p.task_id AND q.id > p.id "
    "WHERE q.created_at <= p.created_at OR p.created_at >= '2027-03-31'",
])
def test_the_rows_agree_with_each_other(national_url, statement):
    assert query(national_url, statement) == [(0,)]


def test_the_statuses_are_mixed_and_some_work_is_late(national_url):
    statuses = dict(query(national_url, "SELECT status, count(*) FROM task GROUP BY 1"))
    assert set(statuses) == {"not_started", "in_progress", "done", "cancelled"}
    late = query(national_url, "SELECT count(*) FROM task WHERE due_date < '2027-03-31' "
                               "AND status NOT IN ('done', 'cancelled')")[0][0]
    assert late > 0


def test_the_sequences_continue_after_the_generated_ids(national_url):
    with national_data.connect(national_url) as connection:
        new_id = connection.execute("INSERT INTO organization (name, short_name, district, province, created_at) "
                                    "VALUES ('อบต.ใหม่', '', '', '', now()) RETURNING id").fetchone()[0]
        connection.rollback()
    assert new_id == AGENCIES + 1


@pytest.fixture
def national_app(tmp_path, national_url):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=national_url, TRACKER_TODAY=national_data.TODAY)
    yield app
    with app.app_context():
        db.engine.dispose()


def own_task(url: str, agency: int, login_name: str) -> tuple[int, int]:
    """(id, version) of a task of this head's division in the year under way."""
    email = national_data.head_email(agency, login_name)
    return query(url, "SELECT t.id, t.version FROM task t JOIN \"user\" u ON u.division_id = t.division_id "
                      "JOIN measure m ON m.id = t.measure_id JOIN topic tp ON tp.id = m.topic_id "
                      "JOIN fiscal_year f ON f.id = tp.fiscal_year_id "
                      f"WHERE u.email = '{email}' AND f.year = 2570 ORDER BY t.version DESC, t.id LIMIT 1")[0]


FIRST_TOPIC = "กระบวนการปฏิบัติงานที่โปร่งใส"  # the demo's first topic, each generated year's first


@pytest.mark.parametrize("page, shows", [
    ("/dashboard", "ล่าช้า"), ("/plan/", FIRST_TOPIC), ("/plan/analysis", FIRST_TOPIC),
    ("/reports/measures", FIRST_TOPIC), ("/reports/results", FIRST_TOPIC), ("/reports/readiness", "2570"),
    ("/tasks", "กองคลัง"),
])
def test_a_generated_coordinator_sees_the_pages(national_app, page, shows):
    client = login(national_app.test_client(), national_data.coordinator_email(2), national_data.PASSWORD)
    response = client.get(page)
    assert response.status_code == 200
    assert shows in response.text


def test_a_generated_head_sees_and_reports_on_their_task(national_app, national_url):
    task_id, version = own_task(national_url, 1, "finance")
    client = login(national_app.test_client(), national_data.head_email(1, "finance"), national_data.PASSWORD)
    assert client.get("/my").status_code == 200
    assert "ขอรายงานความก้าวหน้ามาตรการ ITA" in client.get("/inbox").text
    page = client.get(f"/tasks/{task_id}")
    assert page.status_code == 200 and "กองคลัง" in page.text
    response = client.post(f"/tasks/{task_id}", data={"status": "in_progress", "percent": "55", "version": str(version),
                                                      "done_text": "รายงานจากการทดสอบ"})
    assert response.status_code == 302
    assert query(national_url, f"SELECT percent, version FROM task WHERE id = {task_id}") == [(55, version + 1)]


def test_reuse_keeps_the_same_size_and_another_size_rebuilds(tmp_path):
    url = private_postgres_database(BASE_DATABASE_URL, "_national_reuse")
    assert national_data.generate(url, 1, reuse=True, log=lambda line: None).built
    with national_data.connect(url) as connection:
        connection.execute("UPDATE organization SET short_name = 'kept' WHERE id = 1")
    reused = national_data.generate(url, 1, reuse=True, log=lambda line: None)
    assert not reused.built
    assert query(url, "SELECT short_name FROM organization") == [("kept",)]
    rebuilt = national_data.generate(url, 2, reuse=True, log=lambda line: None)
    assert rebuilt.built
    assert query(url, "SELECT count(*) FROM organization WHERE short_name = 'kept'") == [(0,)]
    assert per_agency(url, "division") == [6, 6]


def test_reuse_upgrades_a_database_of_an_older_schema_with_the_migrations(tmp_path):
    url = private_postgres_database(BASE_DATABASE_URL, "_national_upgrade")
    national_data.generate(url, 1, log=lambda line: None)
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        downgrade(revision="-1")  # as a database built before the newest migration
        db.engine.dispose()
    older = query(url, "SELECT version_num FROM alembic_version")[0][0]
    with national_data.connect(url, autocommit=True) as connection:
        connection.execute("UPDATE organization SET short_name = 'kept' WHERE id = 1")
        record = {**national_data.read_record(url), "schema": older}
        connection.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(connection.info.dbname), sql.Literal(json.dumps(record))))
    upgraded = national_data.generate(url, 1, reuse=True, log=lambda line: None)
    assert not upgraded.built
    assert query(url, "SELECT version_num FROM alembic_version") == [(national_data.schema_head(),)]
    assert query(url, "SELECT short_name FROM organization") == [("kept",)]
    assert national_data.holds(national_data.read_record(url), 1)

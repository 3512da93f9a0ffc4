"""The migration chain builds exactly the schema the models describe, on SQLite and PostgreSQL."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from tracker.schema import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import BASE_DATABASE_URL, ON_POSTGRES, make_app, private_postgres_database
from tracker.extensions import db


@pytest.fixture
def empty_database_app(tmp_path):
    url = (private_postgres_database(BASE_DATABASE_URL, "_migrations") if ON_POSTGRES
           else f"sqlite:///{tmp_path / 'migrations.db'}")
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_produce_exactly_the_models_schema(empty_database_app):
    upgrade()
    assert schema_differences() == []


def test_migrations_downgrade_to_an_empty_database(empty_database_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_upgrading_keeps_own_wording_and_drops_text_written_from_the_data(empty_database_app):
    """Before 0006 a measure's period and responsible text were written once from its data; after
    it they are the coordinator's own wording only, so the documents follow later edits."""
    upgrade(revision="0005")
    with db.engine.begin() as connection:
        for statement in (
            "INSERT INTO organization (id, name, short_name, district, province, created_at) "
            "VALUES (1, 'อบต.ทดสอบ', '', '', '', '2024-10-01')",
            "INSERT INTO division (id, organization_id, name, position, active) VALUES (1, 1, 'กองคลัง', 1, true)",
            "INSERT INTO assessment_year (id, organization_id, year) VALUES (1, 1, 2567)",
            "INSERT INTO fiscal_year (id, organization_id, year, start_date, end_date, assessment_year_id) "
            "VALUES (1, 1, 2568, '2024-10-01', '2025-09-30', 1)",
            "INSERT INTO topic (id, organization_id, fiscal_year_id, number, title, analysis) VALUES (1, 1, 1, 1, 't', '')",
            "INSERT INTO measure (id, organization_id, topic_id, position, title, details, period_text, start_date, "
            "end_date, responsible_text, all_divisions) VALUES "
            "(1, 1, 1, 1, 'generated', '', 'วันที่ 1 ต.ค. 2567 – 30 ก.ย. 2568', '2024-10-01', '2025-09-30', 'กองคลัง', false), "
            "(2, 1, 1, 2, 'own', '', 'ตลอดปีงบประมาณ', '2024-10-01', '2025-09-30', 'กองคลังและทุกหมู่บ้าน', false)",
            "INSERT INTO measure_division (measure_id, division_id) VALUES (1, 1), (2, 1)",
            "INSERT INTO report_draft (id, organization_id, fiscal_year_id, kind, period, as_of, compiled_at, docx, xlsx, "
            "pdf_error) VALUES (1, 1, 1, 'o35', 'mid', '2025-03-31', '2025-04-01', '', '', '')",
        ):
            connection.exec_driver_sql(statement)
    upgrade()
    with db.engine.connect() as connection:
        measures = connection.exec_driver_sql(
            "SELECT title, period_text, responsible_text FROM measure ORDER BY id").all()
        draft = connection.exec_driver_sql("SELECT kind FROM report_draft").scalar()
        roles = connection.exec_driver_sql(
            "SELECT measures_code, results_code, results_covers FROM assessment_year").one()
    assert [tuple(m) for m in measures] == [("generated", "", ""), ("own", "ตลอดปีงบประมาณ", "กองคลังและทุกหมู่บ้าน")]
    assert draft == "results"
    assert tuple(roles) == ("O34", "O35", "current_midyear")


def test_upgrading_keeps_the_errors_of_pdfs_that_could_not_be_made_on_their_jobs(empty_database_app):
    """Before 0010 a version and a draft recorded why their PDF could not be made; after it the PDF's
    job does, and downgrading gives the error back to its row."""
    upgrade(revision="0009")
    with db.engine.begin() as connection:
        for statement in (
            "INSERT INTO organization (id, name, short_name, district, province, created_at) "
            "VALUES (1, 'อบต.ทดสอบ', '', '', '', '2024-10-01')",
            "INSERT INTO fiscal_year (id, organization_id, year, start_date, end_date) "
            "VALUES (1, 1, 2568, '2024-10-01', '2025-09-30')",
            "INSERT INTO document_version (id, organization_id, fiscal_year_id, kind, period, number, as_of, snapshot, "
            "content_hash, status, memo_number, memo_text, requested_at, decided_at, decision_comment, pdf_error) VALUES "
            "(1, 1, 1, 'measures', '', 1, '2024-10-15', '{}', '', 'approved', '', '', '2024-10-15', '2024-10-18', '', "
            "'ไม่พบโปรแกรม LibreOffice'), "
            "(2, 1, 1, 'measures', '', 2, '2024-10-20', '{}', '', 'pending', '', '', '2024-10-20', NULL, '', '')",
            "INSERT INTO report_draft (id, organization_id, fiscal_year_id, kind, period, as_of, compiled_at, docx, xlsx, "
            "pdf_error) VALUES (1, 1, 1, 'results', 'mid', '2025-03-31', '2025-04-01', '', '', 'แปลงเอกสารไม่ได้')",
        ):
            connection.exec_driver_sql(statement)
    upgrade()
    with db.engine.connect() as connection:
        jobs = connection.exec_driver_sql(
            "SELECT key, version_id, draft_id, status, error, source FROM pdf_job ORDER BY key").all()
    assert [tuple(job) for job in jobs] == [("draft:1", None, 1, "failed", "แปลงเอกสารไม่ได้", None),
                                            ("version:1:pdf", 1, None, "failed", "ไม่พบโปรแกรม LibreOffice", None)]
    downgrade(revision="0009")
    with db.engine.connect() as connection:
        versions = connection.exec_driver_sql("SELECT pdf_error FROM document_version ORDER BY id").scalars().all()
        drafts = connection.exec_driver_sql("SELECT pdf_error FROM report_draft").scalars().all()
    assert (versions, drafts) == (["ไม่พบโปรแกรม LibreOffice", ""], ["แปลงเอกสารไม่ได้"])

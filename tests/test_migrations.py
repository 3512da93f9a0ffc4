"""The migration chain builds exactly the schema the models describe, on SQLite and PostgreSQL."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
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

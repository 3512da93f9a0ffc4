"""`flask tracker backup FILE` and `restore FILE`: the database and the uploaded files together, in
a format of the app's own that restores on SQLite and PostgreSQL alike; a file that cannot be
trusted is refused with nothing changed."""
import io
import json
import zipfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from tests import factories
from tests.conftest import BASE_DATABASE_URL, ON_POSTGRES, login, make_app, private_postgres_database
from tracker.extensions import db
from tracker.models import Division, Evidence, FiscalYear, Task, User
from tracker.services import demo as demo_service, evidence
from tracker.services.backup import MANIFEST

PDF = b"%PDF-1.4\n% evidence of a measure\n" + bytes(range(256)) * 64


def run(app, *args):
    """The command as an operator runs it: a process of its own, whose connections end with it."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["tracker", *args])
        db.session.remove()
        db.engine.dispose()
    return result


def database_url(kind: str, tmp_path: Path, name: str) -> str:
    if kind == "postgresql":
        return private_postgres_database(BASE_DATABASE_URL, f"_backup_{name}")
    return f"sqlite:///{tmp_path / f'{name}.db'}"


def migrated_app(kind: str, tmp_path: Path, name: str):
    """An app on a new database built by the migrations, as `flask db upgrade` builds it, with an
    upload folder of its own."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url(kind, tmp_path, name),
                   TRACKER_UPLOAD_DIR=str(tmp_path / f"{name}-uploads"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


def add_evidence_file(app, name: str = "หลักฐาน.pdf", content: bytes = PDF) -> Evidence:
    task = db.session.scalars(select(Task).order_by(Task.id)).first()
    uploader = db.session.scalar(select(User).where(User.email == "coordinator@pichai.example"))
    upload = FileStorage(io.BytesIO(content), filename=name, content_type="application/pdf")
    config = app.config
    [saved] = evidence.save_uploads(task, uploader, [upload], config["TRACKER_UPLOAD_DIR"],
                                    config["TRACKER_UPLOAD_EXTENSIONS"], config["TRACKER_MAX_UPLOAD_MB"] << 20)
    return saved


def load_demo_with_files(app) -> None:
    """The demo, a published document (its Word file in the database) and an evidence file."""
    organization, _ = demo_service.load_demo()
    fiscal_year = db.session.scalar(select(FiscalYear).where(FiscalYear.organization_id == organization.id))
    factories.published_version(fiscal_year, formats=("docx",))
    add_evidence_file(app)


def every_row() -> dict[str, list[tuple]]:
    """Every table's rows, in primary-key order."""
    db.session.expire_all()
    with db.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}


def uploaded_files(app) -> dict[str, bytes]:
    folder = Path(app.config["TRACKER_UPLOAD_DIR"])
    return {file.relative_to(folder).as_posix(): file.read_bytes()
            for file in sorted(folder.rglob("*")) if file.is_file()} if folder.is_dir() else {}


# On PostgreSQL's run, every pair that involves it (SQLite to SQLite is the default run's).
PAIRS = ([("sqlite", "postgresql"), ("postgresql", "sqlite"), ("postgresql", "postgresql")] if ON_POSTGRES
         else [("sqlite", "sqlite")])


@pytest.mark.parametrize("source_kind, target_kind", PAIRS)
def test_a_backup_restores_every_row_and_file_into_a_new_database(tmp_path, source_kind, target_kind):
    source = migrated_app(source_kind, tmp_path, "source")
    with source.app_context():
        load_demo_with_files(source)
        stored_name = db.session.scalar(select(Evidence.stored_name))
        rows, files = every_row(), uploaded_files(source)
        db.session.remove()
        db.engine.dispose()
    saved = run(source, "backup", str(tmp_path / "tracker.zip"))
    assert saved.exit_code == 0, saved.output
    assert f"and 1 uploaded files (schema revision 0007) to {tmp_path / 'tracker.zip'}" in saved.output

    target = migrated_app(target_kind, tmp_path, "target")
    restored = run(target, "restore", str(tmp_path / "tracker.zip"))
    assert restored.exit_code == 0, restored.output
    assert f"Restored {sum(map(len, rows.values())):,} rows of {len(rows)} tables and 1 uploaded files" in restored.output
    with target.app_context():
        assert every_row() == rows
        assert uploaded_files(target) == files and stored_name in files
        # New rows get ids after the restored ones (PostgreSQL's sequences were moved past them).
        organization_id = rows["organization"][0][0]
        db.session.add(Division(organization_id=organization_id, name="กองใหม่", position=99))
        db.session.commit()
        assert db.session.scalar(select(Division.id).where(Division.name == "กองใหม่")) > max(
            row[0] for row in rows["division"])
        client = login(target.test_client(), "coordinator@pichai.example")
        evidence_id = db.session.scalar(select(Evidence.id).where(Evidence.stored_name == stored_name))
        with client.get(f"/evidence/{evidence_id}") as response:
            assert response.data == PDF
        db.session.remove()
        db.engine.dispose()

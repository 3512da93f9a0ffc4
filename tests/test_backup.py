"""`flask tracker backup FILE` and `restore FILE`: the database and the uploaded files together, in
a format of the app's own that restores on SQLite and PostgreSQL alike; a file that cannot be
trusted is refused with nothing changed."""
import hashlib
import io
import json
import zipfile
from pathlib import Path

from flask import current_app
import pytest
from tracker.schema import upgrade
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from tests import factories
from tests.conftest import BASE_DATABASE_URL, ON_POSTGRES, login, make_app, private_postgres_database
from tracker.extensions import db
from tracker.models import Division, Evidence, FiscalYear, Task, User
from tracker.services import demo as demo_service, evidence
from tracker.services import backup
from tracker.services.backup import MANIFEST
from tracker.transactions import transaction

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
    with transaction():
        [saved] = evidence.save_uploads(task, uploader, [upload], config["TRACKER_UPLOAD_DIR"],
                                        config["TRACKER_UPLOAD_EXTENSIONS"], config["TRACKER_MAX_UPLOAD_MB"] << 20)
    return saved


def load_demo_with_files(app) -> None:
    """The demo, a published document (its Word file in the database) and an evidence file."""
    organization, _ = demo_service.load_demo(current_app.config)
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
def head_revision() -> str:
    """The newest migration's revision: the one a freshly migrated database is at."""
    from alembic.script import ScriptDirectory
    from config import BASE_DIR

    return ScriptDirectory(str(BASE_DIR / "migrations")).get_current_head()


PAIRS = ([("sqlite", "postgresql"), ("postgresql", "sqlite"), ("postgresql", "postgresql")] if ON_POSTGRES
         else [("sqlite", "sqlite")])


@pytest.mark.parametrize("source_kind, target_kind", PAIRS)
def test_a_backup_restores_every_row_and_file_into_a_new_database(tmp_path, source_kind, target_kind):
    source = migrated_app(source_kind, tmp_path, "source")
    with source.app_context():
        load_demo_with_files(source)
        stored_name = db.session.scalar(select(Evidence.stored_name))
        rows, files = every_row(), uploaded_files(source)
        revision = backup.schema_revision(db.session.connection())
        db.session.remove()
        db.engine.dispose()
    assert revision == head_revision()
    saved = run(source, "backup", str(tmp_path / "tracker.zip"))
    assert saved.exit_code == 0, saved.output
    assert f"and 1 uploaded files (schema revision {revision}) to {tmp_path / 'tracker.zip'}" in saved.output

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


# --- refusals: nothing changes -----------------------------------------------------------------


def cli(app, *args):
    """The command in the test's own app context (an in-memory database lives only there)."""
    return app.test_cli_runner().invoke(args=["tracker", *args])


@pytest.fixture
def backup_file(app, demo, tmp_path) -> Path:
    """A backup of the demo with one evidence file."""
    add_evidence_file(app)
    result = cli(app, "backup", str(tmp_path / "backup.zip"))
    assert result.exit_code == 0, result.output
    return tmp_path / "backup.zip"


def test_restore_refuses_a_database_that_has_data_unless_forced(app, backup_file):
    rows, files = every_row(), uploaded_files(app)
    result = cli(app, "restore", str(backup_file))
    assert result.exit_code == 1
    assert "Refused: the database already has data: restore with --force" in result.output
    assert every_row() == rows and uploaded_files(app) == files


def test_restore_with_force_replaces_every_row_and_every_file(app, backup_file):
    rows, files = every_row(), uploaded_files(app)
    db.session.add(Division(organization_id=rows["organization"][0][0], name="กองใหม่", position=99))
    db.session.commit()
    add_evidence_file(app, "เพิ่มภายหลัง.pdf")
    result = cli(app, "restore", "--force", str(backup_file))
    assert result.exit_code == 0, result.output
    assert every_row() == rows
    assert uploaded_files(app) == files


def rewrite(backup: Path, change) -> None:
    """Rewrite the backup with `change(parts)` applied to its {name: bytes} parts."""
    with zipfile.ZipFile(backup) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)
    with zipfile.ZipFile(backup, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


def change_manifest(**values):
    def change(parts):
        parts[MANIFEST] = json.dumps({**json.loads(parts[MANIFEST]), **values}).encode()
    return change


def damage_a_row(parts):
    parts["tables/task.jsonl"] = parts["tables/task.jsonl"].replace(b'"status": "', b'"status": "x', 1)


def damage_the_file(parts):
    [name] = [name for name in parts if name.startswith("uploads/")]
    parts[name] = parts[name][:-1] + b"!"


def an_upload_outside(parts):
    manifest = json.loads(parts[MANIFEST])
    manifest["uploads"][0]["path"] = "../outside.pdf"
    parts[MANIFEST] = json.dumps(manifest).encode()


def a_date_that_does_not_exist(parts):
    """A row that cannot go back in, though the manifest agrees with it: the restore is undone."""
    part = "tables/task.jsonl"
    parts[part] = parts[part].replace(b'"due_date": "2025-09-30"', b'"due_date": "2025-02-30"', 1)
    manifest = json.loads(parts[MANIFEST])
    [entry] = [table for table in manifest["tables"] if table["part"] == part]
    entry["sha256"] = hashlib.sha256(parts[part]).hexdigest()
    parts[MANIFEST] = json.dumps(manifest).encode()


TAMPERING = {
    "not-a-zip": (lambda backup: backup.write_bytes(b"not a backup\n"), "cannot be read as a backup"),
    "cut-short": (lambda backup: backup.write_bytes(backup.read_bytes()[:-300]), "cannot be read as a backup"),
    "no-manifest": (lambda backup: rewrite(backup, lambda parts: parts.pop(MANIFEST)), "it has no manifest.json"),
    "another-format": (lambda backup: rewrite(backup, change_manifest(format="other")), "not an ITA Tracker backup"),
    "a-newer-format-version": (lambda backup: rewrite(backup, change_manifest(format_version=2)),
                               "format version 2; this version of ITA Tracker reads version 1"),
    "another-schema-revision": (lambda backup: rewrite(backup, change_manifest(alembic_revision="0006")),
                                "the backup is of schema revision 0006, this database is at"),
    "a-damaged-row": (lambda backup: rewrite(backup, damage_a_row), "part tables/task.jsonl is damaged"),
    "a-damaged-file": (lambda backup: rewrite(backup, damage_the_file), "is damaged (its checksum differs"),
    "a-missing-part": (lambda backup: rewrite(backup, lambda parts: parts.pop("tables/user.jsonl")),
                       "lacks its part tables/user.jsonl"),
    "a-file-outside-the-upload-folder": (lambda backup: rewrite(backup, an_upload_outside),
                                         "an upload file outside the upload folder: '../outside.pdf'"),
    "a-row-that-cannot-go-back": (lambda backup: rewrite(backup, a_date_that_does_not_exist),
                                  "the restore failed and was undone, nothing was changed"),
}


@pytest.mark.parametrize("tamper, message", TAMPERING.values(), ids=TAMPERING.keys())
def test_restore_refuses_a_backup_it_cannot_trust_and_changes_nothing(app, backup_file, tamper, message):
    rows, files = every_row(), uploaded_files(app)
    tamper(backup_file)
    result = cli(app, "restore", "--force", str(backup_file))
    assert result.exit_code == 1
    assert "Refused: " in result.output and message in result.output
    assert every_row() == rows
    assert uploaded_files(app) == files


def test_backup_never_overwrites_a_file(app, backup_file):
    before = backup_file.read_bytes()
    result = cli(app, "backup", str(backup_file))
    assert result.exit_code == 1
    assert "already exists: name a new file" in result.output
    assert backup_file.read_bytes() == before


def test_backup_into_a_missing_folder_says_so_and_leaves_nothing(app, demo, tmp_path):
    result = cli(app, "backup", str(tmp_path / "no-such-folder" / "backup.zip"))
    assert result.exit_code == 1
    assert "cannot write" in result.output and "No such file or directory" in result.output
    assert not (tmp_path / "no-such-folder").exists()

"""Backups: the database and the uploaded files in one zip written by the app itself, so that a
backup made on SQLite restores on PostgreSQL and back.

The zip holds `manifest.json` (format version, schema revision, each part's row count or size and
sha256), one `tables/<table>.jsonl` per table (a JSON object per row, in primary-key order) and
the upload folder's files under `uploads/`. Rows are streamed both ways, never a whole table in
memory. A restore checks every part before it changes anything, then replaces every row in one
transaction."""
import base64
import hashlib
import json
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.models.base import utcnow

FORMAT = "ita-tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH_ROWS = 1000
CHUNK_BYTES = 1024 * 1024
# Where a restore unpacks the files before the database commits: inside the upload folder, so that
# putting them in place afterwards is only renames on the same disk.
STAGING = ".restoring"


class BackupError(Exception):
    """A backup that cannot be written or restored; the message says why, and nothing was changed."""


@dataclass
class Summary:
    revision: str | None
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0


def schema_revision(connection: Connection) -> str | None:
    """The Alembic revision the database is at (None when it was never migrated)."""
    from alembic.migration import MigrationContext  # Alembic loads for a backup, not with every command
    return MigrationContext.configure(connection).get_current_revision()


# --- writing ----------------------------------------------------------------------------------


def create(path: Path, upload_dir: Path) -> Summary:
    """Write a backup of the whole database and the upload folder to `path` (a new file)."""
    if path.exists():
        raise BackupError(f"{path} already exists: name a new file (a backup never overwrites one)")
    partial = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            summary = _write(archive, upload_dir)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return summary


def _write(archive: zipfile.ZipFile, upload_dir: Path) -> Summary:
    # The rows first, from one snapshot; the files after them, so that any file added meanwhile is
    # only an unreferenced extra, never a row whose file is missing.
    with _snapshot() as connection:
        summary = Summary(schema_revision(connection))
        tables = [_write_table(archive, connection, table) for table in db.metadata.sorted_tables]
    uploads = [_write_upload(archive, upload_dir, file) for file in _upload_files(upload_dir)]
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "created_at": utcnow().isoformat(),
                "database": db.engine.dialect.name, "alembic_revision": summary.revision,
                "tables": tables, "uploads": uploads}
    archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
    summary.rows = {table["name"]: table["rows"] for table in tables}
    summary.files = len(uploads)
    return summary


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """A connection that sees every table as of one moment, while the app keeps writing."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            if connection.dialect.name == "sqlite":
                # pysqlite begins a transaction only before a write; a read one fixes the snapshot.
                connection.exec_driver_sql("BEGIN")
            yield connection


def _write_table(archive: zipfile.ZipFile, connection: Connection, table: sa.Table) -> dict:
    part = f"tables/{table.name}.jsonl"
    digest, rows = hashlib.sha256(), 0
    query = sa.select(table).order_by(*table.primary_key.columns).execution_options(yield_per=BATCH_ROWS)
    with archive.open(part, "w", force_zip64=True) as target:
        for row in connection.execute(query).mappings():
            line = (json.dumps({name: _encode(value) for name, value in row.items()}) + "\n").encode()
            digest.update(line)
            target.write(line)
            rows += 1
    return {"name": table.name, "part": part, "rows": rows, "sha256": digest.hexdigest()}


def _encode(value):
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _upload_files(upload_dir: Path) -> list[Path]:
    if not upload_dir.is_dir():
        return []
    return sorted(file for file in upload_dir.rglob("*")
                  if file.is_file() and file.relative_to(upload_dir).parts[0] != STAGING)


def _write_upload(archive: zipfile.ZipFile, upload_dir: Path, file: Path) -> dict:
    name = file.relative_to(upload_dir).as_posix()
    digest, size = hashlib.sha256(), 0
    with file.open("rb") as source, archive.open(f"uploads/{name}", "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            target.write(chunk)
            size += len(chunk)
    return {"path": name, "size": size, "sha256": digest.hexdigest()}


# --- restoring --------------------------------------------------------------------------------


def restore(path: Path, upload_dir: Path, replace: bool = False) -> Summary:
    """Bring back the database and the upload folder from a backup. The backup is refused, with
    nothing changed, if it cannot be read, is damaged or is of another schema revision, and so is a
    database that already has rows unless `replace`. The services should be stopped meanwhile."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive)
            _check_parts(archive, manifest)
            return _restore_checked(archive, manifest, upload_dir, replace)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise BackupError(f"{path} cannot be read as a backup ({error}); nothing was changed") from None


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(f"not an ITA Tracker backup: it has no {MANIFEST}") from None
    except ValueError:
        raise BackupError(f"the backup's {MANIFEST} is damaged (not JSON)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"not an ITA Tracker backup: {MANIFEST} does not name the format {FORMAT!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"the backup is in format version {manifest.get('format_version')!r}; "
                          f"this version of ITA Tracker reads version {FORMAT_VERSION}")
    try:
        _check_contents(manifest)
    except (KeyError, TypeError, AttributeError):
        raise BackupError(f"the backup's {MANIFEST} is damaged (a table or file entry lacks a field)") from None
    return manifest


def _check_contents(manifest: dict) -> None:
    names = sorted(table["name"] for table in manifest["tables"])
    expected = sorted(table.name for table in db.metadata.sorted_tables)
    if names != expected:
        raise BackupError(f"the backup's tables ({', '.join(names)}) are not this version's ({', '.join(expected)})")
    for upload in manifest["uploads"]:
        parts = PurePosixPath(upload["path"]).parts
        if not parts or upload["path"].startswith("/") or ".." in parts or parts[0] == STAGING:
            raise BackupError(f"the backup names an upload file outside the upload folder: {upload['path']!r}")


def _check_parts(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Read every part once and compare it with the manifest, before anything is changed."""
    for table in manifest["tables"]:
        digest, lines = _digest(archive, table["part"])
        if (digest, lines) != (table["sha256"], table["rows"]):
            raise BackupError(f"the backup's part {table['part']} is damaged (its rows or checksum differ from "
                              f"{MANIFEST}); nothing was changed")
    for upload in manifest["uploads"]:
        part = f"uploads/{upload['path']}"
        if _digest(archive, part)[0] != upload["sha256"]:
            raise BackupError(f"the backup's file {part} is damaged (its checksum differs from {MANIFEST}); "
                              "nothing was changed")


def _digest(archive: zipfile.ZipFile, part: str) -> tuple[str, int]:
    """The part's sha256 and its number of lines."""
    digest, lines = hashlib.sha256(), 0
    try:
        with archive.open(part) as source:
            while chunk := source.read(CHUNK_BYTES):
                digest.update(chunk)
                lines += chunk.count(b"\n")
    except KeyError:
        raise BackupError(f"the backup lacks its part {part}; nothing was changed") from None
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise BackupError(f"the backup's part {part} is damaged (it cannot be unpacked); nothing was changed") from None
    return digest.hexdigest(), lines


def _restore_checked(archive: zipfile.ZipFile, manifest: dict, upload_dir: Path, replace: bool) -> Summary:
    with db.engine.connect() as connection:
        _check_schema(connection, manifest["alembic_revision"])
        if not replace and _has_rows(connection):
            raise BackupError("the database already has data: restore with --force to replace all of it "
                              "(and every uploaded file) with the backup's")
    staging = _unpack_uploads(archive, manifest, upload_dir)
    try:
        with db.engine.begin() as connection:
            rows = _replace_rows(connection, archive, manifest)
    except (SQLAlchemyError, ValueError, TypeError, KeyError, ArithmeticError) as error:
        shutil.rmtree(staging)
        raise BackupError(f"the restore failed and was undone, nothing was changed: {error!r}") from None
    except BaseException:
        shutil.rmtree(staging)
        raise
    try:
        _put_uploads_in_place(staging, upload_dir)
    except OSError as error:
        raise BackupError(f"the database was restored, but the uploaded files could not be put in place "
                          f"({error}): they wait in {staging}; move them into {upload_dir}") from None
    return Summary(manifest["alembic_revision"], rows, len(manifest["uploads"]))


def _check_schema(connection: Connection, revision: str | None) -> None:
    current = schema_revision(connection)
    if current != revision:
        raise BackupError(
            f"the backup is of schema revision {revision}, this database is at {current or 'none'}: "
            + ("run `flask --app wsgi db upgrade` first" if current is None else
               "restore it into a database at the same revision, with the version of ITA Tracker that made "
               "it, then upgrade"))


def _has_rows(connection: Connection) -> bool:
    return any(connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
               for table in db.metadata.sorted_tables)


def _unpack_uploads(archive: zipfile.ZipFile, manifest: dict, upload_dir: Path) -> Path:
    staging = upload_dir / STAGING
    if staging.exists():
        shutil.rmtree(staging)  # left by a restore that was stopped
    staging.mkdir(parents=True)
    for upload in manifest["uploads"]:
        target = staging / upload["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(f"uploads/{upload['path']}") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy, CHUNK_BYTES)
    return staging


def _put_uploads_in_place(staging: Path, upload_dir: Path) -> None:
    for entry in upload_dir.iterdir():
        if entry != staging:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for entry in staging.iterdir():
        entry.replace(upload_dir / entry.name)
    staging.rmdir()


def _replace_rows(connection: Connection, archive: zipfile.ZipFile, manifest: dict) -> dict[str, int]:
    tables = db.metadata.sorted_tables
    parts = {table["name"]: table["part"] for table in manifest["tables"]}
    _empty(connection, tables)
    rows = {table.name: _insert_rows(connection, table, archive, parts[table.name]) for table in tables}
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection, tables)
    return rows


def _empty(connection: Connection, tables: list[sa.Table]) -> None:
    if connection.dialect.name == "postgresql":
        quote = connection.dialect.identifier_preparer.quote
        connection.exec_driver_sql("TRUNCATE " + ", ".join(quote(table.name) for table in tables))
        return
    for table in reversed(tables):
        connection.execute(table.delete())


def _insert_rows(connection: Connection, table: sa.Table, archive: zipfile.ZipFile, part: str) -> int:
    decoders = {column.name: _decoder(column.type) for column in table.columns}
    batch, count = [], 0
    with archive.open(part) as source:
        for line in source:
            row = json.loads(line)
            batch.append({name: decoders[name](value) if value is not None else None for name, value in row.items()})
            if len(batch) == BATCH_ROWS:
                connection.execute(table.insert(), batch)
                count, batch = count + len(batch), []
    if batch:
        connection.execute(table.insert(), batch)
    return count + len(batch)


def _decoder(kind: sa.types.TypeEngine):
    """The inverse of _encode, for a column of this type."""
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat
    if isinstance(kind, sa.Date):
        return date.fromisoformat
    if isinstance(kind, sa.Time):
        return time.fromisoformat
    if isinstance(kind, sa.Numeric) and kind.asdecimal:
        return Decimal
    return lambda value: value


def _reset_sequences(connection: Connection, tables: list[sa.Table]) -> None:
    """Restored rows keep their ids; the next new row must get one after them."""
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        connection.execute(
            sa.text(f"SELECT setval(pg_get_serial_sequence(:table, :column), "  # nosec B608
                    f"COALESCE(MAX({quote(column.name)}), 0) + 1, false) FROM {quote(table.name)}"),
            {"table": quote(table.name), "column": column.name})

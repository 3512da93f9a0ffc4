"""A national-scale database on demand: N agencies shaped like the demo's อบต.พิชัย, on PostgreSQL.

The schema comes from the project's migrations; the rows from set-based SQL: the shape of one agency
(divisions, users, two fiscal years of topics, measures, steps and tasks, the outbox's monthly
history) is loaded once into temporary tables, and each table is filled by one INSERT … SELECT over
generate_series(1, N) × that shape. Ids are computed ((agency − 1) × rows per agency + the row's
place in the shape), so foreign keys are arithmetic, not lookups. What varies between agencies
(statuses, how often a head reported, scores, names) comes from a hash of the agency and the row.

"Today" of the data is TODAY (fiscal year 2570, at its 6-month round); run the app with
TRACKER_TODAY set to it. The database records what it holds (a comment on it: the generator's
version, the schema's revision and N), so that --reuse keeps a database that already holds the same.

Run (from the checkout): .venv/bin/python -m scripts.national_data --agencies 8000 \
         --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ita_tracker_national [--reuse]
"""
import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from alembic.script import ScriptDirectory
from tracker.schema import upgrade
from psycopg import sql
from sqlalchemy import make_url
from werkzeug.security import generate_password_hash

from scripts.national_data.fill import FUNCTIONS, STEPS
from scripts.national_data.shape import FIRST_USERS, TODAY, Shape, build_shape
from tracker import create_app
from tracker.extensions import db
from tracker.models.report import DEFAULT_MONITORING

ROOT = Path(__file__).resolve().parent.parent.parent

GENERATOR = "ita-tracker national data"
VERSION = 1  # raise when the shape or the SQL changes: a reused database is then rebuilt
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ita_tracker_national"
PASSWORD = "national2570"
PROTECTED_DATABASES = ("postgres", "template0", "template1")


@dataclass
class Built:
    agencies: int
    built: bool  # False when an existing database was reused
    seconds: float | None  # how long building took (recorded, when reused)
    steps: list[tuple[str, int, float]] = field(default_factory=list)  # (table, rows, seconds)


def coordinator_email(agency: int) -> str:
    return f"coordinator@agency{agency}.example"


def head_email(agency: int, login: str = "finance") -> str:
    return f"{login}@agency{agency}.example"


# --- the database and its record ------------------------------------------------------------------

def connect(url: str, database: str | None = None, **options) -> psycopg.Connection:
    parsed = make_url(url)
    return psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
                           dbname=database or parsed.database, **options)


def schema_head() -> str:
    return ScriptDirectory(str(ROOT / "migrations")).get_current_head()


def wanted_record(agencies: int) -> dict:
    return {"generator": GENERATOR, "version": VERSION, "schema": schema_head(), "agencies": agencies}


def read_record(url: str) -> dict | None:
    """What the generator recorded on the database, or None (no such database, or not one of ours)."""
    try:
        with connect(url, connect_timeout=10) as connection:
            comment = connection.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
            ).fetchone()[0]
    except psycopg.OperationalError:
        return None
    try:
        record = json.loads(comment or "")
    except ValueError:
        return None
    return record if isinstance(record, dict) and record.get("generator") == GENERATOR else None


def holds(record: dict | None, agencies: int) -> bool:
    wanted = wanted_record(agencies)
    return record is not None and all(record.get(key) == value for key, value in wanted.items())


def upgradable(record: dict | None, agencies: int) -> bool:
    """The same data on an older schema of ours: the migrations bring it up, as they would a
    real deployment's, in seconds where building takes minutes."""
    if record is None or holds(record, agencies):
        return False
    same_data = all(record.get(key) == value for key, value in wanted_record(agencies).items() if key != "schema")
    script = ScriptDirectory(str(ROOT / "migrations"))
    return same_data and record.get("schema") in {revision.revision for revision in script.walk_revisions()}


def recreate_database(url: str) -> None:
    """Drop and create the database, refusing one that holds tables the generator did not build."""
    name = make_url(url).database
    if not name or name in PROTECTED_DATABASES:
        sys.exit(f"Refusing to build in the database {name!r}: name a database of its own")
    if read_record(url) is None and _has_tables(url):
        sys.exit(f"Refusing to drop the database {name!r}: it has tables the generator did not build")
    with connect(url, "postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _has_tables(url: str) -> bool:
    try:
        with connect(url, connect_timeout=10) as connection:
            return connection.execute(
                "SELECT EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public')").fetchone()[0]
    except psycopg.OperationalError:
        return False


def write_record(connection: psycopg.Connection, agencies: int, seconds: float) -> None:
    record = json.dumps({**wanted_record(agencies), "seconds": round(seconds, 1)})
    name = connection.info.dbname
    connection.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(record)))


def migrate(url: str) -> str:
    """The schema through the project's migrations; returns the password hash every user gets."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "national-data"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return generate_password_hash(PASSWORD, method=app.config["TRACKER_PASSWORD_HASH"])


# --- building -------------------------------------------------------------------------------------

def generate(url: str, agencies: int, reuse: bool = False, log=print) -> Built:
    """Build the database of `agencies` agencies at `url` (dropped and made anew), or with `reuse`
    keep it when it already holds them, built by this version of the generator (on an older
    schema, upgraded by the migrations)."""
    if agencies < 1:
        raise ValueError("at least one agency")
    record = read_record(url)
    if reuse and holds(record, agencies):
        log(f"Reusing {make_url(url).database}: {agencies} agencies, built in {record.get('seconds')} s")
        return Built(agencies, False, record.get("seconds"))
    if reuse and upgradable(record, agencies):
        log(f"Upgrading {make_url(url).database} from schema {record['schema']} to {schema_head()} (migrations)")
        migrate(url)
        with connect(url, autocommit=True) as connection:
            write_record(connection, agencies, record.get("seconds"))
        return Built(agencies, False, record.get("seconds"))
    start = time.perf_counter()
    recreate_database(url)
    password_hash = migrate(url)
    built = Built(agencies, True, None, [("schema (migrations)", 0, time.perf_counter() - start)])
    shape = build_shape()
    params = {**shape.params(), "agencies": agencies, "today": TODAY, "password_hash": password_hash,
              "first_users": FIRST_USERS, "monitoring": DEFAULT_MONITORING}
    with connect(url, autocommit=True) as connection:
        connection.execute("SET synchronous_commit = off")
        load_shape(connection, shape)
        for table, statement in STEPS:
            rows, seconds = _timed(connection, statement, params)
            built.steps.append((table, rows, seconds))
            log(f"  {table:<24} {rows:>10,} rows {seconds:7.1f} s")
        for step, work in (("sequences", reset_sequences), ("ANALYZE", lambda c: c.execute("ANALYZE"))):
            start_step = time.perf_counter()
            work(connection)
            built.steps.append((step, 0, time.perf_counter() - start_step))
        built.seconds = time.perf_counter() - start
        write_record(connection, agencies, built.seconds)
    return built


def _timed(connection, statement: str, params: dict) -> tuple[int, float]:
    """(rows written, seconds) of one statement."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.rowcount
    return rows, time.perf_counter() - start


def load_shape(connection, shape: Shape) -> None:
    """One agency's shape into temporary tables (shape_<table>), and the helper functions."""
    with connection.cursor() as cursor:
        for name, (columns, rows) in shape.tables.items():
            table = sql.Identifier(f"shape_{name}")
            cursor.execute(sql.SQL("CREATE TEMPORARY TABLE {} ({})").format(table, sql.SQL(columns)))
            with cursor.copy(sql.SQL("COPY {} FROM STDIN").format(table)) as copy:
                for row in rows:
                    copy.write_row(row)
        cursor.execute(FUNCTIONS)


def reset_sequences(connection) -> None:
    """The computed ids leave each table's id sequence behind: set it past the largest id."""
    tables = connection.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND column_name = 'id' AND column_default LIKE 'nextval(%'").fetchall()
    for (table,) in tables:
        connection.execute(sql.SQL(
            "SELECT setval(pg_get_serial_sequence({name}, 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        ).format(name=sql.Literal(f'"{table}"'), table=sql.Identifier(table)))


# --- the command ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=8000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the database when it already holds N agencies")
    args = parser.parse_args(argv)
    built = generate(args.database_url, args.agencies, args.reuse)
    if built.built:
        print(f"Built {args.agencies} agencies in {built.seconds:.1f} s")
    print(f"Log in as {coordinator_email(1)} / {PASSWORD} (TRACKER_TODAY={TODAY.isoformat()})")
    return 0


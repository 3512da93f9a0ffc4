"""Extension objects, created unbound and bound in create_app()."""
import sqlite3

from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic's batch mode alter them on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()
mail = Mail()


# How long a SQLite writer waits for another (a web worker, the scheduler) before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys (and so ON DELETE) unless asked, per connection. WAL lets the
    pages read while the scheduler or another worker writes; an in-memory database stays "memory"."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


# --- read-only transactions end with COMMIT ----------------------------------------------------------
# psycopg forgets its prepared statements (and PostgreSQL their plans) whenever a transaction rolls
# back, and a request's session rolls back when it is removed: every statement of every request was
# planned anew. A transaction that wrote nothing ends the same either way, so the app context ends
# one with COMMIT, and the statements a worker repeats stay prepared.

@event.listens_for(Engine, "begin")
def _nothing_written_yet(conn) -> None:
    conn.info["wrote"] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, statement: str, *_args) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info["wrote"] = True


def commit_read_only_transaction(error: BaseException | None) -> None:
    """At the end of an app context (before its session is removed): commit the session's
    transaction if it sent nothing but SELECTs and holds no unflushed change; anything else is left
    to the rollback that removing the session does."""
    session = db.session()
    transaction = session.get_transaction()
    if error is not None or transaction is None or not transaction.is_active:
        return  # failed, nothing begun, or a failed flush awaiting its rollback
    if session.new or session.dirty or session.deleted or session.connection().info.get("wrote", True):
        return
    session.commit()

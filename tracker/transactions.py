"""Who commits: the caller. A route, a CLI command or a scheduler job wraps the services it calls
in `transaction()`; services add and flush and never commit (tests/test_layers.py holds them to it).
The exception is the job queues' workers, the outbox's delivery and the PDF jobs': they commit each
job as they claim and finish it, so that two workers never take the same one and a crash loses at
most the one under way. And a request that only read ends with COMMIT, not ROLLBACK
(commit_read_only_transaction)."""
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.services.errors import ServiceError

SAVED_ALREADY = ("บันทึกไม่ได้ เพราะมีผู้บันทึกข้อมูลเดียวกันไปก่อนแล้ว (เช่น กดยืนยันซ้ำ) "
                 "ระบบไม่ได้บันทึกซ้ำ กรุณาเปิดหน้าใหม่เพื่อดูข้อมูลล่าสุด")
_DEPTH = "transaction_depth"


@contextmanager
def transaction():
    """Commit what the block adds, or roll all of it back. A unique row that another request saved
    first (a double click on a confirm button) becomes a Thai ServiceError, not an error page. A
    block inside another joins it: only the outermost commits."""
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0 and _changed(session):
            session.commit()
    except IntegrityError:
        if depth:
            raise
        session.rollback()
        raise ServiceError(SAVED_ALREADY) from None
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


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
    begun = session.get_transaction()
    if error is not None or begun is None or not begun.is_active:
        return  # failed, nothing begun, or a failed flush awaiting its rollback
    if not _changed(session):
        session.expire_on_commit = False  # the session is removed next: expiring its rows is wasted
        session.commit()


def _changed(session) -> bool:
    """Whether the session holds a change, flushed or not: a block that changed nothing needs no
    commit (which would expire every loaded row, to be read again)."""
    if session.new or session.dirty or session.deleted:
        return True
    begun = session.get_transaction()
    return begun is not None and session.connection().info.get("wrote", True)

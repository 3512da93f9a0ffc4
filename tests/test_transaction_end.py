"""How an app context's transaction ends: one that only read commits (so PostgreSQL's driver keeps
the statements it prepared); one that wrote, holds an unsaved change or failed rolls back, and keeps
nothing."""
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from tests.conftest import ON_POSTGRES, fresh_database, make_app
from tracker.extensions import db
from tracker.models import Division


@pytest.fixture
def ends(app):
    """The ends of transactions on the app's engine, in order: "commit" or "rollback"."""
    seen: list[str] = []
    listeners = {"commit": lambda conn: seen.append("commit"), "rollback": lambda conn: seen.append("rollback")}
    for name, listener in listeners.items():
        event.listen(db.engine, name, listener)
    yield seen
    for name, listener in listeners.items():
        event.remove(db.engine, name, listener)


def division_count() -> int:
    return db.session.scalar(select(func.count(Division.id)))


def test_a_context_that_only_read_commits(app, ends):
    with app.app_context():
        division_count()
    assert ends == ["commit"]


def test_a_context_that_wrote_without_committing_rolls_back_and_keeps_nothing(app, other_agency, ends):
    before = division_count()
    with app.app_context():
        db.session.add(Division(organization_id=other_agency.organization.id, name="กองสวัสดิการสังคม"))
        db.session.flush()
    assert ends == ["rollback"]
    assert division_count() == before


def test_a_change_not_yet_flushed_is_not_saved_by_the_end_of_the_context(app, other_agency, ends):
    division_id = other_agency.divisions["กองคลัง"].id
    with app.app_context():
        db.session.get(Division, division_id).name = "กองที่ไม่ได้บันทึก"
    assert ends == ["rollback"]
    db.session.expire_all()
    assert db.session.get(Division, division_id).name != "กองที่ไม่ได้บันทึก"


def test_a_context_that_failed_rolls_back(app, ends):
    with pytest.raises(LookupError):
        with app.app_context():
            division_count()
            raise LookupError
    assert ends == ["rollback"]


@pytest.mark.skipif(not ON_POSTGRES, reason="prepared statements are PostgreSQL's (psycopg prepares a statement "
                                            "run 5 times on one connection)")
def test_a_statement_repeated_by_one_worker_stays_prepared_across_its_requests(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"poolclass": StaticPool})  # one connection, as one worker
    with fresh_database(app):
        for _ in range(6):
            with app.app_context():
                division_count()
        with app.app_context():
            prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    assert any("count(division.id)" in statement for statement in prepared)


def test_a_failed_write_that_was_caught_is_rolled_back_without_an_error(app, other_agency, ends):
    with app.app_context():
        db.session.add(Division(organization_id=other_agency.organization.id, name="สำนักปลัด"))  # exists
        with pytest.raises(IntegrityError):
            db.session.flush()
    assert ends == ["rollback"]

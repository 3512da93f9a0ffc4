"""transaction(): what a block adds is committed whole, or rolled back whole; a block inside another
joins it."""
import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Division
from tracker.services.errors import ServiceError
from tracker.transactions import transaction


def division_count() -> int:
    return db.session.scalar(select(func.count(Division.id)))


def test_what_the_block_adds_is_committed(app, other_agency):
    before = division_count()
    with transaction():
        db.session.add(Division(organization_id=other_agency.organization.id, name="กองช่าง"))
    db.session.rollback()  # nothing left to roll back: it was committed
    assert division_count() == before + 1


def test_a_row_saved_first_by_another_request_is_a_thai_refusal_and_nothing_is_kept(app, other_agency):
    """A double click on a confirm button: the second request trips a unique constraint."""
    before = division_count()
    with pytest.raises(ServiceError, match="กดยืนยันซ้ำ"):
        with transaction():
            db.session.add(Division(organization_id=other_agency.organization.id, name="กองสวัสดิการสังคม"))
            db.session.add(Division(organization_id=other_agency.organization.id, name="สำนักปลัด"))  # exists
            db.session.flush()
    assert division_count() == before


def test_any_other_failure_rolls_back_and_is_raised_as_it_is(app, other_agency):
    before = division_count()
    with pytest.raises(ZeroDivisionError):
        with transaction():
            db.session.add(Division(organization_id=other_agency.organization.id, name="กองสวัสดิการสังคม"))
            db.session.flush()
            1 / 0
    assert division_count() == before


def test_a_block_inside_another_is_committed_with_the_outer_one_or_not_at_all(app, other_agency):
    before = division_count()
    with pytest.raises(ZeroDivisionError):
        with transaction():
            with transaction():
                db.session.add(Division(organization_id=other_agency.organization.id, name="กองสวัสดิการสังคม"))
            db.session.flush()
            1 / 0
    assert division_count() == before
    with transaction():
        with transaction():
            db.session.add(Division(organization_id=other_agency.organization.id, name="กองสวัสดิการสังคม"))
        assert db.session.new  # not committed yet
    db.session.rollback()
    assert division_count() == before + 1

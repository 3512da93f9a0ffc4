"""Saving an import or a new year as one transaction: all of it, or nothing."""
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.services.errors import ServiceError

SAVED_ALREADY = ("บันทึกไม่ได้ เพราะมีผู้บันทึกข้อมูลเดียวกันไปก่อนแล้ว (เช่น กดยืนยันซ้ำ) "
                 "ระบบไม่ได้บันทึกซ้ำ กรุณาเปิดหน้าใหม่เพื่อดูข้อมูลล่าสุด")


@contextmanager
def all_or_nothing(saved_already: str = SAVED_ALREADY):
    """Commit what the block adds, or roll all of it back. A unique row that another request saved
    first (a double click on a confirm button) becomes a Thai ServiceError, not an error page."""
    try:
        yield
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(saved_already) from None
    except BaseException:
        db.session.rollback()
        raise

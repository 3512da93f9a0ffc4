"""Whether the service can do its work, for the load balancer's health check."""
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db


def database_answers() -> bool:
    """The database runs a query; a failed one is rolled back, so the session stays usable."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True

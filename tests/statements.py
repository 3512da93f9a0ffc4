"""Counting the SQL statements a piece of work sends (tests and benchmarks both use it)."""
from contextlib import contextmanager

from sqlalchemy import event

from tracker.extensions import db


@contextmanager
def counted_statements():
    """The SQL statements the database is sent inside the block."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

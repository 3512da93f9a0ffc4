"""Long lists a page at a time: every list that grows with the plan (tasks, deliveries, the audit
trail, people) is read through page_of: one page of it, and its length (counted only when the
list is longer than its first page)."""
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from tracker.extensions import db

PER_PAGE = 30


def page_of(query: Select, page: int, per_page: int = PER_PAGE) -> Pagination:
    """Page `page` (from 1) of the query's rows, in its order; a page past the end is the last page,
    so that a list that shrank since its link was made still shows something."""
    pagination = db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False, count=False)
    if pagination.page == 1 and len(pagination.items) < per_page:
        pagination.total = len(pagination.items)  # the whole list is on this page: no count to ask
        return pagination
    pagination.total = _count(query)
    if not pagination.items and pagination.page > 1 and pagination.total:
        pagination = db.paginate(query, page=pagination.pages, per_page=per_page, error_out=False)
    return pagination


def _count(query: Select) -> int:
    """The query's rows, counted as Flask-SQLAlchemy's paginate counts them."""
    return db.session.scalar(select(func.count()).select_from(query.options(lazyload("*")).order_by(None).subquery()))

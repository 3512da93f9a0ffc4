"""Long lists a page at a time: every list that grows with the plan (tasks, deliveries, the audit
trail, people) is read through page_of: one page of it, and its length (counted only when the
list is longer than its first page)."""
from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Row, Select, bindparam, func, select
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


def _count(query: Select, values: dict[str, Any] | None = None) -> int:
    """The query's rows, counted as Flask-SQLAlchemy's paginate counts them."""
    counted = select(func.count()).select_from(query.options(lazyload("*")).order_by(None).subquery())
    return db.session.scalar(counted, values)


def paged(statement: Select) -> Select:
    """A statement built once for page_of_rows: its page's rows by bound values."""
    return statement.limit(bindparam("page_limit")).offset(bindparam("page_offset"))


class _RowPagination(Pagination):
    """Flask-SQLAlchemy's pagination (its base class asks a subclass for the items and the count)
    over a statement built once (`paged`), its values bound per request and each row made an item."""

    def _query_items(self) -> list:
        args = self._query_args
        values = {**args["values"], "page_limit": self.per_page, "page_offset": (self.page - 1) * self.per_page}
        return [args["item"](row) for row in db.session.execute(args["statement"], values)]

    def _query_count(self) -> int:
        statement = self._query_args["statement"].limit(None).offset(None)
        return _count(statement, self._query_args["values"])


def page_of_rows(statement: Select, values: dict[str, Any], item: Callable[[Row], Any], page: int,
                 per_page: int = PER_PAGE) -> Pagination:
    """page_of for a hot page's list: `statement` made by `paged` once, `values` bound to it, and
    `item` making each row (entities selected side by side) into what the page lists."""
    def read(number: int, count: bool = False) -> Pagination:
        return _RowPagination(page=number, per_page=per_page, error_out=False, count=count,
                              statement=statement, values=values, item=item)
    pagination = read(max(page, 1))
    if pagination.page == 1 and len(pagination.items) < per_page:
        pagination.total = len(pagination.items)
        return pagination
    pagination.total = pagination._query_count()
    if not pagination.items and pagination.page > 1 and pagination.total:
        pagination = read(-(-pagination.total // per_page), count=True)
    return pagination

"""Long lists a page at a time: every list that grows with the plan (tasks, deliveries, the audit
trail, people) is read through page_of, or page_of_rows on the hottest pages: one page of it, and
its length (counted only when the list is longer than its first page)."""
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import lazyload

from tracker.extensions import db

PER_PAGE = 30


def page_of(query: Select, page: int, per_page: int = PER_PAGE) -> Pagination:
    """Page `page` (from 1) of the query's rows, in its order; a page past the end is the last page,
    so that a list that shrank since its link was made still shows something."""
    return _page(lambda number, count: db.paginate(query, page=number, per_page=per_page, error_out=False,
                                                   count=count),
                 lambda: _count(query), page, per_page)


def page_of_rows(statement: Select, values: dict[str, Any], item: Callable[[Row], Any], page: int,
                 per_page: int = PER_PAGE) -> Pagination:
    """page_of for a hot page's list: `statement` made by `paged` once, `values` bound to it, and
    `item` making each row (entities selected side by side) into what the page lists."""
    return _page(lambda number, count: _RowPagination(page=number, per_page=per_page, error_out=False, count=count,
                                                      statement=statement, values=values, item=item),
                 lambda: db.session.scalar(_count_of_paged(statement), values), page, per_page)


def paged(statement: Select) -> Select:
    """A statement built once for page_of_rows: its page's rows by bound values."""
    return statement.limit(bindparam("page_limit")).offset(bindparam("page_offset"))


def _page(read: Callable[[int, bool], Pagination], count: Callable[[], int], page: int, per_page: int) -> Pagination:
    """read(page, count it?) past the end reads the last page; count() asked only for a list longer
    than its first page."""
    pagination = read(max(page, 1), False)
    if pagination.page == 1 and len(pagination.items) < per_page:
        pagination.total = len(pagination.items)  # the whole list is on this page: no count to ask
        return pagination
    pagination.total = count()
    if not pagination.items and pagination.page > 1 and pagination.total:
        pagination = read(pagination.pages, True)
    return pagination


def _count(query: Select) -> int:
    """The query's rows, counted as Flask-SQLAlchemy's paginate counts them."""
    return db.session.scalar(_counting(query))


def _counting(query: Select) -> Select:
    return select(func.count()).select_from(query.options(lazyload("*")).order_by(None).subquery())


@lru_cache(maxsize=256)
def _count_of_paged(statement: Select) -> Select:
    """The count of a statement built once (paged), built once too: building it cost more than
    running it. (A bounded cache: a statement built afresh for each call would otherwise stay.)"""
    return _counting(statement.limit(None).offset(None))


class _RowPagination(Pagination):
    """Flask-SQLAlchemy's pagination (its base class asks a subclass for the items and the count)
    over a statement built once (`paged`), its values bound per request and each row made an item."""

    def _query_items(self) -> list:
        args = self._query_args
        values = {**args["values"], "page_limit": self.per_page, "page_offset": (self.page - 1) * self.per_page}
        return [args["item"](row) for row in db.session.execute(args["statement"], values)]

    def _query_count(self) -> int:
        return db.session.scalar(_count_of_paged(self._query_args["statement"]), self._query_args["values"])

"""Pages issue the same number of SQL statements for 10 tasks as for 1,000 (no N+1)."""

import pytest

from tests import factories
from tests.conftest import login
from tests.statements import counted_statements
from tracker.extensions import db
from tracker.models import Measure, ProgressUpdate, Task, Topic

DIVISIONS = tuple(f"กองที่ {n}" for n in range(1, 11))


def build_agency(task_count: int):
    """An agency whose fiscal year holds task_count tasks over 10 divisions, a third with a report."""
    agency = factories.agency("อบต.นับคำสั่ง", divisions=DIVISIONS)
    # Organization ids restart at 1 after empty_database(), so the coordinator is coordinator@1.test.
    head = factories.head(agency.organization, DIVISIONS[0], email="head@count.test")
    db.session.query(Task).delete()
    org_id = agency.organization.id
    measures_needed = task_count // len(DIVISIONS)
    topics = [Topic(organization_id=org_id, fiscal_year_id=agency.fiscal_year.id, number=n + 2, title=f"ประเด็น {n}")
              for n in range(max(1, measures_needed // 10))]
    db.session.add_all(topics)
    db.session.flush()
    measures = [Measure(organization_id=org_id, topic_id=topics[n % len(topics)].id, position=n, title=f"มาตรการ {n}",
                        start_date=agency.fiscal_year.start_date, end_date=agency.fiscal_year.end_date)
                for n in range(measures_needed)]
    db.session.add_all(measures)
    db.session.flush()
    new_tasks = [Task(organization_id=org_id, measure_id=m.id, division_id=d.id, due_date=m.end_date)
                 for m in measures for d in agency.divisions.values()]
    db.session.add_all(new_tasks)
    db.session.flush()
    db.session.add_all(ProgressUpdate(organization_id=org_id, task_id=t.id, author_id=head.id, status="in_progress",
                                      percent=30) for t in new_tasks[::3])
    db.session.commit()
    return agency, head


def empty_database() -> None:
    db.session.remove()
    db.drop_all()
    db.create_all()


def statements_for(app, url: str, email: str, task_count: int) -> int:
    build_agency(task_count)
    client = login(app.test_client(), email, factories.PASSWORD)
    client.get(url)  # warm caches that are not per request
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


# (page, who opens it, whether 1,000 tasks make it longer than a page: then it counts its rows as
# well, services/paging.py, one statement more; no task of the data is late)
@pytest.mark.parametrize("url, who, paged", [
    ("/dashboard", "coordinator", False),
    ("/tasks", "coordinator", True),
    ("/tasks?status=late", "coordinator", False),
    ("/my", "head", True),
    ("/plan/", "coordinator", False),
])
def test_page_queries_do_not_grow_with_the_number_of_tasks(app, url, who, paged):
    email = "coordinator@1.test" if who == "coordinator" else "head@count.test"
    small = statements_for(app, url, email, 10)
    empty_database()
    large = statements_for(app, url, email, 1000)
    assert large == small + paged, f"{url}: {small} statements for 10 tasks, {large} for 1,000"

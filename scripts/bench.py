"""Speed and memory of what a coordinator waits for, against targets: importing a large Word measures table,
importing the ITA scores, the analysis, a fiscal-year rollover, the plan pages, and the demo's measures
document (O34) and results report (O35) as Word, Excel and PDF; and the pages people wait on (the
dashboard, งานของฉัน, a task, posting an update, the analysis, the two previews, readiness) on the demo:
p95 server time in-process and requests per second over gunicorn as a share of a hello-world app's
(scripts/page_bench.py).

Builds its own data through the real services on a fresh SQLite file in a temporary folder, and on
PostgreSQL too when TRACKER_BENCH_DATABASE_URL names a server that answers (make bench names the local one) (a database of its own is made there
and dropped afterwards). Prints one line per measurement (the median of a few runs) and exits with
status 1 when a target is missed.
Run: make bench   (or .venv/bin/python scripts/bench.py)
"""
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from flask import current_app
from docx import Document  # noqa: E402
from sqlalchemy import make_url, select, text  # noqa: E402

from tests.fixtures.make_measures_docx import (  # noqa: E402
    ANALYSIS, ITEMS, MEASURE, PERIOD, RESPONSIBLE, SCORE, STEPS, TOPIC, add_header, merged, write,
)
from scripts.benchlib import Result, print_table, stopwatch  # noqa: E402
from scripts import page_bench  # noqa: E402
from tests.statements import counted_statements  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import (  # noqa: E402
    AssessmentItem, AssessmentYear, Division, FiscalYear, ItemScore, Measure, Organization, Task, Topic, User,
)
from tracker.services import analysis, demo, item_banks, plan, rollover, users  # noqa: E402
from tracker.services.documents import MEASURES, RESULTS  # noqa: E402
from tracker.services.imports import measures, scores  # noqa: E402
from tracker.services.reports import compile as reports, pdf  # noqa: E402
from tracker.thai import fiscal_year_bounds  # noqa: E402
from tracker.transactions import transaction  # noqa: E402

REPEATS = 3
YEAR = 2568  # the fiscal year of the plans; it answers ITA 2567
TOPICS, MEASURES_PER_TOPIC, STEPS_PER_MEASURE, ITEM_COUNT = 30, 5, 5, 100
DIVISIONS = ("สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม", "กองสาธารณสุขและสิ่งแวดล้อม",
             "กองสวัสดิการสังคม")
RESPONSIBLE_CELLS = ("ทุกกอง", "สำนักปลัด", "กองคลัง, กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม",
                     "สำนักปลัด\nกองสาธารณสุขและสิ่งแวดล้อม\nกองสวัสดิการสังคม")
PERIOD_CELLS = ("วันที่ 1 ต.ค. 67 – 30 ก.ย. 68", "ปีงบประมาณ พ.ศ. 2568")
PASSWORD = "bench-password"
TODAY = date(2025, 3, 31)  # mid fiscal year 2568
DOCUMENTS = (("O34 measures document", MEASURES), ("O35 results report", RESULTS))
DOCUMENT_TARGETS = {"docx": 0.5, "xlsx": 0.3, "pdf": 3}  # seconds
FILE_STARTS = {"docx": b"PK", "xlsx": b"PK", "pdf": b"%PDF"}
DEMO_COORDINATOR, DEMO_HEAD = "coordinator@pichai.example", "finance@pichai.example"
TOPIC_TEXT = "การเปิดเผยข้อมูลและการป้องกันการทุจริต"
ANALYSIS_TEXT = "ยังต่ำกว่าเกณฑ์ เนื่องจากการเผยแพร่ข้อมูลยังไม่ครบถ้วนและไม่เป็นปัจจุบัน"
MEASURE_TEXT = "จัดทำและเผยแพร่คู่มือการปฏิบัติงานและข้อมูลการให้บริการ"
STEP_TEXT = "ประชุมชี้แจงเจ้าหน้าที่ผู้เกี่ยวข้อง จัดทำรายงานและเสนอผู้บริหารเพื่อทราบ"


# --- measuring -------------------------------------------------------------------------------------

def fresh(model, object_id: int):
    """The row in a new session, as a request would load it."""
    db.session.remove()
    return db.session.get(model, object_id)


# --- data ------------------------------------------------------------------------------------------

def item_codes() -> list[tuple[str, str]]:
    """(code, tool) of a 100-item list: i1–i30, e1–e15, O1–O55."""
    return ([(f"i{n}", "IIT") for n in range(1, 31)] + [(f"e{n}", "EIT") for n in range(1, 16)]
            + [(f"O{n}", "OIT") for n in range(1, 56)])


def topic_items(topic: int) -> list[str]:
    """The 3 or 4 item codes of a topic (1-based), the 100 items shared out over the 30 topics."""
    codes = [code for code, _ in item_codes()]
    return codes[(topic - 1) * ITEM_COUNT // TOPICS:topic * ITEM_COUNT // TOPICS]


def item_title(code: str) -> str:
    return f"ข้อ {code} หน่วยงานของท่านเปิดเผยข้อมูลการดำเนินงานและการให้บริการให้ประชาชนเข้าถึงได้ง่าย มากน้อยเพียงใด"


def measures_docx() -> bytes:
    """A measures table of 30 topics × 5 measures, a row per measure, the topic, analysis and period
    cells merged over their topic's rows, 5 numbered steps a measure."""
    document = Document()
    table = document.add_table(rows=3 + TOPICS * MEASURES_PER_TOPIC, cols=8)
    table.style = "Table Grid"
    add_header(table)
    for topic in range(1, TOPICS + 1):
        first = 3 + (topic - 1) * MEASURES_PER_TOPIC
        last = first + MEASURES_PER_TOPIC - 1
        write(merged(table, first, last, TOPIC), [f"({topic}) ประเด็นการพัฒนาที่ {topic} {TOPIC_TEXT}"])
        write(merged(table, first, last, ANALYSIS), [f"ผลการประเมินประเด็นที่ {topic} {ANALYSIS_TEXT}"])
        write(merged(table, first, last, PERIOD), [PERIOD_CELLS[topic % len(PERIOD_CELLS)]])
        for offset, code in enumerate(topic_items(topic)):
            write(table.cell(first + offset, ITEMS), [f"{code} {item_title(code)}"])
            write(table.cell(first + offset, SCORE), ["75.5"])
        for measure in range(MEASURES_PER_TOPIC):
            row = first + measure
            write(table.cell(row, MEASURE), [f"มาตรการที่ {measure + 1} ของประเด็น {topic} {MEASURE_TEXT}"])
            write(table.cell(row, STEPS), [f"{step}. ขั้นตอนที่ {step} {STEP_TEXT}"
                                           for step in range(1, STEPS_PER_MEASURE + 1)])
            write(table.cell(row, RESPONSIBLE), RESPONSIBLE_CELLS[measure % len(RESPONSIBLE_CELLS)].split("\n"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plan_less_agency(number: int) -> int:
    """An agency with 6 divisions, a scored 100-item ITA 2567 list and a fiscal year 2568 without a
    plan, and its coordinator coordinator<number>@bench.example. Returns the fiscal year's id."""
    organization = Organization(name=f"อบต.ทดสอบความเร็ว {number}", short_name=f"ทดสอบ {number}")
    db.session.add(organization)
    db.session.flush()
    db.session.add_all(Division(organization_id=organization.id, name=name, position=position)
                       for position, name in enumerate(DIVISIONS, start=1))
    assessment_year = AssessmentYear(organization_id=organization.id, year=YEAR - 1)
    for position, (code, tool) in enumerate(item_codes(), start=1):
        item = AssessmentItem(organization_id=organization.id, code=code, tool=tool, title=item_title(code),
                              position=position)
        assessment_year.items.append(item)
        db.session.add(ItemScore(organization_id=organization.id, item=item, score=Decimal(60 + position * 7 % 41)))
    db.session.add(assessment_year)
    start, end = fiscal_year_bounds(YEAR)
    fiscal_year = FiscalYear(organization_id=organization.id, year=YEAR, start_date=start, end_date=end,
                             assessment_year=assessment_year)
    db.session.add(fiscal_year)
    users.create_user(organization, coordinator_email(number), "coordinator", PASSWORD, "ผู้ประสานงาน", config=current_app.config)
    db.session.commit()
    return fiscal_year.id


def coordinator_email(number: int) -> str:
    return f"coordinator{number}@bench.example"


def coordinator(organization_id: int) -> User:
    return db.session.scalar(select(User).where(User.organization_id == organization_id, User.role == "coordinator"))


def scores_csv(codes: list[str], run: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "score"])
    writer.writerows([code, f"{(50 + position * 3 + run) % 100 + 0.25:.2f}"] for position, code in enumerate(codes))
    return out.getvalue().encode()


# --- the measurements --------------------------------------------------------------------------------

def bench_measures_import(fiscal_year_ids: list[int], docx: bytes) -> list[Result]:
    """Preview and apply, each run on a plan-less agency of its own; peak memory on a preview of its
    own, since tracemalloc slows what it watches."""
    tracemalloc.start()
    measures.preview_file(fresh(FiscalYear, fiscal_year_ids[0]), "measures.docx", docx)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    previews, applies = [], []
    for fiscal_year_id in fiscal_year_ids:
        fiscal_year = fresh(FiscalYear, fiscal_year_id)
        seconds, preview = stopwatch(measures.preview_file, fiscal_year, "measures.docx", docx)
        if not preview.ok or len(preview.measures) != TOPICS * MEASURES_PER_TOPIC:
            sys.exit("The benchmark's measures table does not import:\n" + "\n".join(preview.error_lines()[:10]))
        previews.append(seconds)
        actor = coordinator(fiscal_year.organization_id)
        applies.append(stopwatch(committed, measures.apply, preview, fiscal_year, actor)[0])
    tasks = preview.task_count
    return [Result(f"Measures import preview ({TOPICS * MEASURES_PER_TOPIC} measures)", statistics.median(previews), 3),
            Result(f"Measures import apply ({tasks} tasks)", statistics.median(applies), 5),
            Result("Measures import preview, peak memory", peak, 200, "MB", "Python heap (tracemalloc)")]


def committed(service, *args):
    """The service called as a route calls it: in a transaction, committed."""
    with transaction():
        return service(*args)


def bench_score_import(organization_id: int) -> Result:
    assessment_year = item_banks.get_assessment_year(organization_id, YEAR - 1)
    codes = [item.code for item in assessment_year.items]
    times = []
    for run in range(REPEATS):
        assessment_year = fresh(AssessmentYear, assessment_year.id)
        start = time.perf_counter()
        preview = scores.preview_file(assessment_year, "scores.csv", scores_csv(codes, run))
        committed(scores.apply, preview, assessment_year, coordinator(organization_id))
        times.append(time.perf_counter() - start)
    return Result(f"ITA score import preview+apply ({len(codes)} items)", statistics.median(times), 1)


def bench_analysis(what: str, fiscal_year_id: int) -> tuple[Result, int]:
    """The analysis's median time, and how many SQL statements it sends each time."""
    times = []
    for _ in range(REPEATS):
        fiscal_year = fresh(FiscalYear, fiscal_year_id)
        with counted_statements() as statements:
            times.append(stopwatch(analysis.analyse, fiscal_year)[0])
    return Result(f"analysis, {what}", statistics.median(times), 0.5), len(statements)


def bench_rollover(fiscal_year_ids: list[int]) -> Result:
    times = []
    for fiscal_year_id in fiscal_year_ids:
        organization_id = fresh(FiscalYear, fiscal_year_id).organization_id
        measure_ids = [entry.measure.id for entry in rollover.preview(organization_id, YEAR + 1).unfinished]
        actor = coordinator(organization_id)
        times.append(stopwatch(committed, rollover.start_fiscal_year, organization_id, YEAR + 1, measure_ids, actor)[0])
    return Result(f"rollover to {YEAR + 1} ({len(measure_ids)} measures)", statistics.median(times), 5)


def bench_page(client, url: str) -> Result:
    client.get(url)  # the first request compiles the templates
    times = []
    for _ in range(REPEATS):
        seconds, response = stopwatch(client.get, url)
        if response.status_code != 200 or f"ประเด็นการพัฒนาที่ {TOPICS}" not in response.text:
            sys.exit(f"{url} answered {response.status_code} without the plan's last topic")
        times.append(seconds)
    return Result(f"page {url} ({TOPICS} topics)", statistics.median(times), 1)


def bench_documents(fiscal_year_id: int) -> list[Result]:
    """Each document's data built and written in each format, as its download does. A process's first PDF
    also sets up a LibreOffice profile (later conversions start from a copy of it): it has a line of its own."""
    pdf.warm_profile = pdf.WarmProfile()
    first = stopwatch(download, RESULTS, fiscal_year_id, "pdf")[0]
    results = [Result("O35 PDF, a new LibreOffice profile", first, DOCUMENT_TARGETS["pdf"])]
    for what, kind in DOCUMENTS:
        for fmt, target in DOCUMENT_TARGETS.items():
            times = [stopwatch(download, kind, fiscal_year_id, fmt)[0] for _ in range(REPEATS)]
            results.append(Result(f"{what} {fmt.upper()}", statistics.median(times), target))
    return results


def download(kind: str, fiscal_year_id: int, fmt: str) -> bytes:
    content = reports.write(reports.build(kind, fresh(FiscalYear, fiscal_year_id), TODAY), fmt)
    if not content.startswith(FILE_STARTS[fmt]):
        sys.exit(f"The {kind} document came out as no {fmt} file")
    return content


LIST_SIZES = (15, 100, 1000)
LIST_DIVISIONS = 5  # every measure is every division's: tasks = measures × 5


def task_list_agency(tasks: int) -> str:
    """An agency whose fiscal year 2568 has this many tasks, through the plan's own services; the
    email of its coordinator."""
    organization = Organization(name=f"อบต.รายการงาน {tasks}", short_name=f"งาน {tasks}")
    db.session.add(organization)
    db.session.flush()
    db.session.add_all(Division(organization_id=organization.id, name=name, position=position)
                       for position, name in enumerate(DIVISIONS[:LIST_DIVISIONS], start=1))
    start, end = fiscal_year_bounds(YEAR)
    fiscal_year = FiscalYear(organization_id=organization.id, year=YEAR, start_date=start, end_date=end)
    db.session.add(fiscal_year)
    db.session.flush()
    topic = plan.create_topic(fiscal_year, plan.TopicInput(number=1, title=TOPIC_TEXT), actor=None)
    for number in range(1, tasks // LIST_DIVISIONS + 1):
        plan.create_measure(topic, plan.MeasureInput(f"มาตรการที่ {number} {MEASURE_TEXT}", start, end, [STEP_TEXT],
                                                     all_divisions=True), actor=None)
    email = f"lists{tasks}@bench.example"
    users.create_user(organization, email, "coordinator", PASSWORD, "ผู้ประสานงาน", config=current_app.config)
    db.session.commit()
    return email


def bench_task_lists(app) -> list[Result]:
    """The coordinator's task list (its first page) at 15, 100 and 1,000 tasks: p95 server time, and
    the page's size. Paged, the 1,000-task list should answer as the 15-task one does."""
    with app.app_context():
        emails = {tasks: task_list_agency(tasks) for tasks in LIST_SIZES}
        if db.engine.dialect.name == "postgresql":
            # the statistics autovacuum gathers within a minute of a bulk load: without them the
            # planner takes 1,000 rows for 1 and loops where it would hash
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.session.remove()
    timed = {}
    for tasks, email in emails.items():
        site = page_bench.Site(app, {"coordinator": (email, PASSWORD)}, 0, 0)
        list_page = page_bench.Page(f"task list /tasks ({tasks} tasks)", "coordinator", f"/tasks?fy={YEAR}", 15)
        html = site.request(list_page, 0).get_data(as_text=True)
        if f"{tasks:,} งาน" not in html:
            sys.exit(f"the task list of {tasks} tasks does not say so")
        size = len(html.encode()) / 1024
        timed[tasks] = (page_bench.p95_ms(site, list_page), size)
    fifteen = timed[LIST_SIZES[0]][0]
    return [Result(f"task list, {tasks} tasks, first page p95", ms, max(15, fifteen * 1.5) if tasks > 15 else 15,
                   "ms", f"{size:.0f} KB" + ("" if tasks == 15 else f"; target: the 15-task list's {fifteen:.1f} ms"
                                                                      " × 1.5 (or 15 ms)"))
            for tasks, (ms, size) in timed.items()]


STARTUP_TARGET = 0.5  # seconds
STARTUP_COMMANDS = {
    "start-up: flask --app wsgi tracker --help": [str(Path(sys.executable).with_name("flask")), "--app", "wsgi",
                                                  "tracker", "--help"],
    "start-up: the app's import (wsgi), as gunicorn's": [sys.executable, "-c", "import wsgi"],
}


def bench_startup() -> list[Result]:
    """Each command's wall time, the median of 5 runs after one that writes the bytecode, as a server
    keeps it (PYTHONDONTWRITEBYTECODE, set on some development machines, would compile every module
    at every start)."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    results = []
    for what, command in STARTUP_COMMANDS.items():
        times = []
        for run in range(6):
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=environment, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        results.append(Result(what, statistics.median(times[1:]), STARTUP_TARGET))
    return results


def run_all(app, docx: bytes) -> list[Result]:
    with app.app_context():
        db.create_all()
        fiscal_year_ids = [plan_less_agency(number) for number in range(REPEATS)]
        with transaction():
            organization, _ = demo.load_demo(current_app.config)
        demo_year = db.session.scalar(select(FiscalYear.id).where(FiscalYear.organization_id == organization.id,
                                                                  FiscalYear.year == YEAR))
        results = bench_measures_import(fiscal_year_ids, docx)
        results.append(bench_score_import(organization.id))
        results += bench_documents(demo_year)
        demo_analysis, demo_statements = bench_analysis("demo (5 topics)", demo_year)
        large_analysis, large_statements = bench_analysis("30 topics, 100 items", fiscal_year_ids[0])
        results += [demo_analysis, large_analysis,
                    Result("analysis, 30 topics: SQL statements", large_statements, demo_statements, "st",
                           "as many as the demo's at most", at_most=True)]
        db.session.remove()
    # Requests outside the app context above, so that each has its own, as in production.
    client = app.test_client()
    if client.post("/login", data={"email": coordinator_email(0), "password": PASSWORD}).status_code != 302:
        sys.exit("The benchmark's coordinator could not log in")
    results += [bench_page(client, f"/plan/?fy={YEAR}"), bench_page(client, f"/plan/analysis?fy={YEAR}")]
    with app.app_context():
        results.append(bench_rollover(fiscal_year_ids))
        db.session.remove()
    results += bench_pages(app, demo_year)
    results += bench_task_lists(app)
    with app.app_context():
        db.engine.dispose()
    return results


def bench_pages(app, demo_year: int) -> list[Result]:
    """The pages of issue 12 on the demo, as its coordinator and the head of กองคลัง: requests per
    second over gunicorn, then p95 server time in-process (posting last: it adds updates to the task)."""
    with app.app_context():
        task = db.session.scalar(
            select(Task).join(Task.measure).join(Measure.topic).join(User, User.division_id == Task.division_id)
            .where(User.email == DEMO_HEAD, Topic.fiscal_year_id == demo_year)
            .order_by(Task.version.desc(), Task.id).limit(1))
        task_id, version = task.id, task.version
        db.session.remove()
    site = page_bench.Site(app, {"coordinator": (DEMO_COORDINATOR, demo.DEMO_PASSWORD),
                                 "head": (DEMO_HEAD, demo.DEMO_PASSWORD)}, task_id, version)
    gunicorn = page_bench.gunicorn_results(site, json.dumps(app.config["BENCH_CONFIG"]))
    return page_bench.p95_results(site, " (demo)") + gunicorn


# --- databases and the report --------------------------------------------------------------------------

def bench_app(database_url: str, folder: Path):
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TRACKER_UPLOAD_DIR": str(folder / "uploads"),
        "TRACKER_TODAY": TODAY.isoformat(),
        "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False,  # the test client logs in without a form page
    }
    return create_app({**config, "BENCH_CONFIG": config})  # gunicorn's workers get the same settings


@contextmanager
def private_postgres_database(server_url: str):
    """A database of the benchmark's own on the server, dropped afterwards."""
    url = make_url(server_url)
    name = f"tracker_bench_{os.getpid()}"

    def run(sql: str) -> None:
        with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                             dbname=url.database or "postgres", autocommit=True) as connection:
            connection.execute(sql)

    run(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def answers(server_url: str) -> bool:
    url = make_url(server_url)
    try:
        psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                        dbname=url.database or "postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def main() -> int:
    docx = measures_docx()
    results = {"Start-up": bench_startup()}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = run_all(bench_app(f"sqlite:///{Path(folder) / 'bench.db'}", Path(folder)), docx)
        if (server := os.environ.get("TRACKER_BENCH_DATABASE_URL")) and answers(server):
            with private_postgres_database(server) as url:
                results["PostgreSQL"] = run_all(bench_app(url, Path(folder)), docx)
        elif server:
            print(f"PostgreSQL left out: {make_url(server).render_as_string()} does not answer")
    for database, rows in results.items():
        print_table(database, rows)
    missed = [row for rows in results.values() for row in rows if not row.ok]
    print(f"\n{len(missed)} target(s) missed" if missed else "\nevery target met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

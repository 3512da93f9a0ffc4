"""The scheduler process: `flask --app wsgi tracker scheduler`. Web workers never start one.

APScheduler keeps static jobs in memory (a job store cannot be shared between processes):
plan reminders (and compile the report drafts due) daily, deliver the outbox every minute with
several workers side by side (TRACKER_DELIVERY_WORKERS threads, each claiming its own rows), and
make the PDFs that requests queued every few seconds (documents_job). A lease row in the database
lets only one scheduler process plan and deliver at a time; if it dies, another takes over when
the lease runs out. The outbox's own claims make a second sender harmless anyway."""
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from tracker import clock as app_clock
from tracker.extensions import db
from tracker.models import ReportDraft, SchedulerLease
from tracker.services import outbox, pdf_jobs, reminders
from tracker.services.reports import compile as report_drafts
from tracker.transactions import transaction

LEASE = "scheduler"
LEASE_TIME = timedelta(minutes=3)
DOCUMENTS_EVERY_SECONDS = 3  # how long a PDF asked for waits, at most, before it is begun
log = logging.getLogger("tracker.scheduler")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def plan_job(app: Flask, worker: str, clock: Callable[[], datetime] = app_clock.now) -> None:
    """`clock` is the app's (TRACKER_TODAY fixes its day, as for the web pages); tests pass their own."""
    with app.app_context():
        now = clock()
        if hold_lease(LEASE, worker, now, LEASE_TIME):
            with transaction():
                report = reminders.plan_reminders(app.config, now)
            log.info("planned %d messages (%d planned before)", len(report.created), report.already_planned)
            for draft in compile_due_drafts(app.config, now):
                log.info("compiled the %s draft of fiscal year %s", draft.period, draft.fiscal_year.year)


def compile_due_drafts(config, now: datetime) -> list[ReportDraft]:
    """Each due round's results draft, committed one by one: one agency's failure keeps the others'."""
    compiled = []
    for fiscal_year, period in report_drafts.rounds_due(now):
        with transaction():
            compiled.append(report_drafts.compile_scheduled(fiscal_year, period, config, now))
    return compiled


def deliver_job(app: Flask, worker: str, clock: Callable[[], datetime] = app_clock.now) -> None:
    with app.app_context():
        now = clock()
        if not hold_lease(LEASE, worker, now, LEASE_TIME):
            return
    report = deliver_with_workers(app, worker, now, app.config["TRACKER_DELIVERY_WORKERS"],
                                  progress=progress_every(1000, log.info))
    if report.sent or report.retrying or report.failed or report.skipped:
        log.info("sent %d, retrying %d, failed %d, not needed %d", len(report.sent), len(report.retrying),
                 len(report.failed), len(report.skipped))


class _DocumentsRunGoesOn(logging.Filter):
    """A documents run that outlasts its interval goes on making what waits, so APScheduler's warning
    that it skipped that job's next start (every few seconds of a long run) says nothing wrong."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("documents_job" in message and "maximum number of running instances" in message)


documents_run_goes_on = _DocumentsRunGoesOn()


def documents_job(app: Flask, worker: str, clock: Callable[[], datetime] = app_clock.now) -> None:
    """Make the PDFs waiting (pdf_jobs), every few seconds. Outside the lease: each job's claim
    gives it to one process, so a second scheduler only shares the work."""
    with app.app_context():
        made = pdf_jobs.make_pending(worker, clock())
    for job in made.failed:
        log.warning("could not make the PDF of %s: %s", job.key, job.error)
    if made.done:
        log.info("made %d PDFs", len(made.done))


def deliver_with_workers(app: Flask, worker: str, now: datetime, workers: int, limit: int = 2000,
                         progress: Callable[[int], None] | None = None) -> outbox.DeliveryReport:
    """Deliver what is due with `workers` threads, each with its own session and claims, up to
    `limit` messages each; their reports together."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        workers = 1  # every thread would share the one connection of an in-memory database

    def one(number: int) -> outbox.DeliveryReport:
        with app.app_context():
            return outbox.deliver_due(app.config, f"{worker}/{number}", now, limit, progress)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        reports = list(pool.map(one, range(1, workers + 1)))
    return outbox.DeliveryReport(*([row for report in reports for row in getattr(report, part)]
                                   for part in ("sent", "retrying", "failed", "skipped")))


def progress_every(step: int, say: Callable[[str], None]) -> Callable[[int], None]:
    """A progress callback for the delivery threads (all together): says a line every `step` messages."""
    lock, counts = threading.Lock(), {"handled": 0, "said": 0}

    def progress(batch: int) -> None:
        with lock:
            counts["handled"] += batch
            if counts["handled"] - counts["said"] >= step:
                counts["said"] = counts["handled"]
                say(f"… {counts['handled']} messages handled")
    return progress


def hold_lease(name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the named lease. Only one process holds it; when its holder stops renewing,
    another takes over after ttl."""
    if db.session.get(SchedulerLease, name) is None:
        try:
            db.session.add(SchedulerLease(name=name, holder=holder, expires_at=now + ttl))
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def build(app: Flask):
    worker = worker_name()
    from apscheduler.schedulers.background import BackgroundScheduler  # the scheduler's process only
    scheduler = BackgroundScheduler(timezone=app.config["TRACKER_TIMEZONE"])
    hour, minute = (int(part) for part in app.config["TRACKER_PLAN_TIME"].split(":"))
    # misfire_grace_time=None: a run that starts late (a busy or suspended host) still runs, rather
    # than APScheduler's default of skipping anything more than a second late.
    common = dict(args=(app, worker), coalesce=True, max_instances=1, replace_existing=True,
                  misfire_grace_time=None)
    # It also plans once at start: a scheduler that was down at plan time catches up (planning is
    # idempotent). One job, not a one-off beside it: APScheduler removing a spent one-off while a
    # stop shuts it down ended the process with a JobLookupError.
    scheduler.add_job(plan_job, "cron", id="plan-reminders", hour=hour, minute=minute,
                      next_run_time=datetime.now(scheduler.timezone), **common)
    scheduler.add_job(deliver_job, "interval", id="deliver-outbox", minutes=1,
                      next_run_time=datetime.now(scheduler.timezone), **common)
    scheduler.add_job(documents_job, "interval", id="make-documents", seconds=DOCUMENTS_EVERY_SECONDS,
                      next_run_time=datetime.now(scheduler.timezone), **common)
    logging.getLogger("apscheduler.scheduler").addFilter(documents_run_goes_on)  # once: the same filter
    return scheduler

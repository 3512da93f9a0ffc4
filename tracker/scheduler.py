"""The scheduler process: `flask --app wsgi tracker scheduler`. Web workers never start one.

APScheduler keeps two static jobs in memory (a job store cannot be shared between processes):
plan reminders (and compile the report drafts due) daily, deliver the outbox every minute. A lease row in the database lets only one
scheduler process work at a time; if it dies, another takes over when the lease runs out. The
outbox's own claims make a second sender harmless anyway."""
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from tracker import clock as app_clock
from tracker.services import outbox, reminders
from tracker.services.reports import compile as report_drafts

LEASE = "scheduler"
LEASE_TIME = timedelta(minutes=3)
log = logging.getLogger("tracker.scheduler")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def plan_job(app: Flask, worker: str, clock: Callable[[], datetime] = app_clock.now) -> None:
    """`clock` is the app's (TRACKER_TODAY fixes its day, as for the web pages); tests pass their own."""
    with app.app_context():
        now = clock()
        if outbox.hold_lease(LEASE, worker, now, LEASE_TIME):
            report = reminders.plan_reminders(app.config, now)
            log.info("planned %d messages (%d planned before)", len(report.created), report.already_planned)
            for draft in report_drafts.compile_scheduled_drafts(app.config, now):
                log.info("compiled the %s draft of fiscal year %s", draft.period, draft.fiscal_year.year)


def deliver_job(app: Flask, worker: str, clock: Callable[[], datetime] = app_clock.now) -> None:
    with app.app_context():
        now = clock()
        if outbox.hold_lease(LEASE, worker, now, LEASE_TIME):
            report = outbox.deliver_due(app.config, worker, now)
            if report.sent or report.retrying or report.failed:
                log.info("sent %d, retrying %d, failed %d", len(report.sent), len(report.retrying),
                         len(report.failed))


def build(app: Flask) -> BlockingScheduler:
    worker = worker_name()
    scheduler = BlockingScheduler(timezone=app.config["TRACKER_TIMEZONE"])
    hour, minute = (int(part) for part in app.config["TRACKER_PLAN_TIME"].split(":"))
    # misfire_grace_time=None: a run that starts late (a busy or suspended host) still runs, rather
    # than APScheduler's default of skipping anything more than a second late.
    common = dict(args=(app, worker), coalesce=True, max_instances=1, replace_existing=True,
                  misfire_grace_time=None)
    # Also plan once at start: a scheduler that was down at plan time catches up (planning is idempotent).
    scheduler.add_job(plan_job, "cron", id="plan-reminders", hour=hour, minute=minute, **common)
    scheduler.add_job(plan_job, "date", id="plan-reminders-at-start", **common)
    scheduler.add_job(deliver_job, "interval", id="deliver-outbox", minutes=1,
                      next_run_time=datetime.now(scheduler.timezone), **common)
    return scheduler

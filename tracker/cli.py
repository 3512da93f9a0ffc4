"""Operator commands: flask --app wsgi tracker …"""
import logging
import os
import signal
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organization, Role
from tracker import clock, scheduler
from tracker.models.base import utcnow
from tracker.services import (
    backup, demo, documents, item_banks, ita_calendar, outbox, pdf_jobs, plan, readiness, reminders, rollover, users,
    wording,
)
from tracker.services.imports import items, measures, scores
from tracker.services.reports import compile as reports
from tracker.thai import bangkok_to_utc, format_period
from tracker.services.errors import ServiceError
from tracker.transactions import transaction

tracker_cli = AppGroup("tracker", help="ITA Tracker commands.")
user_cli = AppGroup("user", help="Manage user accounts.")
import_cli = AppGroup("import", help="Import item lists, scores and measures tables from CSV/XLSX/DOCX files.")
tracker_cli.add_command(user_cli)
tracker_cli.add_command(import_cli)


@tracker_cli.command("demo")
def demo_command() -> None:
    """Load the demo agency (อบต.พิชัย) once, its documents approved and published (their PDFs are
    made by the scheduler, or `tracker documents`); running it again changes nothing."""
    with transaction():
        organization, created = demo.load_demo(current_app.config, publish=True)
    click.echo(("Loaded the demo: " if created else "The demo is already loaded: ") + organization.name)
    click.echo(f"Demo logins at {current_app.config['TRACKER_BASE_URL']}/login (password {demo.DEMO_PASSWORD}):")
    for email, role, name, position, _ in demo.DEMO_USERS:
        click.echo(f"  {role.value:<12} {email:<28} {name} ({position})")


def _organization(name: str | None) -> Organization:
    if name:
        organization = db.session.scalar(select(Organization).where(Organization.name == name))
        if organization is None:
            organization = Organization(name=name)
            db.session.add(organization)
            db.session.flush()
        return organization
    organizations = list(db.session.scalars(select(Organization)))
    if len(organizations) != 1:
        raise click.UsageError("Name the agency with --organization (there are "
                               f"{len(organizations)} in the database).")
    return organizations[0]


@user_cli.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", required=True, help="At least 8 characters and not easy to guess.")
@click.option("--division", default=None, help="The division's name; required for a head.")
@click.option("--name", default="", help="Display name (defaults to the email's user part).")
@click.option("--position", default="", help="Position, e.g. ปลัด อบต.")
@click.option("--organization", default=None, help="The agency's name; created if it does not exist.")
def user_add(email, role, password, division, name, position, organization) -> None:
    """Create a user account (the way a new installation gets its first coordinator)."""
    try:
        with transaction():
            user = users.create_user(_organization(organization), email, role, password, name, division, position,
                                     config=current_app.config)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} {user.email} in {user.organization.name}")


@user_cli.command("password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The new password (asked for when not given).")
def user_password(email, password) -> None:
    """Set a new password for an account: for a coordinator who forgot theirs, with no other
    coordinator to do it. Their other logins end."""
    user = users.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}")
    try:
        with transaction():
            users.reset_password(user, password, actor=None, config=current_app.config)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New password set for {user.email}")


@tracker_cli.command("remind")
@click.option("--at", "at", default=None, help='Bangkok time to act as of, e.g. "2025-06-25 08:30" (default: now).')
def remind_command(at: str | None) -> None:
    """Plan reminders and deliver the outbox once, as of a moment; print what was done."""
    try:
        now = bangkok_to_utc(datetime.strptime(at, "%Y-%m-%d %H:%M")) if at else utcnow()
    except ValueError:
        raise click.BadParameter('use the form "2025-06-25 08:30"', param_hint="--at") from None
    worker = f"remind:{scheduler.worker_name()}"
    with transaction():
        planned = reminders.plan_reminders(current_app.config, now)
    click.echo(f"Planned {len(planned.created)} new messages ({planned.already_planned} were planned before).")
    for rule, channel, count in outbox.count_by_rule_and_channel(planned.created):
        click.echo(f"  {rule:<10} {channel:<7} {count}")
    delivered = scheduler.deliver_with_workers(
        current_app._get_current_object(), worker, now, current_app.config["TRACKER_DELIVERY_WORKERS"],
        limit=10 ** 9, progress=scheduler.progress_every(1000, lambda line: click.echo(f"  {line}")))
    click.echo(f"Delivered: {len(delivered.sent)} sent, {len(delivered.retrying)} to retry, "
               f"{len(delivered.failed)} failed, {len(delivered.skipped)} no longer needed.")
    for delivery in delivered.retrying + delivered.failed:
        click.echo(f"  {delivery.channel:<7} {delivery.address or '-'}: {delivery.last_error}")


@tracker_cli.command("documents")
@click.option("--retry-failed", is_flag=True,
              help="First queue again the PDFs that could not be made (e.g. once LibreOffice is installed).")
def documents_command(retry_failed: bool) -> None:
    """Make every PDF waiting to be made (the scheduler does so every few seconds); print each one.
    Exit 1 when one could not be made."""
    if retry_failed:
        with transaction():
            queued = pdf_jobs.retry_failed()
        click.echo(f"Queued {queued} PDFs that had failed again.")
    made = pdf_jobs.make_pending(f"documents:{scheduler.worker_name()}", clock.now())
    for job in made.done:
        click.echo(f"  made    {job.key} ({job.size:,} bytes)")
    for job in made.failed:
        click.echo(f"  failed  {job.key}: {job.error}")
    click.echo(f"Made {len(made.done)} PDFs, {len(made.failed)} could not be made.")
    if made.failed:
        raise SystemExit(1)


@tracker_cli.command("scheduler")
def scheduler_command() -> None:
    """Run the reminder scheduler (its own process, beside the web server)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # `make run` and service managers stop it with SIGTERM, a person with Ctrl+C. Both are blocked
    # before any thread starts (threads inherit the mask) and waited for here: a stop never lands
    # in the middle of the scheduler's own work, as an exception raised by a handler could.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    jobs = scheduler.build(current_app._get_current_object())
    click.echo("Scheduler started (Ctrl+C to stop).")
    jobs.start()
    signal.sigwait(stop_signals)
    jobs.shutdown(wait=True)  # a job under way finishes first
    click.echo("Scheduler stopped.")


@tracker_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Save the whole database and the uploaded files (TRACKER_UPLOAD_DIR) into FILE, a new zip that
    restores on SQLite or PostgreSQL."""
    try:
        summary = backup.create(file, Path(current_app.config["TRACKER_UPLOAD_DIR"]))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot write {file}: {error.strerror or error}") from None
    click.echo(f"Saved {sum(summary.rows.values()):,} rows of {len(summary.rows)} tables and {summary.files:,} "
               f"uploaded files (schema revision {summary.revision}) to {file}")


@tracker_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already has data, and its uploaded files.")
def restore_command(file: Path, force: bool) -> None:
    """Bring back the database and the uploaded files from a backup made by `tracker backup`, in one
    transaction. Stop the web server and the scheduler first."""
    try:
        summary = backup.restore(file, Path(current_app.config["TRACKER_UPLOAD_DIR"]), replace=force)
    except backup.BackupError as error:
        raise click.ClickException(f"Refused: {error}") from None
    except OSError as error:
        raise click.ClickException(f"Refused: cannot read {file} or write the upload folder "
                                   f"({error.strerror or error}); nothing was changed") from None
    click.echo(f"Restored {sum(summary.rows.values()):,} rows of {len(summary.rows)} tables and {summary.files:,} "
               f"uploaded files (schema revision {summary.revision}) from {file}")


def _existing_organization(name: str | None) -> Organization:
    """The named agency, or the only one; never created here."""
    query = select(Organization).where(Organization.name == name) if name else select(Organization)
    organizations = list(db.session.scalars(query))
    if name and not organizations:
        raise click.UsageError(f"No agency named {name!r}.")
    if len(organizations) != 1:
        raise click.UsageError(f"Name the agency with --organization (there are {len(organizations)}).")
    return organizations[0]


def _fiscal_year_and_day(organization: str | None, year: int, as_of: str | None):
    """The agency's fiscal year and the day a document speaks of (today by default), kept inside it."""
    agency = _existing_organization(organization)
    try:
        fiscal_year = plan.get_fiscal_year(agency.id, year)
    except ServiceError:
        raise click.ClickException(f"No fiscal year {year} for {agency.name}.") from None
    day, read = ita_calendar.read_as_of(as_of or "", clock.today())
    if not read:
        raise click.BadParameter("use a date such as 2025-03-31 or 31 มี.ค. 2568", param_hint="--as-of")
    return fiscal_year, ita_calendar.within(fiscal_year, day)


@tracker_cli.command("report")
@click.argument("kind", type=click.Choice([*documents.KINDS, *documents.ALIASES], case_sensitive=False))
@click.option("--fiscal-year", "year", type=int, required=True, help="BE year, e.g. 2570.")
@click.option("--as-of", default=None, help="The date the report speaks of (default: today, within the year).")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "xlsx"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--organization", default=None, help="The agency's name (when there are several).")
def report_command(kind, year, as_of, fmt, output, organization) -> None:
    """Write the measures document or the results report to a file (the old names of the 2567 codes still work)."""
    kind = documents.kind_of(kind)
    fiscal_year, day = _fiscal_year_and_day(organization, year, as_of)
    report = reports.build(kind, fiscal_year, day)
    content = reports.write(report, fmt, reports.settings_for(fiscal_year.organization_id).letterhead)
    with open(output, "wb") as target:
        target.write(content)
    code = f", item {report.role.code} of ITA {report.role.ita_year}" if report.role.code else ""
    click.echo(f"Wrote {output} ({kind} document{code}, fiscal year {year}, as of {day.isoformat()}, "
               f"{len(content):,} bytes)")


@tracker_cli.command("readiness")
@click.option("--fiscal-year", "year", type=int, required=True, help="BE year, e.g. 2570.")
@click.option("--as-of", default=None, help="The date the results report speaks of (default: today, within the year).")
@click.option("--organization", default=None, help="The agency's name (when there are several).")
def readiness_command(year: int, as_of: str | None, organization: str | None) -> None:
    """Print each element of the criteria of the year's two documents, met or missing; exit 1 when any is missing."""
    fiscal_year, day = _fiscal_year_and_day(organization, year, as_of)
    results = readiness.check(fiscal_year, day)
    roles = documents.roles_for(fiscal_year)
    click.echo(f"Fiscal year {year}, as of {day.isoformat()}")
    for result in results:
        mark = "[met]" if result.met else "[missing]"
        role = roles.of(result.document)
        click.echo(f"{mark:<9} {role.code or result.document} {result.title}: {result.detail}")
    missing = sum(not result.met for result in results)
    click.echo(f"{len(results) - missing} met, {missing} missing.")
    if missing:
        raise SystemExit(1)


@tracker_cli.command("rollover")
@click.option("--to", "year", type=int, required=True, help="The new fiscal year (BE), e.g. 2569.")
@click.option("--carry", type=click.Choice(["all", "none"]), default="all", show_default=True,
              help="Carry over every unfinished measure of the year before, or none.")
@click.option("--copy-latest-list", is_flag=True,
              help="When the ITA year it answers has no item list yet, start from a copy of the latest "
                   "known one (to check and correct on the item lists page).")
@click.option("--organization", default=None, help="The agency's name (when there are several).")
def rollover_command(year: int, carry: str, copy_latest_list: bool, organization: str | None) -> None:
    """Start a fiscal year from the ITA result it answers; the year before stays as it is. An agency
    with no fiscal year yet starts its first one the same way."""
    agency = _existing_organization(organization)
    try:
        preview = rollover.preview(agency.id, year, copy_latest_list)
        if preview.refusal:
            raise ServiceError(preview.refusal + _copy_hint(preview))
        measure_ids = [entry.measure.id for entry in preview.unfinished] if carry == "all" else []
        with transaction():
            fiscal_year = rollover.start_fiscal_year(agency.id, year, measure_ids, None, copy_latest_list)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Started fiscal year {year} ({format_period(fiscal_year.start_date, fiscal_year.end_date)}) "
               f"for {agency.name}, answering ITA {preview.assessment_year}{_list_made(preview)}.")
    for topic in fiscal_year.topics:
        for measure in topic.measures:
            click.echo(f"  ({topic.number}) {measure.title}: {wording.period(measure)}, {wording.responsible(measure)}")
    old = f" of fiscal year {preview.from_year.year}" if preview.from_year else ""
    click.echo(f"Carried over {len(measure_ids)} of {len(preview.unfinished)} unfinished measures{old}.")


def _copy_hint(preview: rollover.Rollover) -> str:
    if preview.item_list != rollover.ITEM_LIST_MISSING or preview.copy_source is None:
        return ""
    return (f"\nTo start from a copy of the ITA {preview.copy_source} list, run the command again with "
            "--copy-latest-list, then check and correct the copy on the item lists page (รายการข้อคำถาม); "
            f"or import the ITA {preview.assessment_year} list first (tracker import items).")


def _list_made(preview: rollover.Rollover) -> str:
    if preview.item_list == rollover.ITEM_LIST_STANDARD:
        return " (item list made from the standard list)"
    if preview.item_list == rollover.ITEM_LIST_COPY:
        return (f" (item list copied from ITA {preview.copy_source}: check and correct it on the item lists page, "
                "รายการข้อคำถาม)")
    return ""


@import_cli.command("items")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, required=True, help="The ITA assessment year (BE), e.g. 2568.")
@click.option("--organization", default=None, help="The agency's name (when there are several).")
def import_items_command(file: str, year: int, organization: str | None) -> None:
    """Import a year's item list (columns code,tool,title or ข้อ,แบบวัด,ข้อคำถาม); any bad row changes nothing."""
    agency = _existing_organization(organization)
    preview, _ = _import_file(file, items.MAX_FILE_BYTES,
                              lambda name, data: items.preview_upload(agency.id, year, name, data),
                              lambda preview: items.apply_upload(agency.id, preview, None))
    click.echo(f"Imported the ITA {year} item list: {preview.count('new')} new, {preview.count('changed')} changed, "
               f"{preview.count('same')} unchanged, {len(preview.kept)} kept that the file does not name.")


def _import_file(file: str, max_bytes: int, check, save):
    """Read the file, check it (`check(name, data)` gives a preview) and save it (`save(preview)`):
    (the preview, what save returned). A file with any bad row is refused: its problems are printed
    row by row, nothing changes, and the command exits 1."""
    with open(file, "rb") as source:
        data = source.read(max_bytes + 1)
    preview = check(os.path.basename(file), data)
    if not preview.ok:
        click.echo(f"Refused: nothing was imported ({len(preview.error_lines())} problems).", err=True)
        for line in preview.error_lines():
            click.echo(f"  {line}", err=True)
        raise SystemExit(1)
    if preview.unused:
        click.echo("Columns not imported: " + ", ".join(preview.unused))
    try:
        with transaction():
            return preview, save(preview)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None


@import_cli.command("scores")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, required=True, help="The ITA assessment year (BE), e.g. 2567.")
@click.option("--organization", default=None, help="The agency's name (when there are several).")
def import_scores_command(file: str, year: int, organization: str | None) -> None:
    """Import item scores (columns code,score or ข้อ,คะแนน); a file with any bad row changes nothing."""
    agency = _existing_organization(organization)
    try:
        assessment_year = item_banks.ensure_assessment_year(agency.id, year)
    except ServiceError:
        raise click.ClickException(f"No item list for ITA {year} in {agency.name}: "
                                   "import one first with 'tracker import items'.") from None
    preview, changed = _import_file(file, scores.MAX_FILE_BYTES,
                                    lambda name, data: scores.preview_file(assessment_year, name, data),
                                    lambda preview: scores.apply(preview, assessment_year, None))
    for row in preview.rows:
        old = "–" if row.old_score is None else f"{row.old_score:.2f}"
        click.echo(f"  {row.code:<5} {old:>7} -> {row.new_score:.2f}")
    click.echo(f"Imported {len(preview.rows)} scores for ITA {year} ({changed} changed).")


@import_cli.command("measures")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--fiscal-year", "year", type=int, required=True, help="BE year, e.g. 2568.")
@click.option("--organization", default=None, help="The agency's name (when there are several).")
def import_measures_command(file: str, year: int, organization: str | None) -> None:
    """Import a measures table (DOCX, XLSX or CSV) into a fiscal year's plan; any bad row changes nothing."""
    agency = _existing_organization(organization)
    try:
        fiscal_year = plan.get_fiscal_year(agency.id, year)
    except ServiceError:
        raise click.ClickException(f"No fiscal year {year} for {agency.name}.") from None
    preview, _ = _import_file(file, measures.MAX_FILE_BYTES,
                              lambda name, data: measures.preview_file(fiscal_year, name, data),
                              lambda preview: measures.apply(preview, fiscal_year, None))
    for topic in preview.topics:
        click.echo(f"  ({topic.number}) {topic.title} [{', '.join(item.code for item in topic.items)}]")
        for measure in topic.measures:
            period = measure.period_text or format_period(measure.start_date, measure.end_date)
            budget = f", {measure.budget_text}" if measure.budget_text else ""
            click.echo(f"      {measure.title}: {len(measure.steps)} steps, {period}, "
                       f"{measure.responsible_text} ({measure.task_count} tasks){budget}")
    click.echo(f"Imported {len(preview.topics)} topics and {len(preview.measures)} measures "
               f"({preview.task_count} tasks) into fiscal year {year}.")

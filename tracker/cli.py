"""Operator commands: flask --app wsgi tracker …"""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organization, Role
from tracker.services import demo, users
from tracker.services.errors import ServiceError

tracker_cli = AppGroup("tracker", help="ITA Tracker commands.")
user_cli = AppGroup("user", help="Manage user accounts.")
tracker_cli.add_command(user_cli)


@tracker_cli.command("demo")
def demo_command() -> None:
    """Load the demo agency (อบต.พิชัย) once; running it again changes nothing."""
    organization, created = demo.load_demo()
    click.echo(("Loaded the demo: " if created else "The demo is already loaded: ") + organization.name)
    click.echo(f"Demo logins (password {demo.DEMO_PASSWORD}):")
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
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--division", default=None, help="The division's name; required for a head.")
@click.option("--name", default="", help="Display name (defaults to the email's user part).")
@click.option("--position", default="", help="Position, e.g. ปลัด อบต.")
@click.option("--organization", default=None, help="The agency's name; created if it does not exist.")
def user_add(email, role, password, division, name, position, organization) -> None:
    """Create a user account (the way a new installation gets its first coordinator)."""
    try:
        user = users.create_user(_organization(organization), email, role, password, name, division, position)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} {user.email} in {user.organization.name}")

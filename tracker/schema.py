"""The database schema's migrations (Alembic, through Flask-Migrate), loaded only where they are
used: `flask db …`, and the commands and tests that upgrade a database. Alembic and what it brings
(Mako, Pygments) took 0.15 s of every start of the app, the web workers' too."""
import click
from flask import Flask, current_app
from flask.cli import ScriptInfo

from config import BASE_DIR
from tracker.extensions import db

MIGRATIONS_DIR = BASE_DIR / "migrations"


def enable(app: Flask) -> None:
    """Flask-Migrate on this app (once)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate
        Migrate(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)


def upgrade(revision: str = "head") -> None:
    """The current app's database migrated up to revision, as `flask db upgrade` does."""
    enable(current_app)
    from flask_migrate import upgrade as migrate_up
    migrate_up(revision=revision)


def downgrade(revision: str) -> None:
    enable(current_app)
    from flask_migrate import downgrade as migrate_down
    migrate_down(revision=revision)


class MigrationCommands(click.Group):
    """`flask db …`: a stand-in that hands the command line to Flask-Migrate's own group, loaded
    then. (`flask --help` lists it by this help text without loading anything.)"""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        enable(parent.ensure_object(ScriptInfo).load_app())
        from flask_migrate.cli import db as commands
        return commands.make_context(info_name, args, parent=parent, **extra)


db_commands = MigrationCommands("db", help="Migrate the database's schema (Flask-Migrate): upgrade, migrate, …")

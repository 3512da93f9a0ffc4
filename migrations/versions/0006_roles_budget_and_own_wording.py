"""Document roles per assessment year; budget and indicator of a measure and its progress; a
measure's period and responsible text kept only when it is the coordinator's own wording

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:20:00

"""
from alembic import op
import sqlalchemy as sa

from tracker.thai import format_period

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The roles of the lists shipped so far (tracker/data/ita/<year>.json), for the years already made.
ROLES = {2567: ("O34", "O35", "current_midyear"), 2569: ("O25", "O26", "previous_yearend")}


def upgrade():
    with op.batch_alter_table('assessment_year', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measures_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('results_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('results_covers', sa.String(length=20), nullable=False,
                                      server_default='current_midyear'))
        batch_op.add_column(sa.Column('copied_from', sa.Integer(), nullable=True))
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('budget_amount', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('no_budget', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('indicator', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('target', sa.String(length=300), nullable=False, server_default=''))
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator_value', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('budget_spent', sa.Numeric(precision=14, scale=2), nullable=True))
    with op.batch_alter_table('report_draft', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=5), type_=sa.String(length=10))

    connection = op.get_bind()
    for year, (measures, results, covers) in ROLES.items():
        connection.execute(sa.text(
            "UPDATE assessment_year SET measures_code = :m, results_code = :r, results_covers = :c WHERE year = :y"),
            {"m": measures, "r": results, "c": covers, "y": year})
    connection.execute(sa.text("UPDATE report_draft SET kind = 'measures' WHERE kind = 'o34'"))
    connection.execute(sa.text("UPDATE report_draft SET kind = 'results' WHERE kind = 'o35'"))
    _forget_generated_wording(connection)


def _forget_generated_wording(connection):
    """Until now the period and responsible texts were written once, from the data, on the first save:
    where they still say what the data says, drop them, so that the printed text follows the data."""
    names = {}
    for measure_id, name in connection.execute(sa.text(
            "SELECT md.measure_id, d.name FROM measure_division md JOIN division d ON d.id = md.division_id "
            "ORDER BY md.measure_id, d.position")):
        names.setdefault(measure_id, []).append(name)
    measure = sa.table("measure", sa.column("id", sa.Integer), sa.column("period_text", sa.String),
                       sa.column("start_date", sa.Date), sa.column("end_date", sa.Date),
                       sa.column("responsible_text", sa.String), sa.column("all_divisions", sa.Boolean))
    for row in connection.execute(sa.select(measure)).all():
        generated = "ทุกกอง" if row.all_divisions else ", ".join(names.get(row.id, []))
        updates = {}
        if row.period_text and row.period_text == format_period(row.start_date, row.end_date):
            updates["period_text"] = ""
        if row.responsible_text and row.responsible_text == generated:
            updates["responsible_text"] = ""
        if updates:
            connection.execute(sa.update(measure).where(measure.c.id == row.id).values(**updates))


def downgrade():
    connection = op.get_bind()
    connection.execute(sa.text("UPDATE report_draft SET kind = 'o34' WHERE kind = 'measures'"))
    connection.execute(sa.text("UPDATE report_draft SET kind = 'o35' WHERE kind = 'results'"))
    with op.batch_alter_table('report_draft', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=10), type_=sa.String(length=5))
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_column('budget_spent')
        batch_op.drop_column('indicator_value')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_column('target')
        batch_op.drop_column('indicator')
        batch_op.drop_column('no_budget')
        batch_op.drop_column('budget_amount')
    with op.batch_alter_table('assessment_year', schema=None) as batch_op:
        batch_op.drop_column('copied_from')
        batch_op.drop_column('results_covers')
        batch_op.drop_column('results_code')
        batch_op.drop_column('measures_code')

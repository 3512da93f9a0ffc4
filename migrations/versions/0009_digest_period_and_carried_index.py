"""A digest's period on its outbox row (its text is written when it is sent), and an index on
measure.carried_from_id (the reminder planner asks, for every open task, whether a later year
carries its measure)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period', sa.String(length=60), nullable=True))
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_carried_from_id'), ['carried_from_id'], unique=False)


def downgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_carried_from_id'))
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('period')

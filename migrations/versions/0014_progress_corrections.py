"""A progress report's correction and withdrawal by its author (progress_update.edited_at, original,
withdrawn_at)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('original', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('original')
        batch_op.drop_column('edited_at')

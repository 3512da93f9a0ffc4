"""PDF jobs someone waits for before scheduled ones (pdf_job.priority): a national run of scheduled
drafts no longer queues ahead of the PDF a person asked for

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pdf_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('pdf_job', schema=None) as batch_op:
        batch_op.drop_column('priority')

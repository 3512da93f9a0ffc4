"""PDFs made in the background (pdf_job): a version's and a draft's PDF, and the live documents';
the errors of PDFs that could not be made move from document_version and report_draft to their jobs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 20:11:08

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pdf_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('fmt', sa.String(length=10), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.LargeBinary(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=False),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['report_draft.id'], name=op.f('fk_pdf_job_draft_id_report_draft'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_pdf_job_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['document_version.id'], name=op.f('fk_pdf_job_version_id_document_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pdf_job')),
    sa.UniqueConstraint('key', name=op.f('uq_pdf_job_key'))
    )
    with op.batch_alter_table('pdf_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pdf_job_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pdf_job_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pdf_job_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_pdf_job_version_id'), ['version_id'], unique=False)

    # A PDF that could not be made is a failed job without its Word file: its error is still shown.
    op.execute("INSERT INTO pdf_job (organization_id, key, version_id, fmt, sha256, status, attempts, claimed_by, "
               "error, created_at, finished_at) "
               "SELECT organization_id, 'version:' || CAST(id AS VARCHAR(20)) || '\\:pdf', id, 'pdf', '', 'failed', 1, '', "
               "pdf_error, COALESCE(decided_at, requested_at), COALESCE(decided_at, requested_at) "
               "FROM document_version WHERE pdf_error <> ''")
    op.execute("INSERT INTO pdf_job (organization_id, key, draft_id, fmt, sha256, status, attempts, claimed_by, "
               "error, created_at, finished_at) "
               "SELECT organization_id, 'draft:' || CAST(id AS VARCHAR(20)), id, 'pdf', '', 'failed', 1, '', "
               "pdf_error, compiled_at, compiled_at FROM report_draft WHERE pdf_error <> ''")
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_column('pdf_error')

    with op.batch_alter_table('report_draft', schema=None) as batch_op:
        batch_op.drop_column('pdf_error')


def downgrade():
    with op.batch_alter_table('report_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_error', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_error', sa.Text(), nullable=False, server_default=''))
    version_failed = ("FROM pdf_job WHERE pdf_job.version_id = document_version.id AND pdf_job.fmt = 'pdf' "
                      "AND pdf_job.status = 'failed'")
    op.execute(f"UPDATE document_version SET pdf_error = (SELECT pdf_job.error {version_failed}) "
               f"WHERE EXISTS (SELECT 1 {version_failed})")
    draft_failed = "FROM pdf_job WHERE pdf_job.draft_id = report_draft.id AND pdf_job.status = 'failed'"
    op.execute(f"UPDATE report_draft SET pdf_error = (SELECT pdf_job.error {draft_failed}) "
               f"WHERE EXISTS (SELECT 1 {draft_failed})")
    with op.batch_alter_table('report_draft', schema=None) as batch_op:
        batch_op.alter_column('pdf_error', server_default=None)  # as 0003 made it

    with op.batch_alter_table('pdf_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pdf_job_version_id'))
        batch_op.drop_index(batch_op.f('ix_pdf_job_status'))
        batch_op.drop_index(batch_op.f('ix_pdf_job_organization_id'))
        batch_op.drop_index(batch_op.f('ix_pdf_job_draft_id'))

    op.drop_table('pdf_job')

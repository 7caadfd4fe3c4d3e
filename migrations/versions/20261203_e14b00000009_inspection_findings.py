"""export checks: the inspection's findings per line, with photos

Revision ID: e14b00000009
Revises: a12r00000011
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e14b00000009'
down_revision = 'a12r00000011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_check_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('units_inspected', sa.Integer(), nullable=False),
    sa.Column('units_failing', sa.Integer(), nullable=False),
    sa.Column('finding', sa.Text(), nullable=True),
    sa.CheckConstraint('units_inspected >= 0', name=op.f('ck_export_check_findings_units_inspected')),
    sa.CheckConstraint('units_failing >= 0 AND units_failing <= units_inspected', name=op.f('ck_export_check_findings_units_failing')),
    sa.ForeignKeyConstraint(['line_id'], ['export_check_lines.id'], name=op.f('fk_export_check_findings_line_id_export_check_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_check_findings')),
    sa.UniqueConstraint('line_id', name=op.f('uq_export_check_findings_line_id'))
    )
    op.create_table('export_check_finding_photos',
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_export_check_finding_photos_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['finding_id'], ['export_check_findings.id'], name=op.f('fk_export_check_finding_photos_finding_id_export_check_findings')),
    sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_export_check_finding_photos'))
    )
    with op.batch_alter_table('export_check_finding_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_check_finding_photos_finding_id'), ['finding_id'], unique=False)


def downgrade():
    with op.batch_alter_table('export_check_finding_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_check_finding_photos_finding_id'))
    op.drop_table('export_check_finding_photos')
    op.drop_table('export_check_findings')

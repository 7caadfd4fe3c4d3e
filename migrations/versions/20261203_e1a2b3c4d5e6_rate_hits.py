"""rate hits: request limits per client address and partner, shared by all workers

Revision ID: e1a2b3c4d5e6
Revises: d1a2b3c4d5e6
Create Date: 2026-12-03 08:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a2b3c4d5e6'
down_revision = 'd1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_hits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=30), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_hits')),
    )
    with op.batch_alter_table('rate_hits', schema=None) as batch_op:
        batch_op.create_index('ix_rate_hits_scope_subject_at', ['scope', 'subject', 'at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('rate_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_hits_scope_subject_at')
    op.drop_table('rate_hits')

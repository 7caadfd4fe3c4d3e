"""audit event MACs and signed checkpoints of the chain heads

Revision ID: d1a2b3c4d5e6
Revises: 0c2911ae6acb
Create Date: 2026-12-03 08:30:00.000000

Existing events keep NULL MACs: `flask audit verify --unsealed` lists them and
`flask audit seal` MACs them once (the key is configuration, never part of a migration).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1a2b3c4d5e6'
down_revision = '0c2911ae6acb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac_key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))

    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('case_count', sa.Integer(), nullable=False),
    sa.Column('heads', sa.Text(), nullable=False),
    sa.Column('heads_digest', sa.String(length=64), nullable=False),
    sa.Column('mac_key_id', sa.String(length=16), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )


def downgrade():
    op.drop_table('audit_checkpoints')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_column('mac')
        batch_op.drop_column('mac_key_id')

"""finding checks: officials' "checked" marks on plausibility findings; a facility's
licensed operations

Revision ID: a11c00000002
Revises: a11f00000003
Create Date: 2026-12-03 12:30:00

"""
from alembic import op
import sqlalchemy as sa

from app.timeutil import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'a11c00000002'
down_revision = 'a11f00000003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'finding_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=32), nullable=False),
        sa.Column('rule', sa.String(length=60), nullable=False),
        sa.Column('checked_by_id', sa.Integer(), nullable=False),
        sa.Column('checked_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_finding_checks_case_id_cases')),
        sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'],
                                name=op.f('fk_finding_checks_checked_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_checks')),
        sa.UniqueConstraint('case_id', 'fingerprint',
                            name=op.f('uq_finding_checks_case_id_fingerprint')),
    )
    with op.batch_alter_table('finding_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_checks_case_id'), ['case_id'], unique=False)
    with op.batch_alter_table('notification_parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('licensed_operations', sa.String(length=200),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('notification_parties', schema=None) as batch_op:
        batch_op.drop_column('licensed_operations')
    with op.batch_alter_table('finding_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_checks_case_id'))
    op.drop_table('finding_checks')

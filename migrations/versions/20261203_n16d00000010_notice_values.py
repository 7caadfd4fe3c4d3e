"""notices store what to say (kind, locale, recipient, plain values) and are rendered at
delivery: a `values` JSON column, subject and body nullable until then (existing rows keep
their text)

Revision ID: n16d00000010
Revises: f16e00000009
Create Date: 2026-12-03 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'n16d00000010'
down_revision = 'f16e00000009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('values', sa.JSON(), nullable=True))
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=True)
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=True)


def downgrade():
    # a notice not yet delivered has no text: it cannot be kept in the old schema, whose
    # rows are always rendered (render them first by delivering, or lose them here)
    op.execute("DELETE FROM notices WHERE body IS NULL")
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_column('values')

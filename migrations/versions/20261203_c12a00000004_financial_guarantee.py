"""structured financial guarantee of a notification (amount, currency, guarantor, validity)

Basel Convention Art. 6(11) and Annex V A item 12: the movement is covered by insurance, a
bond or another guarantee; its particulars are kept as fields so they can be checked and
exchanged, beside the free text of item 12.

Revision ID: c12a00000004
Revises: a11c00000002
Create Date: 2026-12-03 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c12a00000004'
down_revision = 'a11c00000002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('basel_notifications') as batch:
        batch.add_column(sa.Column('guarantee_amount', sa.Numeric(16, 2), nullable=True))
        batch.add_column(sa.Column('guarantee_currency', sa.String(3), nullable=True))
        batch.add_column(sa.Column('guarantor', sa.String(200), nullable=True))
        batch.add_column(sa.Column('guarantee_valid_from', sa.Date(), nullable=True))
        batch.add_column(sa.Column('guarantee_valid_to', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('basel_notifications') as batch:
        for name in ('guarantee_valid_to', 'guarantee_valid_from', 'guarantor',
                     'guarantee_currency', 'guarantee_amount'):
            batch.drop_column(name)

"""the legal basis of a regime rule, apart from its research source

A rule's `source` records how its figure was found and verified (for maintainers); texts shown
to users and sent to partners cite only the provision, e.g. the Basis of a tacit consent
("Basel Convention Art. 6(4)"). The loader fills the column from regime_rules.csv.

Revision ID: a12r00000011
Revises: d13a00000006
Create Date: 2026-12-03 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a12r00000011'
down_revision = 'd13a00000006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('regime_rules') as batch:
        batch.add_column(sa.Column('legal_basis', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('regime_rules') as batch:
        batch.drop_column('legal_basis')

"""index of the parties naming a company with an account: the lists of its users (exporters,
facilities) start from the cases naming it, not from every case

Revision ID: r16w00000001
Revises: n16d00000010
Create Date: 2026-12-03 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'r16w00000001'
down_revision = "n16d00000010"
branch_labels = None
depends_on = None

NAMED = "organisation_id IS NOT NULL"


def upgrade():
    op.create_index("ix_notification_parties_organisation", "notification_parties",
                    ["organisation_id", "role", "case_id"],
                    postgresql_where=sa.text(NAMED), sqlite_where=sa.text(NAMED))


def downgrade():
    op.drop_index("ix_notification_parties_organisation", table_name="notification_parties")

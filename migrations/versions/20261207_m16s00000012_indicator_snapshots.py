"""the dashboard's whole-history indicators (lead times, e-scrap tonnage) kept with the time
the scheduler computed them, so that the dashboard does not recompute them for every page

Revision ID: m16s00000012
Revises: c16o00000011
Create Date: 2026-12-07 19:00:00

"""
import sqlalchemy as sa
from alembic import op

from app.timeutil import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'm16s00000012'
down_revision = "c16o00000011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "indicator_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
    )
    op.create_index("ix_indicator_snapshots_computed_at", "indicator_snapshots",
                    ["computed_at"])


def downgrade():
    op.drop_index("ix_indicator_snapshots_computed_at", table_name="indicator_snapshots")
    op.drop_table("indicator_snapshots")

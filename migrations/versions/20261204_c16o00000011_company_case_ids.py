"""the ids of a company's cases from their index alone: the organisation index carries the
case id, so a company's list reads its few thousand ids without visiting each case's row

Revision ID: c16o00000011
Revises: p16s00000010
Create Date: 2026-12-04 17:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c16o00000011'
down_revision = "p16s00000010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_cases_organisation_case", "cases", ["organisation_id", "id"])
    op.drop_index("ix_cases_organisation_id", table_name="cases")


def downgrade():
    op.create_index("ix_cases_organisation_id", "cases", ["organisation_id"])
    op.drop_index("ix_cases_organisation_case", table_name="cases")

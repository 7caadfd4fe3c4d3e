"""indexes for the case lists at national scale: open deadlines per case, raised alarms,
the last change, and (PostgreSQL) trigram indexes for the partial-match search

Revision ID: f16e00000009
Revises: e14b00000009
Create Date: 2026-12-03 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f16e00000009'
down_revision = 'e14b00000009'
branch_labels = None
depends_on = None

OPEN = "fired_at IS NULL AND cleared_at IS NULL"
RAISED = "outcome = 'alarm' AND cleared_at IS NULL"
#: (index, table, column) searched with ILIKE '%…%': a trigram GIN index answers it on
#: PostgreSQL; SQLite gets a plain index of the same name (the models declare one index)
TRIGRAM = (("ix_cases_number_trgm", "cases", "number"),
           ("ix_notification_parties_name_trgm", "notification_parties", "name"),
           ("ix_notification_codes_code_trgm", "notification_codes", "code"))


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # in public, whatever the search path: the extension is one per database, and its
        # operator class is named with its schema below
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    op.create_index("ix_deadlines_open_case", "deadlines", ["case_id", "due_at"],
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_index("ix_deadlines_raised_alarms", "deadlines", ["case_id"],
                    postgresql_where=sa.text(RAISED), sqlite_where=sa.text(RAISED))
    op.create_index("ix_cases_updated_at", "cases", ["updated_at", "id"])
    op.create_index("ix_states_concerned_country", "states_concerned",
                    ["country_code", "case_id"])
    for name, table, column in TRIGRAM:
        op.create_index(name, table, [column], postgresql_using="gin",
                        postgresql_ops={column: "public.gin_trgm_ops"})


def downgrade():
    for name, table, _column in TRIGRAM:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_states_concerned_country", table_name="states_concerned")
    op.drop_index("ix_cases_updated_at", table_name="cases")
    op.drop_index("ix_deadlines_raised_alarms", table_name="deadlines")
    op.drop_index("ix_deadlines_open_case", table_name="deadlines")

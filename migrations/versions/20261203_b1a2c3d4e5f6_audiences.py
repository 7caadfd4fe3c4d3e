"""audiences of attachments, timeline events and their remarks, and issued documents

Who reads each item is chosen when it is written (app/cases/audience.py); rows written before
get the default of their kind here. The defaults are spelled out as they were when this
migration was written, not imported: a later change of defaults must not rewrite history.

Revision ID: b1a2c3d4e5f6
Revises: c1a2b3c4d5e6
Create Date: 2026-12-03 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b1a2c3d4e5f6'
down_revision = 'c1a2b3c4d5e6'
branch_labels = None
depends_on = None

INTERNAL = "internal"
DOMESTIC = "facility,importer,internal,notifier"
APPROVAL = "customs,facility,importer,internal,notifier"
PARTIES_AND_PARTNERS = "facility,importer,internal,notifier,partners"
INVOLVED = "customs,facility,importer,internal,notifier,partners"
DRAFTING = ("create", "save_section", "save_party", "remove_party", "add_attachment",
            "remove_attachment", "save_shipment")
EXPORT_DOMESTIC = ("submit", "start_review", "return_for_correction", "refuse",
                   "confirm_contract")
INTERNAL_REMARKS = ("start_review", "confirm_contract")
CASE_TYPE = "(SELECT cases.case_type FROM cases WHERE cases.id = {table}.case_id)"


def _in(names) -> str:
    return "(" + ", ".join(f"'{n}'" for n in names) + ")"


def _add(table: str, column: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column(column, sa.String(length=120), nullable=False,
                                   server_default=INVOLVED))


def _drop_default(table: str, column: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.alter_column(column, existing_type=sa.String(length=120), server_default=None)


def _attachments() -> None:
    case_type = CASE_TYPE.format(table="attachments")
    op.execute(f"""UPDATE attachments SET audience = CASE
        WHEN {case_type} = 'basel_export' AND kind = 'contract' THEN 'internal,notifier'
        WHEN {case_type} = 'basel_export' AND kind <> 'partner_document'
            THEN '{PARTIES_AND_PARTNERS}'
        WHEN {case_type} IN ('basel_import', 'basel_transit') AND kind = 'contract'
            THEN 'importer,internal,partners'
        ELSE '{INVOLVED}' END""")


def _events() -> None:
    case_type = CASE_TYPE.format(table="case_events")
    op.execute(f"""UPDATE case_events SET audience = CASE
        WHEN event IN {_in(DRAFTING)} THEN '{DOMESTIC}'
        WHEN {case_type} = 'basel_export' AND event IN {_in(EXPORT_DOMESTIC)} THEN '{DOMESTIC}'
        WHEN event IN ('record_export_approval', 'record_import_approval') THEN '{APPROVAL}'
        ELSE '{INVOLVED}' END""")
    # what a partner authority wrote, it reads
    op.execute("""UPDATE case_events SET audience = audience || ',partners'
        WHERE actor_role IN ('partner_agency', 'partner_system')
        AND audience NOT LIKE '%partners%'""")
    op.execute(f"""UPDATE case_events SET remark_audience = CASE
        WHEN {case_type} = 'basel_export' AND event IN {_in(INTERNAL_REMARKS)}
            THEN '{INTERNAL}'
        ELSE audience END""")


def upgrade():
    for table, column in (("attachments", "audience"), ("case_events", "audience"),
                          ("case_events", "remark_audience"), ("stored_documents", "audience")):
        _add(table, column)
    _attachments()
    _events()
    op.execute(f"""UPDATE stored_documents SET audience = CASE
        WHEN kind = 'approval_letter' THEN '{DOMESTIC}' ELSE '{INVOLVED}' END""")
    for table, column in (("attachments", "audience"), ("case_events", "audience"),
                          ("case_events", "remark_audience"), ("stored_documents", "audience")):
        _drop_default(table, column)


def downgrade():
    with op.batch_alter_table('stored_documents') as batch:
        batch.drop_column('audience')
    with op.batch_alter_table('case_events') as batch:
        batch.drop_column('remark_audience')
        batch.drop_column('audience')
    with op.batch_alter_table('attachments') as batch:
        batch.drop_column('audience')

"""export checks: used-product consignments, product lines, per-unit test records, evidence

Revision ID: e14a00000007
Revises: c12a00000004
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e14a00000007'
down_revision = 'c12a00000004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_checks',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('destination_country', sa.String(length=2), nullable=True),
    sa.Column('buyer_name', sa.String(length=200), nullable=True),
    sa.Column('buyer_address', sa.Text(), nullable=True),
    sa.Column('planned_shipment_date', sa.Date(), nullable=True),
    sa.Column('port_of_loading', sa.String(length=100), nullable=True),
    sa.Column('container_no', sa.String(length=20), nullable=True),
    sa.Column('age_appearance_note', sa.Text(), nullable=True),
    sa.Column('working_condition_note', sa.Text(), nullable=True),
    sa.Column('loading_method', sa.String(length=20), nullable=True),
    sa.Column('packaging_note', sa.Text(), nullable=True),
    sa.Column('trade_document_ref', sa.String(length=100), nullable=True),
    sa.Column('trade_note', sa.Text(), nullable=True),
    sa.Column('market_note', sa.Text(), nullable=True),
    sa.Column('inspected_on', sa.Date(), nullable=True),
    sa.Column('inspector', sa.String(length=200), nullable=True),
    sa.Column('inspection_findings', sa.Text(), nullable=True),
    sa.Column('certificate_no', sa.String(length=32), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('basel_case_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("loading_method IS NULL OR loading_method IN ('individually_packed', 'palletised', 'bulk')", name=op.f('ck_export_checks_loading_method')),
    sa.ForeignKeyConstraint(['basel_case_id'], ['cases.id'], name=op.f('fk_export_checks_basel_case_id_cases')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_export_checks_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_export_checks')),
    sa.UniqueConstraint('certificate_no', name=op.f('uq_export_checks_certificate_no'))
    )
    op.create_table('export_check_evidence',
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=30), nullable=False),
    sa.CheckConstraint("criterion IN ('age_appearance', 'working_condition', 'packaging_loading', 'second_hand_trade', 'destination_market', 'inspection')", name=op.f('ck_export_check_evidence_criterion')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_export_check_evidence_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_export_check_evidence_case_id_cases')),
    sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_export_check_evidence'))
    )
    with op.batch_alter_table('export_check_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_check_evidence_case_id'), ['case_id'], unique=False)

    op.create_table('export_check_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('product_type', sa.String(length=40), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("decision IS NULL OR decision IN ('accepted', 'refused')", name=op.f('ck_export_check_lines_decision')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_export_check_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['export_checks.case_id'], name=op.f('fk_export_check_lines_case_id_export_checks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_check_lines')),
    sa.UniqueConstraint('case_id', 'seq', name=op.f('uq_export_check_lines_case_id_seq'))
    )
    with op.batch_alter_table('export_check_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_check_lines_case_id'), ['case_id'], unique=False)

    op.create_table('export_check_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=100), nullable=False),
    sa.Column('power_on', sa.Boolean(), nullable=False),
    sa.Column('function_test', sa.String(length=10), nullable=False),
    sa.Column('cosmetic_grade', sa.String(length=1), nullable=False),
    sa.CheckConstraint("cosmetic_grade IN ('A', 'B', 'C', 'D')", name=op.f('ck_export_check_units_cosmetic_grade')),
    sa.CheckConstraint("function_test IN ('passed', 'failed', 'not_tested')", name=op.f('ck_export_check_units_function_test')),
    sa.ForeignKeyConstraint(['line_id'], ['export_check_lines.id'], name=op.f('fk_export_check_units_line_id_export_check_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_check_units')),
    sa.UniqueConstraint('line_id', 'serial', name=op.f('uq_export_check_units_line_id_serial'))
    )
    with op.batch_alter_table('export_check_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_check_units_line_id'), ['line_id'], unique=False)



def downgrade():
    with op.batch_alter_table('export_check_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_check_units_line_id'))

    op.drop_table('export_check_units')
    with op.batch_alter_table('export_check_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_check_lines_case_id'))

    op.drop_table('export_check_lines')
    with op.batch_alter_table('export_check_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_check_evidence_case_id'))

    op.drop_table('export_check_evidence')
    op.drop_table('export_checks')

"""scrap-yard permits: applications, storage areas, inspection findings, ledgers; the
yard_operator role, the prefecture of prefecture accounts, site plans and photos as attachments

Revision ID: d13a00000006
Revises: e14a00000007
Create Date: 2026-12-03 11:57:08.582406

"""
from alembic import op
import sqlalchemy as sa

from app.timeutil import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'd13a00000006'
down_revision = 'e14a00000007'
branch_labels = None
depends_on = None

ROLES_BEFORE = ("role IN ('exporter', 'facility', 'official_moe', 'official_meti', 'prefecture',"
                " 'customs', 'partner_agency', 'partner_system', 'admin')")
ROLES_WITH_YARDS = ("role IN ('exporter', 'facility', 'official_moe', 'official_meti',"
                    " 'prefecture', 'customs', 'partner_agency', 'partner_system', 'admin',"
                    " 'yard_operator')")
KINDS_BEFORE = "kind IN ('contract', 'esm_info', 'insurance', 'partner_document', 'other')"
KINDS_WITH_YARDS = ("kind IN ('contract', 'esm_info', 'insurance', 'partner_document', 'other',"
                    " 'site_plan', 'photo')")


def upgrade():
    op.create_table('yard_applications',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('operator_name', sa.String(length=200), nullable=True),
    sa.Column('corporate_no', sa.String(length=13), nullable=True),
    sa.Column('operator_address', sa.String(length=400), nullable=True),
    sa.Column('representative_name', sa.String(length=200), nullable=True),
    sa.Column('representative_title', sa.String(length=100), nullable=True),
    sa.Column('contact_email', sa.String(length=200), nullable=True),
    sa.Column('contact_tel', sa.String(length=40), nullable=True),
    sa.Column('disqualification', sa.JSON(), nullable=False),
    sa.Column('site_address', sa.String(length=400), nullable=True),
    sa.Column('prefecture_code', sa.String(length=2), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('site_area_m2', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('housing_distance_m', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('enclosure', sa.Text(), nullable=True),
    sa.Column('enclosure_height_m', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('sign_width_cm', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.Column('sign_height_cm', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.Column('drainage', sa.Text(), nullable=True),
    sa.Column('oil_infiltration', sa.Text(), nullable=True),
    sa.Column('fire_prevention', sa.Text(), nullable=True),
    sa.Column('lib_separation_m', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('lib_detection', sa.Boolean(), nullable=False),
    sa.Column('briefing_date', sa.Date(), nullable=True),
    sa.Column('briefing_radius_m', sa.Numeric(precision=8, scale=1), nullable=True),
    sa.Column('briefing_record', sa.Text(), nullable=True),
    sa.Column('old_notification_no', sa.String(length=40), nullable=True),
    sa.Column('old_notification_date', sa.Date(), nullable=True),
    sa.Column('apply_by', sa.Date(), nullable=True),
    sa.Column('standard_set', sa.String(length=40), nullable=True),
    sa.Column('permit_no', sa.String(length=32), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=True),
    sa.Column('inspection_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_yard_applications_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_yard_applications')),
    sa.UniqueConstraint('permit_no', name=op.f('uq_yard_applications_permit_no'))
    )
    with op.batch_alter_table('yard_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_yard_applications_prefecture_code'), ['prefecture_code'], unique=False)

    op.create_table('yard_ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('counterparty', sa.String(length=200), nullable=False),
    sa.Column('material', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit', sa.String(length=4), nullable=False),
    sa.Column('destination', sa.String(length=400), nullable=True),
    sa.Column('destination_country', sa.String(length=2), nullable=True),
    sa.Column('export_reference', sa.String(length=40), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('receipt', 'shipment')", name=op.f('ck_yard_ledger_entries_kind')),
    sa.CheckConstraint("unit IN ('t', 'kg', 'pcs')", name=op.f('ck_yard_ledger_entries_unit')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_yard_ledger_entries_positive_quantity')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_yard_ledger_entries_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_yard_ledger_entries_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_yard_ledger_entries'))
    )
    with op.batch_alter_table('yard_ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_yard_ledger_entries_case_material', ['case_id', 'material'], unique=False)

    op.create_table('yard_storage_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('material', sa.String(length=40), nullable=False),
    sa.Column('area_m2', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('max_pile_height_m', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('spacing_m', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('capacity_t', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['yard_applications.case_id'], name=op.f('fk_yard_storage_areas_case_id_yard_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_yard_storage_areas'))
    )
    with op.batch_alter_table('yard_storage_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_yard_storage_areas_case_id'), ['case_id'], unique=False)

    op.create_table('yard_inspection_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('storage_area_id', sa.Integer(), nullable=True),
    sa.Column('measured_height_m', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('compliant', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_yard_inspection_findings_case_id_cases')),
    sa.ForeignKeyConstraint(['storage_area_id'], ['yard_storage_areas.id'], name=op.f('fk_yard_inspection_findings_storage_area_id_yard_storage_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_yard_inspection_findings'))
    )
    with op.batch_alter_table('yard_inspection_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_yard_inspection_findings_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prefecture_code', sa.String(length=2), nullable=True))
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', ROLES_WITH_YARDS)
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_attachments_kind'), type_='check')
        batch_op.create_check_constraint('kind', KINDS_WITH_YARDS)


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_attachments_kind'), type_='check')
        batch_op.create_check_constraint('kind', KINDS_BEFORE)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', ROLES_BEFORE)
        batch_op.drop_column('prefecture_code')

    with op.batch_alter_table('yard_inspection_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_yard_inspection_findings_case_id'))

    op.drop_table('yard_inspection_findings')
    with op.batch_alter_table('yard_storage_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_yard_storage_areas_case_id'))

    op.drop_table('yard_storage_areas')
    with op.batch_alter_table('yard_ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_yard_ledger_entries_case_material')

    op.drop_table('yard_ledger_entries')
    with op.batch_alter_table('yard_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_yard_applications_prefecture_code'))

    op.drop_table('yard_applications')

"""measures: the action plan's measures and targets, and the links of cases to them

Revision ID: f15a00000008
Revises: b1a2c3d4e5f6
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f15a00000008'
down_revision = 'b1a2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'measures',
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('level', sa.String(length=12), nullable=False),
        sa.Column('parent_code', sa.String(length=30), nullable=True),
        sa.Column('section', sa.Integer(), nullable=False),
        sa.Column('subsection', sa.Integer(), nullable=True),
        sa.Column('page', sa.Integer(), nullable=False),
        sa.Column('title_ja', sa.Text(), nullable=False),
        sa.Column('title_en', sa.Text(), nullable=False),
        sa.Column('page_title_ja', sa.Text(), nullable=True),
        sa.CheckConstraint("level IN ('section', 'subsection', 'measure', 'sheet')",
                           name=op.f('ck_measures_level')),
        sa.ForeignKeyConstraint(['parent_code'], ['measures.code'],
                                name=op.f('fk_measures_parent_code_measures')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_measures')),
    )
    op.create_table(
        'measure_targets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('measure_code', sa.String(length=30), nullable=False),
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('statement_ja', sa.Text(), nullable=False),
        sa.Column('statement_en', sa.Text(), nullable=False),
        sa.Column('value', sa.Numeric(precision=20, scale=3), nullable=True),
        sa.Column('unit', sa.String(length=30), nullable=True),
        sa.Column('target_year', sa.Integer(), nullable=True),
        sa.Column('year_basis', sa.String(length=10), nullable=True),
        sa.Column('baseline_value', sa.Numeric(precision=20, scale=3), nullable=True),
        sa.Column('baseline_year', sa.Integer(), nullable=True),
        sa.Column('change_percent', sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column('countries', sa.String(length=200), nullable=True),
        sa.Column('page', sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('indicator', 'milestone', 'statement')",
                           name=op.f('ck_measure_targets_kind')),
        sa.ForeignKeyConstraint(['measure_code'], ['measures.code'],
                                name=op.f('fk_measure_targets_measure_code_measures')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_targets')),
        sa.UniqueConstraint('key', name=op.f('uq_measure_targets_key')),
    )
    with op.batch_alter_table('measure_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_targets_measure_code'), ['measure_code'],
                              unique=False)
    op.create_table(
        'case_measures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('measure_code', sa.String(length=30), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('basis', sa.Text(), nullable=False),
        sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("source IN ('rule', 'manual')", name=op.f('ck_case_measures_source')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_case_measures_case_id_cases')),
        sa.ForeignKeyConstraint(['measure_code'], ['measures.code'],
                                name=op.f('fk_case_measures_measure_code_measures')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_measures')),
        sa.UniqueConstraint('case_id', 'measure_code',
                            name=op.f('uq_case_measures_case_id_measure_code')),
    )
    with op.batch_alter_table('case_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_measures_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_measures_measure_code'), ['measure_code'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('case_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_measures_measure_code'))
        batch_op.drop_index(batch_op.f('ix_case_measures_case_id'))
    op.drop_table('case_measures')
    with op.batch_alter_table('measure_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_targets_measure_code'))
    op.drop_table('measure_targets')
    op.drop_table('measures')

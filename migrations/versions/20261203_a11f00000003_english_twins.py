"""english twins: the English text beside each Japanese free text a partner authority reads

Revision ID: a11f00000003
Revises: f15a00000008
Create Date: 2026-12-03 12:20:00

Basel Convention Art. 6(1) and Annex V A: the notification is given in a language the
State of import accepts; the States concerned read English.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a11f00000003'
down_revision = 'f15a00000008'
branch_labels = None
depends_on = None

NOTIFICATION_TEXTS = ('technology_en', 'reason_for_export_en', 'waste_designation_en',
                      'waste_composition_en', 'generating_process_en')


def upgrade():
    with op.batch_alter_table('basel_notifications', schema=None) as batch_op:
        for name in NOTIFICATION_TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
    with op.batch_alter_table('authority_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_en', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('authority_responses', schema=None) as batch_op:
        batch_op.drop_column('text_en')
    with op.batch_alter_table('basel_notifications', schema=None) as batch_op:
        for name in reversed(NOTIFICATION_TEXTS):
            batch_op.drop_column(name)

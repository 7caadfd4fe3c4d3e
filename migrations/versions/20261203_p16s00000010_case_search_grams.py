"""the two-character grams of every case's searched texts, for searches of one or two
Japanese characters (no trigram index serves them); an expression index on upper(code) that
the waste-code filter uses and whose statistics correct its estimate

Revision ID: p16s00000010
Revises: r16w00000001
Create Date: 2026-12-03 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p16s00000010'
down_revision = "r16w00000001"
branch_labels = None
depends_on = None

#: (table, case id column, text column): what the search box reads, as of this revision
#: (app/cases/search_grams.py: the case number and each procedure's `searched_texts`)
TEXTS = (("cases", "id", "number"),
         ("notification_parties", "case_id", "name"),
         ("notification_codes", "case_id", "code"),
         ("export_checks", "case_id", "buyer_name"),
         ("export_checks", "case_id", "container_no"),
         ("export_checks", "case_id", "certificate_no"),
         ("yard_applications", "case_id", "operator_name"),
         ("yard_applications", "case_id", "site_address"),
         ("yard_applications", "case_id", "permit_no"))


def _texts_sql() -> str:
    return " UNION ALL ".join(f"SELECT {case_id} AS case_id, {column} AS text FROM {table}"
                              for table, case_id, column in TEXTS)


#: set-based, for a million cases: each text holding a character beyond ASCII is cut into
#: its grams (lower case, a space after the last character); the ASCII-only grams are dropped
POSTGRESQL_BACKFILL = f"""
    INSERT INTO case_search_grams (gram, case_id)
    SELECT DISTINCT g.gram, t.case_id
    FROM ({_texts_sql()}) AS t
    CROSS JOIN LATERAL (SELECT substr(lower(t.text) || ' ', i, 2) AS gram
                        FROM generate_series(1, char_length(t.text)) AS i) AS g
    WHERE octet_length(t.text) > char_length(t.text)
      AND octet_length(g.gram) > char_length(g.gram)
"""


def _grams(text):
    """The same cut as app/cases/search_grams.grams, frozen at this revision."""
    folded = text.lower() + " "
    return {folded[i:i + 2] for i in range(len(folded) - 1) if not folded[i:i + 2].isascii()}


def _backfill_in_python(bind) -> None:
    """SQLite: few cases, and Python's lower() is the one the application uses."""
    rows = set()
    for case_id, text in bind.execute(sa.text(_texts_sql())):
        if text and not text.isascii():
            rows.update((gram, case_id) for gram in _grams(text))
    if rows:
        bind.execute(sa.text("INSERT INTO case_search_grams (gram, case_id) "
                             "VALUES (:gram, :case_id)"),
                     [{"gram": g, "case_id": c} for g, c in sorted(rows)])


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    gram = sa.String(length=2, collation="C") if postgresql else sa.String(length=2)
    op.create_table('case_search_grams',
    sa.Column('gram', gram, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    # SQLite cannot add constraints later; PostgreSQL adds them after the backfill, in one
    # sorted build and one check instead of millions of index insertions and trigger calls
    *(() if postgresql else (
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_search_grams_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('gram', 'case_id', name=op.f('pk_case_search_grams'))))
    )
    if postgresql:
        bind.execute(sa.text("SET LOCAL jit = off"))  # seconds of compiling, for one statement
        bind.execute(sa.text("SET LOCAL work_mem = '256MB'"))  # the DISTINCT in memory
        bind.execute(sa.text(POSTGRESQL_BACKFILL))
    else:
        _backfill_in_python(bind)
    if postgresql:
        op.create_primary_key(op.f('pk_case_search_grams'), 'case_search_grams',
                              ['gram', 'case_id'])
        op.create_foreign_key(op.f('fk_case_search_grams_case_id_cases'), 'case_search_grams',
                              'cases', ['case_id'], ['id'], ondelete='CASCADE')
    op.create_index(op.f('ix_case_search_grams_case_id'), 'case_search_grams', ['case_id'],
                    unique=False)
    op.create_index('ix_notification_codes_upper_code', 'notification_codes',
                    [sa.text('upper(code)'), 'case_id'])
    if postgresql:
        # the planner's estimates of the new table and of the upper(code) expression
        bind.execute(sa.text("ANALYZE case_search_grams"))
        bind.execute(sa.text("ANALYZE notification_codes"))


def downgrade():
    op.drop_index('ix_notification_codes_upper_code', table_name='notification_codes')
    op.drop_index(op.f('ix_case_search_grams_case_id'), table_name='case_search_grams')
    op.drop_table('case_search_grams')

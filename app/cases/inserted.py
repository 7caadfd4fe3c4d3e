"""A new case written by one INSERT past the session's unit of work.

For a caller that makes a case and all its rows from values in hand in one go (a partner's
notification, app/exchange/apply.py): the flush of one new object cost more than its INSERT.
The case comes back as if read from the database, in the session: its columns loaded, its
collections read when first asked for (from the rows written since, unlike a new object's
collections, which would stay empty). What a flush would have told about a new case is
done here: it is noted as new in this transaction (held.py), and the grams of its number
are written when it has any (search_grams.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import make_transient_to_detached

from app.extensions import db

from . import search_grams
from .held import note_new_case
from .models import Case

#: built once: it runs for every notification a partner sends
_INSERT = insert(Case).returning(*Case.__table__.columns)


def insert_case(*, case_type: str, state: str, number: str | None, organisation_id: int,
                created_by_id: int, submitted_at: datetime | None = None,
                parent_id: int | None = None) -> Case:
    """The case of these column values, written and in the session; the Python-side
    defaults (version, times) applied as a flush would. The columns are named one by one: an
    INSERT ignores a key it has no column for, so a misspelt one would be lost silently."""
    connection = db.session.connection()
    row = connection.execute(_INSERT, {
        "case_type": case_type, "state": state, "number": number,
        "organisation_id": organisation_id, "created_by_id": created_by_id,
        "submitted_at": submitted_at, "parent_id": parent_id}).one()
    case = Case(**row._mapping)
    make_transient_to_detached(case)  # its values are the row's, as if loaded
    db.session.add(case)
    note_new_case(case.id)
    if search_grams.grams(case.number):
        search_grams.refresh(connection, [case.id])
    return case

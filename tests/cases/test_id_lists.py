"""A statement built once that reads the rows of a list of ids (`among_named`): the deadline
sweep's batches, whose number of cases varies from one batch to the next."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from app.cases.id_lists import among_named
from app.reference.models import ReferenceCode

_BY_IDS = select(ReferenceCode.id).where(among_named(ReferenceCode.id, "ids"))


@contextmanager
def _statements_sent(db):
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_the_rows_of_exactly_the_ids_asked_are_read_however_many(db):
    ids = list(db.session.scalars(select(ReferenceCode.id).order_by(ReferenceCode.id)))
    assert len(ids) > 300
    for asked in (ids[:1], ids[5:8], ids[::2][:250], []):
        assert sorted(db.session.scalars(_BY_IDS, {"ids": asked})) == sorted(asked)
    assert list(db.session.scalars(_BY_IDS, {"ids": [-1, ids[0]]})) == [ids[0]]


def test_postgresql_is_sent_the_same_text_for_any_number_of_ids(db, is_postgres):
    # one text: the driver converts and prepares it once, the server plans it once; an IN
    # list's text changed with every batch size
    if not is_postgres:
        pytest.skip("SQLite has no array parameter: the ids go as an IN list")
    ids = list(db.session.scalars(select(ReferenceCode.id).order_by(ReferenceCode.id)))
    with _statements_sent(db) as sent:
        for size in (1, 2, 200):
            db.session.scalars(_BY_IDS, {"ids": ids[:size]}).all()
    assert len(sent) == 3
    assert len(set(sent)) == 1

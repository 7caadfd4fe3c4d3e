"""Notice rows go into the outbox in one statement (COPY on PostgreSQL from a few rows on, an
INSERT on SQLite and for fewer rows):
what is written must be what a notice written alone would hold, and it must go with the
transaction — or the savepoint — that wrote it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.database import COPY_FROM_ROWS
from app.notices.messages import insert_notices
from app.notices.models import Notice
from tests.factories import make_user

MOMENT = datetime(2026, 12, 3, 1, 2, 3, 456789, tzinfo=UTC)
#: a few rows (an INSERT) and more (a COPY on PostgreSQL)
SIZES = pytest.mark.parametrize("n", [3, COPY_FROM_ROWS + 2], ids=["few", "many"])


def rows_for(user, n: int, **leave_out) -> list[dict]:
    rows = [{"case_id": None, "recipient_user_id": user.id, "recipient_email": user.email,
             "locale": "ja", "kind": "consented", "created_at": MOMENT,
             "next_attempt_at": MOMENT, "attempts": 0,
             "values": {"ref": f"JP2026{i:06d}", "sections": [], "country": "米国",
                        "due": None}}
            for i in range(n)]
    for row in rows:
        for key in leave_out:
            del row[key]
    return rows


def outbox(db) -> list[Notice]:
    return list(db.session.scalars(select(Notice).order_by(Notice.id)))


@SIZES
def test_rows_read_back_as_written(db, n):
    user = make_user("exporter")
    assert insert_notices(rows_for(user, n)) == n
    db.session.commit()
    db.session.expire_all()
    written = outbox(db)
    assert [n.values["ref"] for n in written] == [f"JP2026{i:06d}" for i in range(n)]
    first = written[0]
    assert first.values == {"ref": "JP2026000000", "sections": [], "country": "米国",
                            "due": None}
    assert first.created_at == MOMENT and first.next_attempt_at == MOMENT
    assert (first.recipient_user_id, first.recipient_email, first.kind, first.attempts) == (
        user.id, user.email, "consented", 0)
    assert first.sent_at is None and first.subject is None


@SIZES
def test_rows_leaving_out_a_defaulted_column_get_its_default(db, n):
    user = make_user("exporter")
    insert_notices(rows_for(user, n, attempts=None, locale=None))
    db.session.commit()
    assert [(row.attempts, row.locale) for row in outbox(db)] == [(0, "ja")] * n


@SIZES
@pytest.mark.parametrize("how", ["savepoint", "transaction"])
def test_rows_go_with_the_rolled_back_work_that_wrote_them(db, how, n):
    user = make_user("exporter")
    insert_notices(rows_for(user, 1))
    if how == "savepoint":
        with pytest.raises(RuntimeError), db.session.begin_nested():
            insert_notices(rows_for(user, n))
            raise RuntimeError("the transition failed")
        db.session.commit()
        assert len(outbox(db)) == 1
    else:
        insert_notices(rows_for(user, n))
        db.session.rollback()
        assert outbox(db) == []

"""Reference answers are remembered per process (app/reference/memo.py), yet a load is seen at
once: in this process by the lookups right after it, in another by its next transaction."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, insert

from app.cases import runner
from app.cases.models import Case
from app.database import begin_write
from app.reference import lookups, memo
from app.reference.models import ReferenceCode, ReferenceDataset
from app.timeutil import utcnow
from tests.factories import make_user

DAY = date(2026, 6, 1)
CODE = "XQ"  # no such country in the published list


@pytest.fixture
def cleanup(db):
    yield
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(delete(ReferenceCode).where(ReferenceCode.code == CODE))
        conn.execute(delete(ReferenceDataset).where(ReferenceDataset.name == "test-memo"))
    db.session.commit()


def _row(label: str) -> dict:
    return {"list_name": "country", "code": CODE, "label_en": label, "label_ja": label,
            "source": "test", "attributes": {}}


def test_a_load_by_another_process_is_seen_by_the_next_transaction(db, cleanup):
    assert lookups.find("country", CODE, DAY) is None
    db.session.commit()
    with db.engine.begin() as other:  # another process: its own connection, not our session
        other.execute(insert(ReferenceCode).values(**_row("Atlantis")))
        other.execute(insert(ReferenceDataset).values(name="test-memo", sha256="0" * 64,
                                                      rows=1, loaded_at=utcnow()))
    assert lookups.find("country", CODE, DAY).label_en == "Atlantis"


def test_a_row_written_in_this_process_is_seen_at_once(db, cleanup):
    assert lookups.find("country", CODE, DAY) is None
    db.session.add(ReferenceCode(**_row("Lemuria")))
    db.session.commit()
    assert lookups.find("country", CODE, DAY).label_en == "Lemuria"


def test_answers_are_the_same_rows_and_leave_the_session_alone(db):
    first = lookups.find("country", "US", DAY)
    again = lookups.find("country", "US", DAY)
    assert first.label_en == again.label_en and first.attributes.get("oecd")
    assert first not in db.session  # a copy: the session's own rows are not handed out


def test_a_load_by_another_process_is_seen_by_a_transition_after_it(db, cleanup):
    """A transition reads the reference data's version with the lock of its case: its
    lookups answer from the data loaded when it began, not from what was remembered."""
    exporter = make_user("exporter")
    case = Case(case_type="basel_export", state="DRAFT",
                organisation_id=exporter.organisation_id, created_by_id=exporter.id)
    db.session.add(case)
    db.session.commit()
    memo.forget_all()  # the tests before deleted their rows past it (no load does)
    assert lookups.find("country", CODE, DAY) is None
    db.session.commit()
    with db.engine.begin() as other:
        other.execute(insert(ReferenceCode).values(**_row("Atlantis")))
        other.execute(insert(ReferenceDataset).values(name="test-memo", sha256="0" * 64,
                                                      rows=1, loaded_at=utcnow()))

    begin_write(db.session)
    runner.lock_case(case.id)
    assert lookups.find("country", CODE, DAY).label_en == "Atlantis"

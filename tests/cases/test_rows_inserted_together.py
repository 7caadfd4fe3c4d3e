"""A partner's notification writes its rows of six tables together (one wait for the server on
PostgreSQL): what is written must read back as written, with the defaults an INSERT gives,
and a row the database refuses must take the others of the batch with it."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.basel.models import BaselNotification, NotificationCode
from app.cases.audience import attachment_audience
from app.cases.models import Attachment, Case
from app.database import begin_write, insert_together
from app.timeutil import utcnow
from tests.factories import make_user


def new_case(db, user) -> Case:
    begin_write(db.session)
    case = Case(case_type="basel_import", state="RECEIVED", number="US2026555001",
                organisation=user.organisation, created_by=user)
    db.session.add(case)
    db.session.flush()
    return case


def document(case, user, kind: str, content: bytes) -> dict:
    """An attachment row without `uploaded_at`: its column's default gives the time."""
    return {"case_id": case.id, "kind": kind, "filename": f"{kind}.pdf",
            "content_type": "application/pdf", "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(), "content": content,
            "description": "契約書" if kind == "contract" else None,
            "uploaded_by_id": user.id, "audience": attachment_audience("basel_import", kind)}


def codes(case) -> list[dict]:
    """Codes of the case's notification (a row with its case id only is enough)."""
    return [{"case_id": case.id, "scheme": "basel", "code": code, "seq": seq}
            for seq, code in enumerate(("A1180", "B1110"), start=1)]


def test_rows_of_several_tables_read_back_as_written(db):
    user = make_user("official_moe")
    case = new_case(db, user)
    before = utcnow()
    insert_together(db.session, [
        (Attachment.__table__, [document(case, user, "contract", b"%PDF-1.7 \x00\xff"),
                                document(case, user, "insurance", b"%PDF-1.7 policy")]),
        (BaselNotification.__table__, [{"case_id": case.id}]),
        (NotificationCode.__table__, codes(case))])
    db.session.commit()
    db.session.expire_all()

    written = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                 .order_by(Attachment.id)).all()
    assert [(a.kind, a.content, a.description) for a in written] == [
        ("contract", b"%PDF-1.7 \x00\xff", "契約書"), ("insurance", b"%PDF-1.7 policy", None)]
    assert written[0].audience == attachment_audience("basel_import", "contract")
    assert all(before <= a.uploaded_at <= utcnow() for a in written)
    assert db.session.execute(select(NotificationCode.seq, NotificationCode.code).where(
        NotificationCode.case_id == case.id).order_by(NotificationCode.seq)).all() == [
        (1, "A1180"), (2, "B1110")]


def test_a_row_the_database_refuses_takes_the_whole_batch_with_it(db):
    user = make_user("official_moe")
    case = new_case(db, user)
    case_id = case.id
    with pytest.raises(IntegrityError):
        insert_together(db.session, [
            (BaselNotification.__table__, [{"case_id": case.id}]),
            (NotificationCode.__table__, codes(case)),
            (Attachment.__table__, [document(case, user, "contract", b"%PDF fine"),
                                    document(case, user, "malware", b"MZ")])])
    db.session.rollback()

    assert db.session.get(Case, case_id) is None
    assert db.session.scalars(select(BaselNotification.case_id)).all() == []
    assert db.session.scalars(select(NotificationCode.id)).all() == []
    assert db.session.scalars(select(Attachment.id)).all() == []

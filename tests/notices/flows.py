"""Cases moved by the real runner, and the notices they wrote."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.cases import runner
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.extensions import db
from app.notices.models import Notice
from app.timeutil import today_in_japan


def fire(case_id: int, event: str, actor, **payload):
    return runner.fire(case_id, event, actor=actor, payload=payload)


def submitted(people, country: str = "US") -> int:
    case = complete_export(people.exporter, country=country)
    fire(case.id, "submit", people.exporter)
    return case.id


def in_review(people) -> int:
    case_id = submitted(people)
    fire(case_id, "start_review", people.moe)
    return case_id


def transmitted(people, *, contract: bool = True) -> int:
    case_id = in_review(people)
    if contract:
        fire(case_id, "confirm_contract", people.moe)
    fire(case_id, "approve_transmission", people.moe)
    return case_id


def consent(case_id: int, people, country: str = "US", **extra):
    today = today_in_japan()
    return fire(case_id, "record_consent", people.moe, country=country,
                received_on=today.isoformat(), valid_from=today.isoformat(),
                valid_to=(today + timedelta(days=300)).isoformat(),
                document=Upload("consent.pdf", "application/pdf", PDF), **extra)


def notices(**where) -> list[Notice]:
    query = select(Notice).filter_by(**where).order_by(Notice.id)
    return list(db.session.scalars(query))


def addressed(**where) -> dict[str, str]:
    """recipient e-mail -> notice kind."""
    return {n.recipient_email: n.kind for n in notices(**where)}

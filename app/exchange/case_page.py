"""The partner message log on every case page, contributed to the case engine."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState
from sqlalchemy import or_, select

from app.cases.models import Case
from app.cases.procedures import PageContribution, register_contribution
from app.extensions import db

from .models import ExchangeMessage

#: who reads the XML exchanged about a case
READERS = ("official_moe", "official_meti", "admin")


def messages(case: Case, user) -> dict[str, list]:
    """The XML messages exchanged about the case and its children (officials only)."""
    if user.role not in READERS:
        return {"messages": []}
    return {"messages": db.session.scalars(select(ExchangeMessage).where(or_(
        ExchangeMessage.case_id == case.id,
        ExchangeMessage.case_id.in_([c.id for c in case.children])))
        .order_by(ExchangeMessage.id)).all()}


MESSAGE_LOG = PageContribution(name="exchange", blocks={"end": ("exchange/_case_messages.html",)},
                               context=messages)


def plug_in(state: BlueprintSetupState) -> None:
    """Add the message log to the case page, once per app (the blueprint's setup)."""
    register_contribution(MESSAGE_LOG)

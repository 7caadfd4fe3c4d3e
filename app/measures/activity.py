"""Counted indicators, per fiscal year, each one SQL aggregate: partner authorities exchanging
electronically, shipments whose receipt and recovery were certified on time, and the cases of
the scrap-yard and export-check procedures by state."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import and_, func, or_, select

from app.cases.models import Case, Deadline
from app.exchange.models import ExchangeMessage, Partner
from app.extensions import db
from app.timeutil import TOKYO

from .fiscal import fiscal_bounds

#: a message counts as exchanged once the partner's was accepted or ours acknowledged
EXCHANGED = (("in", "accepted"), ("out", "acknowledged"))
#: the time limits of a shipment's receipt and recovery certificates (movement document
#: blocks 18 and 19; Basel Act ordinance: 3 business days, 30 days)
CERTIFICATE_DEADLINES = ("receipt", "certificate")
#: case types counted by state on the dashboard, by their procedures' reference names
COUNTED_CASE_TYPES = ("scrap_yard", "export_check")


def _moments(year: int) -> tuple[datetime, datetime]:
    first, after = fiscal_bounds(year)
    return (datetime.combine(first, time(0), tzinfo=TOKYO),
            datetime.combine(after, time(0), tzinfo=TOKYO))


def partners_exchanging(year: int) -> list[str]:
    """Country codes of the partner authorities that exchanged a message in the year."""
    start, end = _moments(year)
    exchanged = or_(*[and_(ExchangeMessage.direction == d, ExchangeMessage.status == s)
                      for d, s in EXCHANGED])
    rows = db.session.scalars(
        select(Partner.country_code).join(ExchangeMessage, ExchangeMessage.partner_id == Partner.id)
        .where(exchanged, ExchangeMessage.created_at >= start, ExchangeMessage.created_at < end)
        .group_by(Partner.id, Partner.country_code).order_by(Partner.country_code))
    return list(rows)


def certificates_on_time(year: int) -> dict[str, int]:
    """Receipt and recovery certificates due in the year: on time, late, still awaited."""
    start, end = _moments(year)
    on_time = and_(Deadline.cleared_at.is_not(None), Deadline.cleared_at <= Deadline.due_at)
    late = or_(Deadline.fired_at.is_not(None), Deadline.cleared_at > Deadline.due_at)
    row = db.session.execute(
        select(func.count().filter(on_time), func.count().filter(late), func.count())
        .where(Deadline.kind.in_(CERTIFICATE_DEADLINES), Deadline.due_at >= start,
               Deadline.due_at < end)).one()
    return {"on_time": row[0], "late": row[1], "awaited": row[2] - row[0] - row[1]}


def cases_by_state(year: int) -> dict[str, dict[str, int]]:
    """case type -> state -> cases filed (created) in the year, for the counted procedures."""
    start, end = _moments(year)
    counts: dict[str, dict[str, int]] = {t: {} for t in COUNTED_CASE_TYPES}
    rows = db.session.execute(
        select(Case.case_type, Case.state, func.count())
        .where(Case.case_type.in_(COUNTED_CASE_TYPES), Case.created_at >= start,
               Case.created_at < end)
        .group_by(Case.case_type, Case.state))
    for case_type, state, n in rows:
        counts[case_type][state] = n
    return counts

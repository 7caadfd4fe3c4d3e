"""Messages a partner builds by hand in the tests of issue 12 §3–4 (as a foreign developer
would, from the published schemas): each checked against its XSD before it is sent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from lxml import etree
from sqlalchemy import select

from app.cases import runner
from app.cases.models import Case
from app.exchange.models import ExchangeMessage
from app.exchange.readers import NS, text
from app.exchange.schemas import NAMESPACE, validate
from app.exchange.xmlsec import parse_untrusted, sign
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import make_org, make_user

TMW = f"{{{NAMESPACE}}}"


def message(sim, name: str, notification_id: str | None, *, correlation: str | None = None,
            sequence=None, body=()):
    """`body`: (tag, value, attrs) or (tag, [children]) in schema order."""
    root = sim._root(name, notification_id, correlation, sequence)
    _fill(root, body)
    return root


def _fill(parent, children) -> None:
    for child in children:
        tag, value, *rest = child
        attrs = rest[0] if rest else {}
        if isinstance(value, list):
            element = etree.SubElement(parent, TMW + tag, attrs)
            _fill(element, value)
        else:
            sim_value = f"{value:.3f}" if isinstance(value, Decimal) else str(value)
            etree.SubElement(parent, TMW + tag, attrs).text = sim_value


def post_signed(client, sim, tree):
    assert validate(tree) == [], validate(tree)
    response = client.post("/exchange/v1/messages", data=sign(tree, sim.key_pem, sim.cert_pem),
                           content_type="application/xml")
    body = response.get_data()
    return response, (parse_untrusted(body, max_bytes=10**7, max_depth=64) if body else None)


def error_of(answer) -> tuple[str, str, str]:
    return (text(answer, "t:Error/t:Code"), text(answer, "t:Error/t:Field"),
            text(answer, "t:Error/t:Description"))


def last_out(case_id: int, message_type: str) -> ExchangeMessage:
    db.session.rollback()
    return db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.direction == "out", ExchangeMessage.case_id == case_id,
        ExchangeMessage.message_type == message_type).order_by(ExchangeMessage.id.desc())).first()


def received_import(sim, number: str = "US2026000777", **kwargs) -> Case:
    """A partner's notification, arrived by XML: an import case in RECEIVED."""
    make_org("Kanto Smelting & Refining Co.", registration_no="0300-01-777777")
    sent = sim.send(sim.notification(number, **kwargs))
    assert sent.status == 200, sim.error_codes(sent)
    return db.session.scalar(select(Case).where(Case.number == number))


def active_import(sim, number: str = "US2026000777") -> Case:
    """… acknowledged, consented and approved by METI: shipments may be announced."""
    case = received_import(sim, number, quantity="40", shipments=4,
                           first=today_in_japan() + timedelta(days=1))
    moe, today = make_user("official_moe"), today_in_japan()
    runner.fire(case.id, "acknowledge", actor=moe)
    runner.fire(case.id, "consent", actor=moe, payload={
        "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=300)).isoformat()})
    runner.fire(case.id, "record_import_approval", actor=make_user("official_meti"), payload={
        "approval_no": "METI-I-1", "approval_date": today.isoformat()})
    db.session.rollback()
    case = db.session.get(Case, case.id)
    assert case.state == "ACTIVE"
    return case


__all__ = ["NS", "active_import", "error_of", "last_out", "message", "post_signed",
           "received_import"]

"""The demo data talks to its simulated partners by signed XML: the export to Canada reaches
the simulated Canadian authority (CA-ECCC), which consents by XML, like the one to the US."""

from __future__ import annotations

from sqlalchemy import select

from app.basel.models import StateConcerned
from app.cases.models import Case
from app.exchange.models import ExchangeMessage, Partner
from app.extensions import db


def test_the_demo_export_to_canada_reaches_the_canadian_partner(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    canada = db.session.scalar(select(Partner).where(Partner.authority_code == "CA-ECCC"))
    assert canada is not None and canada.country_code == "CA"
    [case] = db.session.scalars(select(Case).join(
        StateConcerned, StateConcerned.case_id == Case.id).where(
        StateConcerned.country_code == "CA", StateConcerned.role == "import")).all()
    sent = db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.case_id == case.id, ExchangeMessage.direction == "out")).all()
    assert [(m.message_type, m.partner_id, m.status) for m in sent] == [
        ("TMWNotificationSubmissionMessage", canada.id, "acknowledged")]
    assert case.state == "CONSENT_COMPLETE"
    consent = [e for e in case.events if e.event == "record_consent"][0]
    assert consent.actor_role == "partner_system" and consent.payload["country"] == "CA"

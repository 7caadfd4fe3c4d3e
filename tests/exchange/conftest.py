"""A registered partner authority played by the simulator, through the test client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.exchange import partners
from app.exchange.keys import make_test_identity, our_key_pair
from app.exchange.simulator import ClientTransport, PartnerSimulator
from app.exchange.xmlsec import PartnerCertificate, verify
from app.extensions import db
from app.timeutil import utcnow


def make_partner(client, code="USA01", country="US", *, endpoint=None, valid_days=365):
    now = utcnow()
    key_pem, cert_pem = make_test_identity(f"{code} (test)", now - timedelta(days=1),
                                           now + timedelta(days=valid_days))
    partner = partners.register(country=country, authority_code=code, name=f"{code} authority",
                                endpoint_url=endpoint)
    partners.add_certificate(partner, cert_pem)
    token = partners.new_pull_token(partner)
    db.session.commit()
    sim = PartnerSimulator(code, country, ClientTransport(client, token), key_pem, cert_pem)
    return partner, sim


@pytest.fixture
def usa(app, client):
    return make_partner(client)


def our_signature_holds(app, tree) -> bool:
    """Our answers are signed with our key: a partner can verify them."""
    key_pem, cert_pem = our_key_pair(app)
    now = utcnow()
    verify(tree, [PartnerCertificate(cert_pem, now - timedelta(days=2),
                                     now + timedelta(days=400))])
    return True

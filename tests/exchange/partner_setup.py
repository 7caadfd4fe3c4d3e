"""Connecting the reference client the way INTERFACE.md section 1 says: MOE's operator registers
the partner's certificate with the `flask partners` commands and passes on the pull token and
JP-MOE's fingerprint; the client fetches and checks JP-MOE's certificate itself."""

from __future__ import annotations

from datetime import timedelta

from app.exchange.keys import make_test_identity
from app.timeutil import utcnow
from tests.exchange.reference_client import ReferenceClient


class WsgiTransport:
    """HTTP through the WSGI test client: the same requests a partner's system makes."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str, headers: dict):
        response = self.client.get(path, headers=headers)
        return response.status_code, dict(response.headers), response.get_data()

    def post(self, path: str, body: bytes, headers: dict):
        response = self.client.post(path, data=body, headers=headers)
        return response.status_code, dict(response.headers), response.get_data()


def partner_identity(name: str, *, days: int = 365) -> tuple[bytes, bytes]:
    now = utcnow()
    return make_test_identity(name, now - timedelta(days=1), now + timedelta(days=days))


def registered_client(app, client, tmp_path, *, code: str = "CA-ECCC", country: str = "CA",
                      name: str = "Environment and Climate Change Canada") -> ReferenceClient:
    partner, fingerprint = registered_by_moe(app, client, tmp_path, code=code, country=country,
                                             name=name)
    partner.trust_japan(fingerprint)
    return partner


def registered_by_moe(app, client, tmp_path, *, code: str = "CA-ECCC", country: str = "CA",
                      name: str = "Environment and Climate Change Canada"
                      ) -> tuple[ReferenceClient, str]:
    """MOE's operator registers the partner (section 2.2); the client, not yet trusting JP-MOE,
    and JP-MOE's fingerprint as the operator passes it on by a second channel."""
    key_pem, cert_pem = partner_identity(f"{code} reference client")
    certificate = tmp_path / f"{code}.pem"
    certificate.write_bytes(cert_pem)
    cli = app.test_cli_runner()
    added = cli.invoke(args=["partners", "add", code, "--country", country, "--name", name,
                             "--certificate", str(certificate)])
    assert added.exit_code == 0, added.output
    pull_token = added.output.strip().rsplit("pull token: ", 1)[1]
    fingerprint = cli.invoke(args=["partners", "fingerprint"]).output.split()[0]
    partner = ReferenceClient(code, country, key_pem, cert_pem, WsgiTransport(client),
                              pull_token=pull_token)
    return partner, fingerprint

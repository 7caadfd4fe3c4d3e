"""Rotating a signing key on either side without losing a message in flight (INTERFACE.md
section 2.3), done with the published endpoints and the operators' commands."""

from __future__ import annotations

from datetime import timedelta

from app.cases import runner
from app.demo.samples import complete_export
from app.exchange.keys import make_test_identity, our_key_pair
from app.timeutil import today_in_japan, utcnow
from tests.exchange.partner_setup import partner_identity, registered_client
from tests.exchange.reference_client import fingerprint
from tests.exchange.test_every_error_code import World
from tests.factories import make_user


def test_a_partner_rotates_its_key_and_no_message_is_lost(app, client, tmp_path, monkeypatch):
    world = World(app, client, tmp_path, monkeypatch)
    canada, cli = world.canada, app.test_cli_runner()
    old_key, old_cert = canada.key_pem, canada.cert_pem
    new_key, new_cert = partner_identity("CA-ECCC 2027")
    (tmp_path / "new.pem").write_bytes(new_cert)
    assert cli.invoke(args=["partners", "add-cert", "CA-ECCC",
                            str(tmp_path / "new.pem")]).exit_code == 0

    in_flight = world.ack()  # signed with the old key before the switch, sent after it
    in_flight_body = canada.sign(in_flight, key_pem=old_key, cert_pem=old_cert)
    canada.key_pem, canada.cert_pem = new_key, new_cert
    assert world.push(in_flight_body)[0] == 200  # both certificates are valid meanwhile

    assert cli.invoke(args=["partners", "revoke-cert", fingerprint(old_cert)]).exit_code == 0
    late = canada.consent(world.number, world.correlation, today_in_japan(),
                          today_in_japan() + timedelta(days=200))
    refused = canada.post(canada.sign(late, key_pem=old_key, cert_pem=old_cert))
    assert (refused.status, refused.codes()) == (403, ["CERTIFICATE_REVOKED"])
    resent = canada.post(canada.sign(late))  # same MessageID, signed again with the new key
    assert resent.status == 200, resent.codes()


def test_japan_rotates_its_key_and_a_queued_message_still_verifies(app, client, tmp_path,
                                                                   monkeypatch):
    canada = registered_client(app, client, tmp_path)
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter, country="CA")
    runner.fire(case.id, "submit", actor=exporter)
    for event in ("start_review", "confirm_contract", "approve_transmission"):
        runner.fire(case.id, event, actor=moe)  # queued, signed with the current key

    current = tmp_path / "current.pem"
    current.write_bytes(our_key_pair(app)[1])
    now = utcnow()
    next_key, next_cert = make_test_identity("JP-MOE 2027", now - timedelta(minutes=1),
                                             now + timedelta(days=800))
    (tmp_path / "next-key.pem").write_bytes(next_key)
    (tmp_path / "next-cert.pem").write_bytes(next_cert)
    # 1. announce the next certificate: partners add it to their trust list
    monkeypatch.setitem(app.config, "EXCHANGE_ANNOUNCED_CERT_PATHS", str(tmp_path /
                                                                         "next-cert.pem"))
    canada.trust_japan(fingerprint(current.read_bytes()))
    assert len(canada.japan_certificates) == 2
    # 2. switch; the previous certificate stays announced while its messages are in flight
    monkeypatch.setitem(app.config, "EXCHANGE_KEY_PATH", str(tmp_path / "next-key.pem"))
    monkeypatch.setitem(app.config, "EXCHANGE_CERT_PATH", str(tmp_path / "next-cert.pem"))
    monkeypatch.setitem(app.config, "EXCHANGE_ANNOUNCED_CERT_PATHS", str(current))
    canada.trust_japan(fingerprint(next_cert))
    [submission] = canada.pull()  # signed with the old key, verified against the old cert
    answer = canada.send(canada.acknowledgement(case.number, submission.message_id,
                                                today_in_japan()))
    assert answer.status == 200  # JP-MOE's answer is signed with the new key and verifies
    canada.japan_certificates = [next_cert]
    assert canada.send(canada.consent(case.number, submission.message_id, today_in_japan(),
                                      today_in_japan() + timedelta(days=200))).status == 200

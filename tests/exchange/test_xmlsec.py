"""The XML security layer with real keys: parsing hostile input, signing, verifying.

No database and no real message schema: small documents of our own in the TMW namespace.
"""

from __future__ import annotations

import copy
import socket
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from flask import Flask
from lxml import etree
from signxml import XMLSigner, methods

from app.exchange import xmlsec
from app.exchange.keys import ExchangeKeyError, make_test_identity, our_key_pair
from app.exchange.xmlsec import (
    DS,
    DS_SIGNATURE,
    PartnerCertificate,
    XmlRejected,
    parse_untrusted,
    sign,
    verify,
)

NS = "urn:jp:go:env:eproc:basel:tmw:1.0"
ROOT_TAG = f"{{{NS}}}TMWNotificationAcknowledgementMessage"
LIMITS = {"max_bytes": 256 * 1024, "max_depth": 64}
PASSWD_MARKER = "root:x:0:0"
NOW = datetime.now(UTC)
DAY = timedelta(days=1)


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def message(decision: str = "accepted", number: str = "JP2025000001") -> etree._Element:
    root = etree.Element(ROOT_TAG, nsmap={None: NS}, version="1.0")
    etree.SubElement(root, q("MessageId")).text = "MSG-1"
    etree.SubElement(root, q("NotificationNumber")).text = number
    etree.SubElement(root, q("Decision")).text = decision
    return root


def registered(pem: bytes, *, valid_from=NOW - DAY, valid_to=NOW + 365 * DAY, revoked_at=None):
    return PartnerCertificate(
        pem=pem, valid_from=valid_from, valid_to=valid_to, revoked_at=revoked_at
    )


def receive(body: bytes, certificates) -> etree._Element:
    return verify(parse_untrusted(body, **LIMITS), certificates)


def rejection(body: bytes, certificates) -> XmlRejected:
    with pytest.raises(XmlRejected) as caught:
        receive(body, certificates)
    return caught.value


def text_of(tree: etree._Element, name: str) -> str:
    return tree.findtext(q(name))


@pytest.fixture(scope="module")
def partner():
    return make_test_identity("BE-SPW partner", NOW - DAY, NOW + 365 * DAY)


@pytest.fixture(scope="module")
def partner_next():
    return make_test_identity("BE-SPW partner (next key)", NOW - DAY, NOW + 730 * DAY)


@pytest.fixture(scope="module")
def stranger():
    return make_test_identity("BE-SPW partner", NOW - DAY, NOW + 365 * DAY)


@pytest.fixture(scope="module")
def signed(partner) -> bytes:
    return sign(message(), *partner)


# --------------------------------------------------------------------------- sign / verify


def test_round_trip(partner, signed):
    assert signed.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    document = parse_untrusted(signed, **LIMITS)
    assert document[-1].tag == DS_SIGNATURE  # the last child of the root
    assert (
        document.find(f"{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
        is not None
    )
    verified = verify(document, [registered(partner[1])])
    assert verified.tag == ROOT_TAG
    assert text_of(verified, "Decision") == "accepted"
    assert verified.find(f".//{DS_SIGNATURE}") is None


def test_sign_leaves_the_input_alone_and_refuses_to_sign_twice(partner):
    document = message()
    sign(document, *partner)
    assert document.find(DS_SIGNATURE) is None
    with pytest.raises(ValueError):
        sign(parse_untrusted(sign(document, *partner), **LIMITS), *partner)


def test_sign_refuses_a_key_that_is_not_the_certificates(partner, stranger):
    with pytest.raises(ValueError):
        sign(message(), partner[0], stranger[1])


def test_tampered_text_is_invalid(partner, signed):
    tampered = signed.replace(b">accepted<", b">rejected<")
    assert tampered != signed
    assert rejection(tampered, [registered(partner[1])]).code == "SIGNATURE_INVALID"


def test_tampered_signature_value_is_invalid(partner, signed):
    document = parse_untrusted(signed, **LIMITS)
    value = document.find(f"{DS_SIGNATURE}/{{{DS}}}SignatureValue")
    value.text = ("A" if value.text[0] != "A" else "B") + value.text[1:]
    with pytest.raises(XmlRejected) as caught:
        verify(document, [registered(partner[1])])
    assert caught.value.code == "SIGNATURE_INVALID"


def test_unregistered_certificate_is_unknown(partner, stranger):
    body = sign(message(), *stranger)  # same subject name, different key
    assert rejection(body, [registered(partner[1])]).code == "CERTIFICATE_UNKNOWN"
    assert rejection(body, []).code == "CERTIFICATE_UNKNOWN"


def test_keyinfo_swapped_to_a_registered_certificate_does_not_verify(partner, partner_next):
    """KeyInfo is not signed: pointing it at another registered certificate gains nothing."""
    document = parse_untrusted(sign(message(), *partner), **LIMITS)
    element = document.find(f".//{{{DS}}}X509Certificate")
    element.text = b"".join(partner_next[1].splitlines()[1:-1]).decode()
    with pytest.raises(XmlRejected) as caught:
        verify(document, [registered(partner[1]), registered(partner_next[1])])
    assert caught.value.code == "SIGNATURE_INVALID"


@pytest.mark.parametrize(
    ("window", "code"),
    [
        ({"revoked_at": NOW - timedelta(hours=1)}, "CERTIFICATE_REVOKED"),
        ({"valid_from": NOW - 30 * DAY, "valid_to": NOW - DAY}, "CERTIFICATE_EXPIRED"),
        ({"valid_from": NOW + DAY, "valid_to": NOW + 30 * DAY}, "CERTIFICATE_EXPIRED"),
        ({"revoked_at": NOW + 30 * DAY}, None),  # revocation scheduled for later: still in force
    ],
)
def test_registration_window_and_revocation(partner, signed, window, code):
    certificates = [registered(partner[1], **window)]
    if code is None:
        assert text_of(receive(signed, certificates), "Decision") == "accepted"
    else:
        assert rejection(signed, certificates).code == code


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "reason"),
    [
        (NOW - 400 * DAY, NOW - DAY, "expired"),
        (NOW + DAY, NOW + 400 * DAY, "not yet valid"),
    ],
)
def test_certificate_outside_its_own_validity(valid_from, valid_to, reason):
    """The X.509 validity counts even when the registration window is wider."""
    key_pem, cert_pem = make_test_identity("BE-SPW partner", valid_from, valid_to)
    body = sign(message(), key_pem, cert_pem)
    wide = registered(cert_pem, valid_from=NOW - 999 * DAY, valid_to=NOW + 999 * DAY)
    rejected = rejection(body, [wide])
    assert (rejected.code, reason in rejected.reason) == ("CERTIFICATE_EXPIRED", True)


def test_verification_time_can_be_given(partner, signed):
    certificates = [registered(partner[1])]
    assert verify(parse_untrusted(signed, **LIMITS), certificates, at=NOW + 30 * DAY) is not None
    with pytest.raises(XmlRejected) as caught:
        verify(parse_untrusted(signed, **LIMITS), certificates, at=NOW + 400 * DAY)
    assert caught.value.code == "CERTIFICATE_EXPIRED"


def test_rotation_two_registered_certificates_both_verify(partner, partner_next):
    certificates = [registered(partner[1]), registered(partner_next[1])]
    for identity in (partner, partner_next):
        verified = receive(sign(message(), *identity), certificates)
        assert text_of(verified, "Decision") == "accepted"


def test_missing_signature(partner):
    body = etree.tostring(message(), xml_declaration=True, encoding="UTF-8")
    assert rejection(body, [registered(partner[1])]).code == "SIGNATURE_MISSING"


def test_reference_to_an_id_instead_of_the_document(partner):
    document = message()
    document.set("Id", "ack")
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm=xmlsec.EXC_C14N,
    )
    signed_root = signer.sign(document, key=partner[0], cert=partner[1], reference_uri="#ack")
    body = etree.tostring(signed_root, xml_declaration=True, encoding="UTF-8")
    assert b'URI="#ack"' in body
    assert rejection(body, [registered(partner[1])]).code == "SIGNATURE_SCOPE"


# --------------------------------------------------------------------------- signature wrapping


def _split(signed: bytes) -> tuple[etree._Element, etree._Element]:
    """(the signed document without its signature, the signature)."""
    original = parse_untrusted(signed, **LIMITS)
    signature = original.find(DS_SIGNATURE)
    original.remove(signature)
    return original, signature


def xsw_original_nested_in_wrapper(signed: bytes) -> bytes:
    """Forged root; the signed original moved into an extra element; signature at the root."""
    original, signature = _split(signed)
    forged = message(decision="rejected", number="JP2025999999")
    etree.SubElement(forged, q("Extension")).append(original)
    forged.append(signature)
    return etree.tostring(forged)


def xsw_original_with_signature_nested(signed: bytes) -> bytes:
    """Forged root holding the whole signed original (signature included) as a child."""
    forged = message(decision="rejected", number="JP2025999999")
    forged.append(parse_untrusted(signed, **LIMITS))
    return etree.tostring(forged)


def xsw_original_in_signature_object(signed: bytes) -> bytes:
    """Forged root; the signed original hidden in ds:Object inside the signature."""
    original, signature = _split(signed)
    forged = message(decision="rejected", number="JP2025999999")
    etree.SubElement(signature, f"{{{DS}}}Object").append(original)
    forged.append(signature)
    return etree.tostring(forged)


def xsw_second_business_element(signed: bytes) -> bytes:
    """A forged business element added at the root, before the genuine one."""
    document = parse_untrusted(signed, **LIMITS)
    forged = etree.Element(q("Decision"))
    forged.text = "rejected"
    document.insert(0, forged)
    return etree.tostring(document)


def xsw_second_signature(signed: bytes) -> bytes:
    """A copy of the genuine signature added next to the original one."""
    document = parse_untrusted(signed, **LIMITS)
    document.find(q("Decision")).text = "rejected"
    document.insert(0, copy.deepcopy(document.find(DS_SIGNATURE)))
    return etree.tostring(document)


@pytest.mark.parametrize(
    "attack",
    [
        xsw_original_nested_in_wrapper,
        xsw_original_with_signature_nested,
        xsw_original_in_signature_object,
        xsw_second_business_element,
        xsw_second_signature,
    ],
)
def test_signature_wrapping_is_rejected(partner, signed, attack):
    body = attack(signed)
    assert b"rejected" in body  # the forged content is there
    rejected = rejection(body, [registered(partner[1])])
    assert rejected.code in {"SIGNATURE_SCOPE", "SIGNATURE_INVALID"}
    assert "rejected" not in rejected.reason and "JP2025999999" not in rejected.reason


def test_comment_inserted_in_signed_text_cannot_truncate_what_is_read(partner, signed):
    """Comments are outside the signature; the verified tree is rebuilt without them, so a
    comment slipped into a text node cannot shorten what business code reads."""
    body = signed.replace(b">JP2025000001<", b">JP2025<!-- -->000001<")
    document = parse_untrusted(body, **LIMITS)
    assert document.findtext(q("NotificationNumber")) == "JP2025"  # the untrusted tree lies
    verified = verify(document, [registered(partner[1])])
    assert text_of(verified, "NotificationNumber") == "JP2025000001"


# --------------------------------------------------------------------------- hostile parsing


@pytest.fixture
def listener():
    """A local TCP socket that records whether anything tried to connect."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)
    yield server
    server.close()


def nobody_connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


def parse_rejection(body: bytes, **limits) -> XmlRejected:
    with pytest.raises(XmlRejected) as caught:
        parse_untrusted(body, **(LIMITS | limits))
    assert PASSWD_MARKER not in str(caught.value)
    return caught.value


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<x xmlns="' + NS.encode() + b'">&e;</x>'
)
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""
XINCLUDE = (
    b'<TMWNotificationAcknowledgementMessage xmlns="' + NS.encode() + b'" '
    b'xmlns:xi="http://www.w3.org/2001/XInclude"><MessageId>'
    b'<xi:include href="file:///etc/passwd" parse="text"/></MessageId>'
    b"</TMWNotificationAcknowledgementMessage>"
)


def external_dtd(port: int) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:{port}/x.dtd"><x xmlns="{NS}"/>'
    ).encode()


def test_a_normal_document_parses(signed):
    root = parse_untrusted(signed, **LIMITS)
    assert root.tag == ROOT_TAG
    assert root.findtext(q("Decision")) == "accepted"


def test_malformed_reports_line_and_column():
    rejected = parse_rejection(b"<a>\n  <b></a>")
    assert (rejected.code, rejected.line) == ("MALFORMED", 2)
    assert rejected.column is not None and "line 2" in rejected.reason


@pytest.mark.parametrize("body", [b"", b"not xml", b"<a>&undeclared;</a>", b"<a>\xff</a>"])
def test_other_malformed_bodies(body):
    assert parse_rejection(body).code == "MALFORMED"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (XXE, "ENTITY_FORBIDDEN"),
        (BILLION_LAUGHS, "ENTITY_FORBIDDEN"),
        (
            XXE.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>', 1).encode("utf-16"),
            "ENTITY_FORBIDDEN",
        ),
        (b'<!DOCTYPE x><x xmlns="' + NS.encode() + b'"/>', "DTD_FORBIDDEN"),
        (XINCLUDE, "XINCLUDE_FORBIDDEN"),
        (b'<?xml-stylesheet href="x.xsl"?><a/>', "PI_FORBIDDEN"),
        (b"<a>JP<?pi x?>2025</a>", "PI_FORBIDDEN"),
    ],
)
def test_hostile_markup(body, code):
    assert parse_rejection(body).code == code


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (XXE, "DTD_FORBIDDEN"),
        (b"<!DOCTYPE x><x/>", "DTD_FORBIDDEN"),
        (BILLION_LAUGHS, "ENTITY_FORBIDDEN"),  # libxml2's amplification limit stops it first
    ],
)
def test_dtds_are_refused_after_parsing_too(monkeypatch, body, code):
    """Second layer: even if the byte scan missed it, the parser and docinfo give it away."""
    monkeypatch.setattr(xmlsec, "_refuse_forbidden_markup", lambda body: None)
    assert parse_rejection(body).code == code


def test_external_dtd_is_refused_without_a_connection(listener):
    body = external_dtd(listener.getsockname()[1])
    assert parse_rejection(body).code == "DTD_FORBIDDEN"
    assert nobody_connected(listener)


def test_external_dtd_is_not_fetched_by_the_parser_itself(monkeypatch, listener):
    monkeypatch.setattr(xmlsec, "_refuse_forbidden_markup", lambda body: None)
    body = external_dtd(listener.getsockname()[1])
    assert parse_rejection(body).code == "DTD_FORBIDDEN"
    assert nobody_connected(listener)


def test_oversized_body_is_refused_before_parsing():
    body = b"<a>" + b"x" * 2000 + b"</a>"
    assert parse_rejection(body, max_bytes=1000).code == "TOO_LARGE"


@pytest.mark.parametrize("depth", [10_000, 65])
def test_deep_nesting(depth):
    body = b"<a>" * depth + b"</a>" * depth
    assert parse_rejection(body, max_bytes=10**6, max_depth=64).code == "TOO_DEEP"


def test_nesting_at_the_limit_parses():
    body = b"<a>" * 64 + b"</a>" * 64
    assert parse_untrusted(body, max_bytes=10**6, max_depth=64) is not None


# --------------------------------------------------------------------------- our identity


@pytest.fixture
def bare_app(tmp_path, monkeypatch):
    for name in ("APP_ENV", "EXCHANGE_KEY_PATH", "EXCHANGE_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    return Flask(__name__, instance_path=str(tmp_path / "instance"))


def test_development_identity_is_generated_once_and_private(bare_app, partner):
    key_pem, cert_pem = our_key_pair(bare_app)
    directory = Path(bare_app.instance_path) / "exchange"
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in directory.glob("*.pem")}
    assert modes == {"signing-key.pem": 0o600, "signing-cert.pem": 0o600}
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    certificate = x509.load_pem_x509_certificate(cert_pem)
    assert certificate.subject.rfc4514_string() == ("CN=JP-MOE e-procedure exchange (development)")
    assert certificate.public_key().key_size == 3072
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert timedelta(days=729) < lifetime <= timedelta(days=731)
    assert our_key_pair(bare_app) == (key_pem, cert_pem)  # reused, not regenerated
    body = sign(message(), key_pem, cert_pem)
    assert text_of(receive(body, [registered(cert_pem)]), "Decision") == "accepted"


def test_production_never_generates(bare_app, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ExchangeKeyError, match="EXCHANGE_KEY_PATH"):
        our_key_pair(bare_app)
    assert not (Path(bare_app.instance_path) / "exchange").exists()


def test_configured_paths_are_used(bare_app, tmp_path, partner, stranger):
    (tmp_path / "key.pem").write_bytes(partner[0])
    (tmp_path / "cert.pem").write_bytes(partner[1])
    (tmp_path / "other.pem").write_bytes(stranger[1])
    bare_app.config.update(
        APP_ENV="production",
        EXCHANGE_KEY_PATH=str(tmp_path / "key.pem"),
        EXCHANGE_CERT_PATH=str(tmp_path / "cert.pem"),
    )
    assert our_key_pair(bare_app) == partner
    bare_app.config["EXCHANGE_CERT_PATH"] = str(tmp_path / "other.pem")
    with pytest.raises(ExchangeKeyError, match="is not the key of"):
        our_key_pair(bare_app)

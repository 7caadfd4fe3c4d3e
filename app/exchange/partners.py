"""The partner registry: authorities, their signing certificates, their credentials."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC

from cryptography import x509
from marshmallow import Schema, validate
from sqlalchemy import bindparam, or_, select

from app.auth.models import Organisation, User
from app.auth.passwords import hash_password
from app.cases.handlers import invalid
from app.extensions import db
from app.input_fields import Line, Name
from app.timeutil import utcnow

from .models import Partner, PartnerCertificate
from .xmlsec import PartnerCertificate as Certificate

PULL_TOKEN_PREFIX = "jpx_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_authority(code: str) -> Partner | None:
    return db.session.scalar(select(Partner).where(Partner.authority_code == code,
                                                   Partner.active.is_(True)))


@dataclass(frozen=True)
class Signer:
    """A registered, active partner as far as checking its signature needs: plain values,
    read in one statement, that outlive the transaction that read them."""

    id: int
    authority_code: str
    certificates: tuple[Certificate, ...]


def signer(code: str) -> Signer | None:
    """The active partner with this authority code and its certificates (revoked and expired
    ones too: verification says why they do not count)."""
    rows = db.session.connection().execute(_SIGNER, {"code": code}).all()
    if not rows:
        return None
    return Signer(rows[0].id, code, tuple(Certificate(r.pem, r.valid_from, r.valid_to,
                                                      r.revoked_at)
                                          for r in rows if r.pem is not None))


#: built once: it runs for every message received
_SIGNER = (select(Partner.id, PartnerCertificate.pem, PartnerCertificate.valid_from,
                  PartnerCertificate.valid_to, PartnerCertificate.revoked_at)
           .outerjoin(PartnerCertificate, PartnerCertificate.partner_id == Partner.id)
           .where(Partner.authority_code == bindparam("code"), Partner.active.is_(True))
           .order_by(PartnerCertificate.valid_from))


def by_pull_token(token: str) -> Partner | None:
    return db.session.scalar(select(Partner).where(Partner.pull_token_hash == _digest(token),
                                                   Partner.active.is_(True)))


def for_states(states: list[tuple[str | None, str]]) -> list[Partner]:
    """For each (authority code, country) the active partner of that authority, else one of
    that country; each partner once, in the states' order. One query for them all."""
    if not states:
        return []
    codes = {code for code, _country in states if code}
    countries = {country for _code, country in states}
    active = db.session.scalars(select(Partner).where(
        Partner.active.is_(True),
        or_(Partner.authority_code.in_(codes), Partner.country_code.in_(countries)),
    ).order_by(Partner.id)).all()
    by_code = {p.authority_code: p for p in active}
    by_country: dict[str, Partner] = {}
    for partner in active:
        by_country.setdefault(partner.country_code, partner)
    found: list[Partner] = []
    for code, country in states:
        partner = (by_code.get(code) if code else None) or by_country.get(country)
        if partner is not None and partner not in found:
            found.append(partner)
    return found


class PartnerForm(Schema):
    """What the administrator types to register an authority: the rules of every text typed
    in a form (no control or hidden direction characters), in the columns' lengths."""

    country_code = Line(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    authority_code = Line(required=True, validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9_-]*$"),
                          max_length=20)
    name = Name(required=True, max_length=200)
    endpoint_url = Line(load_default=None, allow_none=True, max_length=500)
    push_token = Line(load_default=None, allow_none=True, max_length=200)


def register(*, country: str, authority_code: str, name: str,
             endpoint_url: str | None = None, push_token: str | None = None) -> Partner:
    """Register an authority; its messages will act as a machine account of its own."""
    if by_authority(authority_code) is not None:
        raise invalid("authority_code", "This authority is registered already.")
    if endpoint_url and not endpoint_url.startswith(("https://", "http://")):
        raise invalid("endpoint_url", "The endpoint must be an http(s) URL.")
    org = db.session.scalar(select(Organisation).where(
        Organisation.authority_code == authority_code))
    if org is None:
        org = Organisation(name=name, kind="authority", country_code=country,
                           authority_code=authority_code)
        db.session.add(org)
    user = User(email=f"exchange+{authority_code.lower()}@partners.invalid",
                name=f"{authority_code} (XML)", role="partner_system", organisation=org,
                country_code=country, password_hash=hash_password(secrets.token_urlsafe(32)))
    partner = Partner(country_code=country, authority_code=authority_code, name=name,
                      endpoint_url=endpoint_url or None, push_token=push_token or None,
                      user=user)
    db.session.add_all([user, partner])
    db.session.flush()
    return partner


def add_certificate(partner: Partner, pem: bytes | str) -> PartnerCertificate:
    """Register a signing certificate (several may be valid at once: rotation)."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise invalid("certificate", "Not a PEM X.509 certificate.") from exc
    fingerprint = hashlib.sha256(cert.public_bytes(_der())).hexdigest()
    if db.session.scalar(select(PartnerCertificate.id).where(
            PartnerCertificate.fingerprint_sha256 == fingerprint)) is not None:
        raise invalid("certificate", "This certificate is registered already.")
    row = PartnerCertificate(
        partner=partner, pem=data.decode(), fingerprint_sha256=fingerprint,
        subject=cert.subject.rfc4514_string()[:400],
        valid_from=cert.not_valid_before_utc.astimezone(UTC),
        valid_to=cert.not_valid_after_utc.astimezone(UTC))
    db.session.add(row)
    db.session.flush()
    return row


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def revoke_certificate(row: PartnerCertificate) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()


def new_pull_token(partner: Partner) -> str:
    """A fresh token for the partner to pull its messages with (shown once)."""
    token = PULL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    partner.pull_token_hash = _digest(token)
    return token

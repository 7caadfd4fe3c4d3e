"""`flask partners ...`: register partner authorities, their certificates and pull tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db

from . import partners
from .models import Partner, PartnerCertificate

partners_cli = AppGroup("partners", help="Partner authorities exchanging signed XML.")


def _partner(code: str) -> Partner:
    found = db.session.scalar(select(Partner).where(Partner.authority_code == code))
    if found is None:
        raise click.ClickException(f"no partner {code}")
    return found


@partners_cli.command("add")
@click.argument("authority_code")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code.")
@click.option("--name", required=True)
@click.option("--endpoint", default=None, help="URL we push its messages to (else: pull only).")
@click.option("--push-token", default=None, help="Bearer token the partner expects from us.")
@click.option("--certificate", type=click.File("rb"), default=None,
              help="PEM file of its signing certificate.")
def add(authority_code, country, name, endpoint, push_token, certificate) -> None:
    """Register a partner authority and print the token it pulls its messages with."""
    partner = partners.register(country=country.upper(), authority_code=authority_code,
                                name=name, endpoint_url=endpoint, push_token=push_token)
    if certificate is not None:
        partners.add_certificate(partner, certificate.read())
    token = partners.new_pull_token(partner)
    db.session.commit()
    click.echo(f"registered {authority_code} ({country.upper()}); pull token: {token}")


@partners_cli.command("list")
def list_partners() -> None:
    for p in db.session.scalars(select(Partner).order_by(Partner.authority_code)):
        valid = [c for c in p.certificates if c.revoked_at is None]
        click.echo(f"{p.authority_code:<12} {p.country_code}  {p.name}  "
                   f"endpoint={p.endpoint_url or '(pull only)'}  certificates={len(valid)}"
                   f"{'' if p.active else '  INACTIVE'}")


@partners_cli.command("add-cert")
@click.argument("authority_code")
@click.argument("pem", type=click.File("rb"))
def add_cert(authority_code, pem) -> None:
    """Add a signing certificate (the old one stays valid until revoked: rotation)."""
    row = partners.add_certificate(_partner(authority_code), pem.read())
    db.session.commit()
    click.echo(f"added {row.fingerprint_sha256[:16]}… valid {row.valid_from:%Y-%m-%d} – "
               f"{row.valid_to:%Y-%m-%d}")


@partners_cli.command("revoke-cert")
@click.argument("fingerprint")
def revoke_cert(fingerprint) -> None:
    """Revoke a certificate by (the start of) its SHA-256 fingerprint."""
    rows = db.session.scalars(select(PartnerCertificate).where(
        PartnerCertificate.fingerprint_sha256.startswith(fingerprint.lower()))).all()
    if len(rows) != 1:
        raise click.ClickException(f"{len(rows)} certificates match {fingerprint}")
    partners.revoke_certificate(rows[0])
    db.session.commit()
    click.echo(f"revoked {rows[0].fingerprint_sha256[:16]}…")


@partners_cli.command("token")
@click.argument("authority_code")
def token(authority_code) -> None:
    """Issue a new pull token (the old one stops working)."""
    value = partners.new_pull_token(_partner(authority_code))
    db.session.commit()
    click.echo(value)


@partners_cli.command("set")
@click.argument("authority_code")
@click.option("--endpoint", default=None)
@click.option("--push-token", default=None)
@click.option("--active/--inactive", default=None)
def set_partner(authority_code, endpoint, push_token, active) -> None:
    partner = _partner(authority_code)
    if endpoint is not None:
        partner.endpoint_url = endpoint or None
    if push_token is not None:
        partner.push_token = push_token or None
    if active is not None:
        partner.active = active
    db.session.commit()
    click.echo(f"{authority_code} updated")



@partners_cli.command("fingerprint")
def our_fingerprint() -> None:
    """Print the SHA-256 fingerprint of JP-MOE's signing certificate (and announced ones),
    to give partners through a second channel; they compare it with GET
    /exchange/v1/certificate."""
    from flask import current_app

    from .keys import fingerprint, published_certificates

    for position, pem in enumerate(published_certificates(current_app)):
        role = "signing now" if position == 0 else "announced"
        click.echo(f"{fingerprint(pem)}  {role}")


@partners_cli.command("publish-codelists")
def publish_codelists() -> None:
    """Copy the code lists partners need from the reference data to xml_schemas/codelists/."""
    from .codelists import index, publish

    publish()
    for entry in index():
        click.echo(f"{entry['file']}: {entry['rows']} rows, version {entry['version'][:16]}…")

"""`flask partner-sim ...`: run a simulated partner authority against this system.

    flask --app wsgi partner-sim setup USA01 --country US --name "U.S. EPA (simulated)"
    flask --app wsgi partner-sim run USA01 --once      # answer notifications: ack + consent
    flask --app wsgi partner-sim notify USA01 US2026009001   # send an import notification
    flask --app wsgi partner-sim certify USA01 JP2026000005 1 --quantity 20

Its key pair and pull token live under instance/partner-sim/<CODE>/; `setup` registers it in
the partner registry (what an official does for a real partner).
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.timeutil import utcnow

from . import partners
from .keys import make_test_identity
from .simulator import HttpTransport, PartnerSimulator

partner_sim_cli = AppGroup("partner-sim", help="A simulated partner authority.")


def _folder(code: str) -> Path:
    return Path(current_app.instance_path) / "partner-sim" / code


def ensure_simulated_partner(code: str, country: str, name: str) -> tuple[bytes, bytes, str]:
    """Create (once) the simulator's identity and register it; returns key, cert, token."""
    folder = _folder(code)
    folder.mkdir(parents=True, exist_ok=True)
    key_file, cert_file, token_file = (folder / "key.pem", folder / "cert.pem",
                                       folder / "pull-token")
    if not key_file.exists():
        now = utcnow()
        key_pem, cert_pem = make_test_identity(f"{code} partner simulator", now - timedelta(1),
                                               now + timedelta(days=730))
        key_file.write_bytes(key_pem)
        key_file.chmod(0o600)
        cert_file.write_bytes(cert_pem)
    key_pem, cert_pem = key_file.read_bytes(), cert_file.read_bytes()
    partner = partners.by_authority(code) or partners.register(
        country=country, authority_code=code, name=name)
    known = {c.pem.strip() for c in partner.certificates}
    if cert_pem.decode().strip() not in known:
        partners.add_certificate(partner, cert_pem)
    if not token_file.exists() or partner.pull_token_hash is None:
        token_file.write_text(partners.new_pull_token(partner))
        token_file.chmod(0o600)
    db.session.commit()
    return key_pem, cert_pem, token_file.read_text().strip()


def simulator(code: str, base_url: str) -> PartnerSimulator:
    folder = _folder(code)
    if not (folder / "key.pem").exists():
        raise click.ClickException(f"run `flask partner-sim setup {code}` first")
    partner = partners.by_authority(code)
    cursor_file = folder / "cursor"
    sim = PartnerSimulator(code, partner.country_code,
                           HttpTransport(base_url, (folder / "pull-token").read_text().strip()),
                           (folder / "key.pem").read_bytes(), (folder / "cert.pem").read_bytes())
    sim.cursor = int(cursor_file.read_text()) if cursor_file.exists() else 0
    return sim


def _save_cursor(code: str, sim: PartnerSimulator) -> None:
    (_folder(code) / "cursor").write_text(str(sim.cursor))


BASE_URL = click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)


@partner_sim_cli.command("setup")
@click.argument("code")
@click.option("--country", required=True)
@click.option("--name", default=None)
def setup(code, country, name) -> None:
    ensure_simulated_partner(code, country.upper(), name or f"{code} (simulated partner)")
    click.echo(f"{code} ready; its files are in {_folder(code)}")


@partner_sim_cli.command("run")
@click.argument("code")
@BASE_URL
@click.option("--once", is_flag=True, help="Answer what is waiting, then stop.")
@click.option("--interval", default=10, show_default=True)
def run(code, base_url, once, interval) -> None:
    """Pull our messages and answer notifications (acknowledge, consent with conditions)."""
    sim = simulator(code, base_url)
    while True:
        sent = sim.answer_all()
        _save_cursor(code, sim)
        for item in sent:
            click.echo(f"sent {item.message_id}: HTTP {item.status} "
                       f"{' '.join(sim.error_codes(item))}")
        if once:
            break
        time.sleep(interval)


@partner_sim_cli.command("notify")
@click.argument("code")
@click.argument("number")
@BASE_URL
@click.option("--transit", is_flag=True, help="Japan as a State of transit (else import).")
def notify(code, number, base_url, transit) -> None:
    """Send a notification of waste PCBs into (or through) Japan."""
    sim = simulator(code, base_url)
    sent = sim.send(sim.notification(number, japan_role="transit" if transit else "import"))
    click.echo(f"HTTP {sent.status} {' '.join(sim.error_codes(sent))}")


@partner_sim_cli.command("certify")
@click.argument("code")
@click.argument("number")
@click.argument("seq", type=int)
@BASE_URL
@click.option("--total", default=None, type=int)
@click.option("--quantity", default="20")
def certify(code, number, seq, base_url, total, quantity) -> None:
    """Send the certificates of receipt and of recovery for shipment SEQ of NUMBER."""
    sim = simulator(code, base_url)
    today = sim.today()
    sequence = (seq, total or seq)
    for tree in (sim.receipt(number, sequence, today, Decimal(quantity),
                             approx_recovery=today + timedelta(days=14)),
                 sim.recovery(number, sequence, today)):
        sent = sim.send(tree)
        click.echo(f"HTTP {sent.status} {' '.join(sim.error_codes(sent))}")

"""`flask demo load` (idempotent) and `flask demo users` (printed by `make run` on start)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth.models import Organisation, User
from app.auth.passwords import hash_password
from app.cases import runner
from app.extensions import db
from app.timeutil import today_in_japan

from .samples import complete_export

demo_cli = AppGroup("demo", help="Demo organisations, users and cases.")

DEMO_PASSWORD = "demo-2026"

ORGANISATIONS = [
    # key, name, name_ja, kind, country, registration_no, authority_code
    ("moe", "Ministry of the Environment", "環境省", "authority", "JP", None, "JP-MOE"),
    ("meti", "Ministry of Economy, Trade and Industry", "経済産業省", "authority", "JP", None,
     "JP-METI"),
    ("customs", "Yokohama Customs", "横浜税関", "authority", "JP", None, None),
    ("pref", "Chiba Prefecture", "千葉県", "authority", "JP", None, None),
    ("exporter", "Tokyo E-Scrap Recycling K.K.", "東京イースクラップリサイクル株式会社",
     "company", "JP", "0100-01-123456", None),
    ("exporter2", "Osaka Metal Trading Co., Ltd.", "大阪メタルトレーディング株式会社",
     "company", "JP", "1200-01-654321", None),
    ("facility", "Kanto Smelting & Refining Co.", "関東製錬株式会社", "company", "JP",
     "0300-01-777777", None),
    ("epa", "U.S. Environmental Protection Agency", "米国環境保護庁", "authority", "US", None,
     "USA01"),
    ("admin", "Digital Agency – e-procedure operations", "デジタル庁 電子申請運用", "authority",
     "JP", None, None),
]

USERS = [
    # email, name, role, organisation key, country
    ("exporter@demo.example", "Yamada Taro", "exporter", "exporter", None),
    ("exporter2@demo.example", "Nakamura Aoi", "exporter", "exporter2", None),
    ("facility@demo.example", "Kobayashi Ren", "facility", "facility", None),
    ("moe@demo.example", "Tanaka Yui", "official_moe", "moe", None),
    ("meti@demo.example", "Ito Haruto", "official_meti", "meti", None),
    ("customs@demo.example", "Watanabe Sho", "customs", "customs", None),
    ("prefecture@demo.example", "Kato Mei", "prefecture", "pref", None),
    ("partner-us@demo.example", "Jordan Lee", "partner_agency", "epa", "US"),
    ("admin@demo.example", "Admin Operator", "admin", "admin", None),
]


def _organisations() -> dict[str, Organisation]:
    orgs = {}
    for key, name, name_ja, kind, country, reg, code in ORGANISATIONS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            org = Organisation(name=name, name_ja=name_ja, kind=kind, country_code=country,
                               registration_no=reg, authority_code=code,
                               address="1-1 Kasumigaseki, Chiyoda-ku, Tokyo" if country == "JP"
                               else "Washington, DC", tel="03-5555-0100",
                               email=f"info@{key}.demo.example", contact_person=None)
            db.session.add(org)
        orgs[key] = org
    return orgs


def _users(orgs) -> dict[str, User]:
    users = {}
    for email, name, role, org_key, country in USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role, organisation=orgs[org_key],
                        country_code=country, password_hash=hash_password(DEMO_PASSWORD))
            db.session.add(user)
        users[email.split("@")[0]] = user
    db.session.commit()
    return users


def fire(case, event, actor, **payload):
    return runner.fire(case.id, event, actor=actor, payload=payload)


def _cases(u: dict[str, User]) -> None:
    """Cases in different states, each moved by the real runner as its actors would."""
    exporter, moe, meti = u["exporter"], u["moe"], u["meti"]
    today = today_in_japan()

    from app.basel import operations

    operations.create_draft(exporter)  # an empty draft to fill
    submitted = complete_export(exporter, country="KR", quantity="48", shipments=4)
    fire(submitted, "submit", exporter)

    returned = complete_export(u["exporter2"], country="US", waste="battery", shipments=1,
                               quantity="18")
    fire(returned, "submit", u["exporter2"])
    fire(returned, "start_review", moe)
    fire(returned, "return_for_correction", moe,
         reason="Block 14: give the UN number and check the H-codes against the SDS.")

    acknowledged = complete_export(exporter, country="US", quantity="240", shipments=12)
    fire(acknowledged, "submit", exporter)
    fire(acknowledged, "start_review", moe)
    fire(acknowledged, "approve_transmission", moe)
    fire(acknowledged, "record_acknowledgement", moe, country="US",
         received_on=today.isoformat())

    canada = _simulated_partner("CA-ECCC", "CA", "Environment and Climate Change Canada",
                                "America/Vancouver")
    consented = complete_export(exporter, country="CA", quantity="96", shipments=8)
    fire(consented, "submit", exporter)
    fire(consented, "start_review", moe)
    fire(consented, "confirm_contract", moe)
    fire(consented, "approve_transmission", moe)
    # the notification reaches the simulated Canadian authority, which consents by signed XML
    canada.answer_all(conditions="Shipments only through the Port of Vancouver.")

    active = complete_export(exporter, country="US", quantity="60", shipments=3)
    fire(active, "submit", exporter)
    fire(active, "start_review", moe)
    fire(active, "approve_transmission", moe)
    fire(active, "record_acknowledgement", moe, country="US",
         received_on=(today - timedelta(days=20)).isoformat())
    fire(active, "record_consent", moe, country="US",
         received_on=(today - timedelta(days=10)).isoformat(),
         valid_from=(today - timedelta(days=5)).isoformat(),
         valid_to=(today + timedelta(days=300)).isoformat(), document=_document("AOC-US.pdf"))
    fire(active, "confirm_contract", moe)
    fire(active, "record_export_approval", meti, approval_no="METI-B-2026-0042",
         approval_date=today.isoformat())
    _shipments(active, exporter, today)
    _partner_cases(moe, meti, u["facility"], today)
    _exchanged_by_xml(exporter, moe, today)
    from .export_checks import load_export_checks  # used-product export checks (issue 14)

    load_export_checks(exporter, moe)


def _exchanged_by_xml(exporter, moe, today) -> None:
    """The simulated US EPA (its own key pair, registered as partner USA01) answers a new
    export to the US by signed XML, and notifies an import into Japan by XML."""
    sim = _simulated_partner("USA01", "US", "U.S. Environmental Protection Agency",
                             "America/New_York")
    case = complete_export(exporter, country="US", quantity="75", shipments=5)
    fire(case, "submit", exporter)
    fire(case, "start_review", moe)
    fire(case, "confirm_contract", moe)
    fire(case, "approve_transmission", moe)
    sim.answer_all(conditions="Each shipment through the Port of Long Beach; certificate of "
                              "recovery within 30 days of completion.")
    sim.send(sim.notification(f"US{today.year}005001"))


def _simulated_partner(code: str, country: str, name: str, zone: str):
    """A partner authority played by the simulator (its own key pair, registered like a real
    partner), talking to this app through the test client."""
    from flask import current_app

    from app.exchange.simulator import ClientTransport, PartnerSimulator
    from app.exchange.simulator_cli import ensure_simulated_partner

    key_pem, cert_pem, token = ensure_simulated_partner(code, country, name)
    sim = PartnerSimulator(code, country, ClientTransport(current_app.test_client(), token),
                           key_pem, cert_pem, zone=zone)
    sim.cursor = _latest_cursor()
    return sim


def _latest_cursor() -> int:
    from sqlalchemy import func

    from app.exchange.models import ExchangeMessage

    return db.session.scalar(select(func.coalesce(func.max(ExchangeMessage.id), 0)))


def _shipments(notification, exporter, today) -> None:
    """Two shipments of the active export: one at the facility, one announced."""
    from app.basel.shipment_ops import prepare_shipment

    def md(days: int, quantity: str) -> dict:
        return {"actual_quantity": quantity, "quantity_unit": "t", "packages": 12,
                "packaging": ["4"], "shipment_date": (today + timedelta(days=days)).isoformat(),
                "expected_arrival": (today + timedelta(days=days + 14)).isoformat()}

    first = prepare_shipment(notification.id, md(-4, "20"), exporter)
    runner.fire(first.id, "announce", actor=exporter)
    runner.fire(first.id, "depart", actor=exporter, payload={
        "carrier_name": "Nippon Freight Logistics", "transport_mode": "S",
        "transferred_on": (today - timedelta(days=4)).isoformat(), "signed_by": "Suzuki Ken"})
    second = prepare_shipment(notification.id, md(3, "20"), exporter)
    runner.fire(second.id, "announce", actor=exporter)


def _partner_cases(moe, meti, facility, today) -> None:
    """An active import from Taiwan with one shipment on its way to the Japanese facility,
    an import from the US awaiting acknowledgement, and a transit case."""
    from app.basel.shipment_ops import prepare_shipment

    from .partner_samples import register_import

    register_import(moe, number="US2026004711", country="US")
    imported = register_import(moe, number="TW2026000318", country="TW")
    runner.fire(imported.id, "acknowledge", actor=moe)
    runner.fire(imported.id, "consent", actor=moe, payload={
        "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=300)).isoformat(),
        "conditions": "Only the Onahama smelter; report each receipt within 3 business days."})
    runner.fire(imported.id, "record_import_approval", actor=meti, payload={
        "approval_no": "METI-I-2026-0107", "approval_date": today.isoformat()})
    shipment = prepare_shipment(imported.id, {
        "actual_quantity": "10", "quantity_unit": "t", "packages": 20, "packaging": ["5"],
        "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=6)).isoformat()}, moe)
    runner.fire(shipment.id, "announce", actor=moe)
    runner.fire(shipment.id, "depart", actor=moe, payload={
        "carrier_name": "Evergreen Line", "transport_mode": "S",
        "transferred_on": today.isoformat(), "signed_by": "Capt. Chen"})
    register_import(moe, number="TW2026000402", country="TW", case_type="basel_transit")


def _document(name: str):
    from app.cases.uploads import Upload

    from .samples import PDF

    return Upload(name, "application/pdf", PDF)


@demo_cli.command("load")
def load() -> None:
    """Create the demo organisations, users and cases (once; later runs change nothing)."""
    already = db.session.scalar(select(User).where(User.email == USERS[0][0])) is not None
    users = _users(_organisations())
    from .yards import load as load_yards

    load_yards()  # on its own once: also into demo data loaded before the yards existed
    if already:
        click.echo("demo data already present")
        return
    _cases(users)
    click.echo("demo data loaded")


@demo_cli.command("users")
def users() -> None:
    """Print the demo accounts."""
    click.echo(f"Demo users (password for all: {DEMO_PASSWORD})")
    for email, name, role, org_key, country in USERS:
        org = next(o for o in ORGANISATIONS if o[0] == org_key)[1]
        suffix = f" [{country}]" if country else ""
        click.echo(f"  {role:<15} {email:<28} {name} – {org}{suffix}")
    from .yards import USERS as YARD_USERS

    for email, name, role, org in YARD_USERS:
        click.echo(f"  {role:<15} {email:<28} {name} – {org}")

"""A complete used-product export check, filed through the real operations and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.cases import runner
from app.cases.models import Case
from app.cases.uploads import Upload
from app.export_checks import operations
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import make_org, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32
REQUEST = {
    "destination_country": "VN", "buyer_name": "Saigon Second-hand Trading",
    "buyer_address": "1 Le Loi, Ho Chi Minh City", "port_of_loading": "Yokohama",
    "container_no": "MSCU1234565", "loading_method": "palletised",
    "age_appearance_note": "Photos of every pallet; no damage.",
    "packaging_note": "Each unit in its carton, strapped on pallets.",
    "trade_document_ref": "INV-2026-117", "market_note": "Sold through 40 shops in Vietnam.",
}


def units_csv(*rows: str) -> bytes:
    return ("line,serial,power_on,function_test,cosmetic_grade\n" + "\n".join(rows)
            + "\n").encode()


def fresh(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def version(case_id: int) -> int:
    return fresh(case_id).version


@pytest.fixture
def people(app):
    exporter = make_user("exporter", make_org("Kanto Reuse Exports"))
    return {"exporter": exporter, "colleague": make_user("exporter", exporter.organisation),
            "other": make_user("exporter", make_org("Other Trading")),
            "moe": make_user("official_moe"), "customs": make_user("customs"),
            "meti": make_user("official_meti")}


def file_check(exporter, lines=(("PC_LAPTOP", "ThinkPad X1", 2) ,), units=None,
               **request) -> Case:
    """A complete draft: the consignment, lines made two years ago, a passed test per unit."""
    case = operations.create_draft(exporter)
    year = today_in_japan().year - 2
    data = {**REQUEST, "planned_shipment_date": (today_in_japan() + timedelta(days=20))
            .isoformat(), **request}
    operations.save_request(case.id, data, exporter, version(case.id))
    for product_type, model, quantity in lines:
        operations.add_line(case.id, {"product_type": product_type, "model": model,
                                      "year": str(year), "quantity": str(quantity)},
                            exporter, version(case.id))
    rows = units or [f"{n},{model[:2]}-{n}-{u},yes,passed,B"
                     for n, (_t, model, quantity) in enumerate(lines, start=1)
                     for u in range(quantity)]
    operations.upload_units(case.id, units_csv(*rows), exporter, version(case.id))
    return fresh(case.id)


def submit(case, exporter) -> Case:
    runner.fire(case.id, "submit", actor=exporter, expected_version=version(case.id))
    return fresh(case.id)


def review(case, moe) -> Case:
    runner.fire(case.id, "start_review", actor=moe, expected_version=version(case.id))
    return fresh(case.id)


def decide(case, moe, decisions: dict[int, str]) -> None:
    for seq, decision in decisions.items():
        operations.decide_line(case.id, seq, {"decision": decision,
                                              "reason": "Broken casings" if decision ==
                                              "refused" else ""}, moe, version(case.id))


def confirmed(people, lines=(("PC_LAPTOP", "ThinkPad X1", 2),), days=30) -> Case:
    case = review(submit(file_check(people["exporter"], lines), people["exporter"]),
                  people["moe"])
    decide(case, people["moe"], {n: "accepted" for n in range(1, len(lines) + 1)})
    runner.fire(case.id, "confirm", actor=people["moe"], expected_version=version(case.id),
                payload={"valid_until": (today_in_japan() + timedelta(days=days)).isoformat()})
    return fresh(case.id)


__all__ = ["PNG", "REQUEST", "Upload", "confirmed", "decide", "file_check", "fresh", "review",
           "submit", "units_csv", "version"]

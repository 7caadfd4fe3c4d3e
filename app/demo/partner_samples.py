"""Import and transit notifications as MOE registers and completes them from the partner's
documents — used by the demo data and by tests."""

from __future__ import annotations

from datetime import date, timedelta

from app.basel import operations
from app.basel.shipment_ops import register_partner_notification
from app.cases.uploads import Upload
from app.timeutil import today_in_japan

from .samples import PDF

FOREIGN_EXPORTER = {"registration_no": "TW-88341", "name": "Formosa E-Waste Trading Co.",
                    "address": "12 Harbour Rd, Kaohsiung", "country_code": "TW",
                    "contact_person": "Lin Mei", "tel": "+886 7 555 0101",
                    "email": "export@formosa-ewaste.example"}
JAPANESE_FACILITY = {"registration_no": "0300-01-777777", "name": "Kanto Smelting & Refining Co.",
                     "address": "1-1 Onahama, Iwaki, Fukushima", "country_code": "JP",
                     "contact_person": "Kobayashi Ren", "tel": "0246-55-0101",
                     "email": "basel@kanto-smelting.example", "site": "Onahama smelter"}


def register_import(moe, *, number: str, country: str = "TW", received_on: date | None = None,
                    case_type: str = "basel_import"):
    """Register and fill a partner's notification so it is complete for acknowledgement."""
    today = today_in_japan()
    case = register_partner_notification(
        moe, case_type=case_type, number=number, export_country=country,
        received_on=received_on or today,
        document=Upload("notification.pdf", "application/pdf", PDF))
    version = lambda: _version(case)  # noqa: E731
    first = today + timedelta(days=30)
    route = {"transport_mode": ["S"], "exit_point": "Port of Kaohsiung",
             "export_authority": "TW-EPA", "entry_point": "Port of Onahama"}
    if case_type == "basel_transit":
        route.update(import_country="KR", import_authority="KR-ME", entry_point="Port of Busan",
                     transits=[{"country_code": "JP", "entry_point": "Port of Moji",
                                "exit_point": "Port of Moji"}])
    operations.save_sections(case.id, {
        "shipment": {"notification_type": "general", "intended_shipments": 4,
                     "total_quantity": "40", "quantity_unit": "t",
                     "first_departure": first.isoformat(),
                     "last_departure": (first + timedelta(days=200)).isoformat(),
                     "packaging": ["5"], "insurance": "Cathay cargo insurance 2026-77"},
        "waste": {"operation_code": "R4", "technology": "Copper smelting",
                  "reason_for_export": "Recovery of copper and precious metals",
                  "waste_designation": "Electronic component scrap",
                  "waste_composition": "Cu 18%, Au trace, resin", "generating_process":
                  "Manufacturing scrap of PCB assembly", "physical": ["2"],
                  "basel_viii": ["A1181"], "h_code": ["H11"], "hs": ["8549.21"]},
        "route": route,
    }, moe, version())
    facility = JAPANESE_FACILITY if case_type == "basel_import" else {
        **JAPANESE_FACILITY, "registration_no": "KR-2019-00871", "country_code": "KR",
        "name": "Hanbit Precious Metals Co., Ltd.", "address": "Busan", "site": "Busan"}
    for role, data in (("exporter", FOREIGN_EXPORTER), ("importer", facility),
                       ("facility", facility),
                       ("generator", {**FOREIGN_EXPORTER, "site": "Kaohsiung plant"}),
                       ("carrier", {**FOREIGN_EXPORTER, "name": "Evergreen Line",
                                    "transport_mode": "S"})):
        operations.save_party(case.id, role, None, data, moe, version())
    return case


def _version(case) -> int:
    from app.cases.models import Case
    from app.extensions import db

    return db.session.get(Case, case.id).version

"""A complete, realistic export notification, filled through the same operations the forms use.

Used by the demo data and by tests that need a notification ready to submit.
"""

from __future__ import annotations

from datetime import timedelta

from app.basel import operations
from app.basel.models import ENGLISH_TWINS
from app.cases.uploads import Upload
from app.timeutil import today_in_japan

#: partner facilities and authorities by import country
PARTNERS = {
    "US": {"authority": "USA01", "entry": "Port of Los Angeles", "facility": {
        "registration_no": "CAD000123456", "name": "Pacific Metals Recovery Inc.",
        "address": "1200 Harbor Ave, Long Beach, CA 90802", "country_code": "US",
        "contact_person": "Dana Miller", "tel": "+1 562 555 0100",
        "email": "permits@pacificmetals.example", "site": "Long Beach smelter, CA"}},
    "KR": {"authority": "KR-ME", "entry": "Port of Busan", "facility": {
        "registration_no": "KR-2019-00871", "name": "Hanbit Precious Metals Co., Ltd.",
        "address": "55 Sinhang-ro, Busan", "country_code": "KR",
        "contact_person": "Kim Ji-won", "tel": "+82 51 555 0199",
        "email": "trade@hanbit.example", "site": "Busan refinery"}},
    "CA": {"authority": "CA-ECCC", "entry": "Port of Vancouver", "facility": {
        "registration_no": "BC-44120", "name": "Northern Recycling Smelter Ltd.",
        "address": "800 Marine Dr, Vancouver BC", "country_code": "CA",
        "contact_person": "Alex Tremblay", "tel": "+1 604 555 0142",
        "email": "tfs@northernsmelter.example", "site": "Trail, BC"}},
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fill_export(case, user, *, country: str = "US", quantity: str = "120.5",
                shipments: int = 6, waste: str = "pcb", english: bool = True) -> None:
    """Fill every section of a draft so that it is complete (`english`: with the English
    versions a partner authority reads)."""
    partner = PARTNERS[country]
    first = today_in_japan() + timedelta(days=45)
    version = lambda: _version(case)  # noqa: E731 - each save bumps the version
    operations.save_sections(case.id, {
        "shipment": {"notification_type": "general" if shipments > 1 else "single",
                     "intended_shipments": shipments, "total_quantity": quantity,
                     "quantity_unit": "t", "first_departure": first.isoformat(),
                     "last_departure": (first + timedelta(days=300)).isoformat(),
                     "packaging": ["4", "5"], "special_handling": False,
                     "insurance": "Tokio Marine cargo policy TM-2026-118 covers transport"},
        "waste": _waste(waste, english),
        "route": {"transport_mode": ["R", "S"], "exit_point": "Port of Yokohama",
                  "customs_office_exit": "Yokohama Customs", "import_country": country,
                  "import_authority": partner["authority"], "entry_point": partner["entry"],
                  "transits": []},
    }, user, version())
    for role, data in (
        ("importer", partner["facility"]),
        ("facility", partner["facility"]),
        ("generator", {"name": "Saitama Electronics Dismantling K.K.",
                       "address": "1-2-3 Omiya, Saitama", "country_code": "JP",
                       "contact_person": "Sato Hanako", "tel": "048-555-0123",
                       "email": "sato@saitama-ed.example", "site": "Omiya dismantling plant"}),
        ("carrier", {"name": "Nippon Freight Logistics", "address": "Yokohama",
                     "country_code": "JP", "contact_person": "Suzuki Ken",
                     "tel": "045-555-0177", "email": "ops@nfl.example",
                     "transport_mode": "S"}),
    ):
        operations.save_party(case.id, role, None, data, user, version())
    for kind, name in (("contract", "contract.pdf"), ("esm_info", "esm-information.pdf")):
        operations.add_attachment(case.id, kind, Upload(name, "application/pdf", PDF), user,
                                  version())
    operations.save_section(case.id, "declaration",
                            {"declaration_name": user.name, "accept": True}, user, version())


def _waste(kind: str, english: bool = True) -> dict:
    """The waste section, its texts written in English and given as their English version too
    (a partner authority reads the English: Basel Convention Art. 6(1))."""
    data = _waste_texts(kind)
    if english:
        data.update({twin: data[name] for name, twin in ENGLISH_TWINS.items()})
    return data


def _waste_texts(kind: str) -> dict:
    if kind == "battery":
        return {"operation_code": "R4", "technology": "Hydrometallurgical recovery of Pb",
                "reason_for_export": "No domestic capacity for this battery chemistry",
                "waste_designation": "Waste lead-acid batteries, whole",
                "waste_composition": "Lead 65%, sulphuric acid residues, polypropylene",
                "generating_process": "Collection of end-of-life vehicle batteries",
                "physical": ["2"], "basel_viii": ["A1160"], "y_code": ["Y31", "Y34"],
                "h_code": ["H8", "H6.1"], "un_class": ["8"], "hs": ["8549.11"],
                "un_number": "UN2794"}
    return {"operation_code": "R4", "technology": "Copper smelting with precious metal recovery",
            "reason_for_export": "Raw material for recycling at the facility (Art. 4(9)(b))",
            "waste_designation": "Waste printed circuit boards from PCs and servers",
            "waste_composition": "Cu 20%, Fe 8%, Sn 3%, Au 0.02%, epoxy resin and glass fibre",
            "generating_process": "Dismantling of used IT equipment",
            "physical": ["2"], "basel_viii": ["A1181"], "y_code": ["Y31"],
            "h_code": ["H11"], "hs": ["8549.21"]}


def _version(case) -> int:
    from app.cases.models import Case
    from app.extensions import db

    return db.session.get(Case, case.id).version


def complete_export(user, **kwargs):
    case = operations.create_draft(user)
    fill_export(case, user, **kwargs)
    return case

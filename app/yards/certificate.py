"""The permit certificate (Japanese, English) as a PDF, through the engine's document store
(app/documents): issued once per case version and served again byte for byte, so the
certificate as granted stays available after a renewal or a change. The template receives
plain values only."""

from __future__ import annotations

from app.cases.audience import DOMESTIC
from app.documents.kinds import DocumentKind, register_kind
from app.extensions import db
from app.reference import lookups
from app.templating import locale_code
from workflows.base import N_

from .models import YardApplication
from .standards import standard_by_code


def _unavailable(case) -> str | None:
    application = db.session.get(YardApplication, case.id)
    if application is None or application.permit_no is None:
        return N_("The permit certificate is issued once the prefecture has granted the permit.")
    return None


def _build(case) -> dict:
    application = db.session.get(YardApplication, case.id)
    locale = locale_code()
    standard = standard_by_code(application.standard_set) if application.standard_set else None
    prefecture = lookups.find("jp_prefecture", application.prefecture_code or "")
    return {
        "permit": {
            "number": application.permit_no, "operator": application.operator_name,
            "operator_address": application.operator_address,
            "corporate_no": application.corporate_no, "site": application.site_address,
            "prefecture": prefecture.label(locale) if prefecture else "",
            "valid_from": application.valid_from, "valid_to": application.valid_to,
            "conditions": application.conditions,
            "standard": standard.label(locale) if standard else "",
            "standard_source": standard.source if standard else "",
            "areas": [{"label": a.label,
                       "material": (m.label(locale) if (m := lookups.find(
                           "yard_material", a.material)) else a.material),
                       "area_m2": a.area_m2, "height": a.max_pile_height_m,
                       "capacity": a.capacity_t} for a in application.areas],
            "state": case.state,
        },
    }


#: the operator and the officials; the public register shows the permit, not the certificate
PERMIT_CERTIFICATE = DocumentKind(
    name="yard_permit", title=N_("Scrap-yard permit certificate"),
    heading=N_("Scrap-yard permit certificate"), case_types=("scrap_yard",), audience=DOMESTIC,
    unavailable=_unavailable, build=_build)


def install() -> None:
    register_kind(PERMIT_CERTIFICATE)

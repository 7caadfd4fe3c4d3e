"""The permit certificate (Japanese, English) as a PDF, through the engine's WeasyPrint
renderer with its restrictive fetcher; the template receives plain values only."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from app.documents import formatting as fmt
from app.documents.fetcher import CSS_URL
from app.documents.render import render_pdf
from app.reference import lookups
from app.timeutil import utcnow

from .models import YardApplication
from .standards import standard_by_code

LANGUAGES = ("ja", "en")


def _context(case, application: YardApplication, locale: str) -> dict:
    standard = standard_by_code(application.standard_set) if application.standard_set else None
    prefecture = lookups.find("jp_prefecture", application.prefecture_code or "")
    return {
        "doc": {"kind": "yard_permit", "title": _("Scrap-yard permit certificate"),
                "heading": _("Scrap-yard permit certificate"), "css_url": CSS_URL,
                "number": application.permit_no, "version": case.version,
                "generated": fmt.moment_jst(utcnow()), "locale": locale},
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


def certificate_pdf(case, application: YardApplication, locale: str) -> bytes:
    with force_locale(locale):
        return render_pdf("yard_permit.html", _context(case, application, locale))

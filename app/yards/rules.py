"""The storage standards as plausibility rules: each storage area and the site against the
standard set in force (app/yards/standards.py).

A rule reads its limit from the set; a set that fixes no such limit (the nationwide
notification-regime standard fixes no pile area) yields nothing. Every finding names the set
it comes from, and the law makes each of them binding: they block the filing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from app.cases.plausibility import Finding, Rule, register_rules
from app.extensions import db
from workflows.base import N_

from .models import StorageArea, YardApplication
from .standards import StandardSet, standard_for

CASE_TYPE = "scrap_yard"
#: where the limits come from; each finding names the exact standard set (its id)
SOURCE = "Storage standard in force: prefectural ordinance, else Waste Management Act Art. 17-2"


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _setting(case, on: date) -> tuple[YardApplication | None, StandardSet | None]:
    application = db.session.get(YardApplication, case.id)
    if application is None:
        return None, None
    return application, standard_for(application.prefecture_code, on)


def _area_rule(key: str, attribute: str, too_high: bool, message: str):
    """A rule comparing one value of every storage area with the set's limit `key`."""
    def check(case, on: date) -> Iterator[Finding]:
        application, standard = _setting(case, on)
        limit = standard.limit(key) if standard else None
        if limit is None:
            return
        for area in application.areas:
            value = getattr(area, attribute)
            if value is not None and (value > limit if too_high else value < limit):
                yield _area_finding(area, attribute, message, value, limit, standard)
    return check


def _area_finding(area: StorageArea, attribute: str, message: str, value, limit,
                  standard: StandardSet) -> Finding:
    return Finding(f"yards.{attribute}", f"areas.{area.label}.{attribute}", message,
                   (("area", area.label), ("value", _num(value)), ("limit", _num(limit)),
                    ("standard", standard.code)), "warning", standard.code)


def _site_rule(key: str, attribute: str, message: str):
    """A rule comparing one value of the site with the set's minimum `key`."""
    def check(case, on: date) -> Iterator[Finding]:
        application, standard = _setting(case, on)
        limit = standard.limit(key) if standard else None
        value = getattr(application, attribute) if application else None
        if limit is not None and value is not None and value < limit:
            yield Finding(f"yards.{attribute}", f"site.{attribute}", message,
                          (("value", _num(value)), ("limit", _num(limit)),
                           ("standard", standard.code)), "warning", standard.code)
    return check


def _signboard(case, on: date) -> Iterator[Finding]:
    application, standard = _setting(case, on)
    minimum = standard.min_sign_cm if standard else None
    if minimum is None or application.sign_width_cm is None or application.sign_height_cm is None:
        return
    if application.sign_width_cm < minimum[0] or application.sign_height_cm < minimum[1]:
        yield Finding("yards.signboard", "measures.sign_width_cm",
                      N_("The signboard ({width} cm × {height} cm) is smaller than "
                         "{min_width} cm × {min_height} cm."),
                      (("width", _num(application.sign_width_cm)),
                       ("height", _num(application.sign_height_cm)),
                       ("min_width", _num(minimum[0])), ("min_height", _num(minimum[1])),
                       ("standard", standard.code)), "warning", standard.code)


def _lithium_ion_fire(case, on: date) -> Iterator[Finding]:
    """Lithium-ion batteries need separation and fire detection where the set requires
    fire-prevention measures."""
    application, standard = _setting(case, on)
    if not standard or not standard.limits.get("lib_fire_measures_required"):
        return
    if not any(a.material == "lithium_ion_batteries" for a in application.areas):
        return
    if not application.lib_detection:
        yield Finding("yards.lib_fire", "measures.lib_detection",
                      N_("Lithium-ion batteries are stored but no fire detection is declared."),
                      (("standard", standard.code),), "warning", standard.code)


def _enclosure(case, on: date) -> Iterator[Finding]:
    application, standard = _setting(case, on)
    if standard and standard.limits.get("enclosure_required") and application \
            and application.enclosure is not None and not application.enclosure.strip():
        yield Finding("yards.enclosure", "measures.enclosure",
                      N_("The standard requires an enclosure around the storage areas."),
                      (("standard", standard.code),), "warning", standard.code)


RULES = [
    Rule("yards.max_pile_height_m", N_("Pile height within the limit"), SOURCE,
         _area_rule("max_pile_height_m", "max_pile_height_m", True,
                    N_("Storage area {area}: pile height {value} m is above the limit of "
                       "{limit} m.")), blocks_submission=True),
    Rule("yards.area_m2", N_("Pile area within the limit"), SOURCE,
         _area_rule("max_pile_area_m2", "area_m2", True,
                    N_("Storage area {area}: pile area {value} m² is above the limit of "
                       "{limit} m².")), blocks_submission=True),
    Rule("yards.spacing_m", N_("Distance between piles"), SOURCE,
         _area_rule("min_pile_spacing_m", "spacing_m", False,
                    N_("Storage area {area}: {value} m to the next pile is less than "
                       "{limit} m.")), blocks_submission=True),
    Rule("yards.housing_distance_m", N_("Distance to housing"), SOURCE,
         _site_rule("min_housing_distance_m", "housing_distance_m",
                    N_("The site is {value} m from the nearest housing, less than "
                       "{limit} m.")), blocks_submission=True),
    Rule("yards.briefing_radius_m", N_("Residents' briefing radius"), SOURCE,
         _site_rule("briefing_radius_m", "briefing_radius_m",
                    N_("The residents' briefing covered {value} m around the site, less "
                       "than {limit} m.")), blocks_submission=True),
    Rule("yards.signboard", N_("Signboard size"), SOURCE, _signboard,
         blocks_submission=True),
    Rule("yards.enclosure", N_("Enclosure"), SOURCE, _enclosure,
         blocks_submission=True),
    Rule("yards.lib_fire", N_("Fire prevention for lithium-ion batteries"), SOURCE,
         _lithium_ion_fire, blocks_submission=True),
]


def register() -> None:
    register_rules(CASE_TYPE, RULES)

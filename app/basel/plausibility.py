"""The Basel procedure's plausibility rules: does the filed notification add up?

Each rule names the law or standard it stands on. Rules that the law makes binding refuse the
event they are bound to (submission, recording a partner's answer, confirming a receipt);
the others are warnings the reviewing official reads and marks checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.calendars.working_days import add_period
from app.cases.deadlines import open_deadlines
from app.cases.plausibility import Finding, Rule, register_rules
from app.extensions import db
from app.reference import lookups
from workflows.base import N_

from . import consent
from .models import AuthorityResponse, BaselNotification
from .regime import regime_of
from .shipments import Shipment

NOTIFICATION_TYPES = ("basel_export", "basel_import", "basel_transit")
#: the events at which Japan records a partner authority's dated answer
ANSWER_EVENTS = ("record_acknowledgement", "record_consent", "record_objection",
                 "record_information_request")


def _n(case) -> BaselNotification | None:
    return db.session.get(BaselNotification, case.id)


def _finding(field: str, message: str, **params) -> Finding:
    return Finding("", field, message, tuple((k, str(v)) for k, v in params.items()))


# --- dates of the partners' answers ----------------------------------------------------------
def future_answers(case, on: date) -> Iterator[Finding]:
    """An answer dated after today, and the tacit-consent deadline computed from it."""
    rows = db.session.scalars(select(AuthorityResponse).where(
        AuthorityResponse.case_id == case.id, AuthorityResponse.received_on > on,
        AuthorityResponse.kind.in_(("acknowledgement", "consent", "objection",
                                    "information_request"))))
    tacit = {d.country_code: d for d in open_deadlines(case) if d.kind == "tacit_consent"}
    for row in rows:
        country = row.state.country_code
        if country in tacit:
            yield _finding("answers.received_on", N_(
                "The answer of {country} is dated {day}, after today ({today}); the "
                "tacit-consent deadline {due} computed from it is wrong."),
                country=country, day=row.received_on, today=on,
                due=tacit[country].due_at.date())
        else:
            yield _finding("answers.received_on", N_(
                "The answer of {country} is dated {day}, after today ({today})."),
                country=country, day=row.received_on, today=on)


# --- planned departures --------------------------------------------------------------------
def _max_validity(n: BaselNotification, on: date):
    key = "pre_consented_max_validity" if n.pre_consented else "consent_max_validity"
    try:
        return lookups.rule("OECD" if n.pre_consented else regime_of(n, on), key, on)
    except lookups.MissingRule:
        return None


def departure_horizon(case, on: date) -> Iterator[Finding]:
    """The intended period fits in what one consent may cover, counted from today."""
    n = _n(case)
    if n is None or n.first_departure is None or n.last_departure is None:
        return
    rule = _max_validity(n, on)
    if rule is None:
        return
    if n.last_departure > add_period(n.first_departure, rule.amount, rule.unit, "JP"):
        yield _finding("shipment.last_departure", N_(
            "The shipments are planned over more than {months} months, longer than a "
            "consent may run."), months=rule.amount)
    elif n.last_departure > add_period(on, rule.amount, rule.unit, "JP"):
        yield _finding("shipment.last_departure", N_(
            "The last departure ({day}) is more than {months} months ahead."),
            day=n.last_departure, months=rule.amount)


def departure_outside_consent(case, on: date) -> Iterator[Finding]:
    """The intended period lies within the consents recorded."""
    n = _n(case)
    window = consent.consent_window(case, n) if n is not None else None
    if window is None or n.first_departure is None or n.last_departure is None:
        return
    if n.first_departure < window[0] or n.last_departure > window[1]:
        yield _finding("shipment.first_departure", N_(
            "The planned departures ({first} – {last}) are outside the consent period "
            "({start} – {end})."), first=n.first_departure, last=n.last_departure,
            start=window[0], end=window[1])


# --- codes -----------------------------------------------------------------------------------
def _has(n: BaselNotification, scheme: str, code: str) -> bool:
    codes = n.codes_in(scheme)
    return bool(codes) if code == "*" else code in codes


def incompatible_codes(case, on: date) -> Iterator[Finding]:
    """Pairs of codes that cannot describe one waste together (reference list)."""
    n = _n(case)
    if n is None:
        return
    for pair in lookups.codes("code_incompatibility", on):
        a, b = pair.attributes["a"], pair.attributes["b"]
        if _has(n, a["scheme"], a["code"]) and _has(n, b["scheme"], b["code"]):
            yield _finding(f"waste.{a['scheme']}", N_(
                "The codes {codes} cannot describe one waste together: {why}"),
                codes=pair.code.replace("+", " + ").replace("*", "…"),
                why=pair.label(_locale()))


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "ja")


def operation_not_licensed(case, on: date) -> Iterator[Finding]:
    """The notified operation is one the facility's licence covers."""
    n = _n(case)
    if n is None or not n.operation_code:
        return
    for facility in n.parties_in("facility"):
        licensed = [c.strip() for c in (facility.licensed_operations or "").split(",")
                    if c.strip()]
        if licensed and n.operation_code not in licensed:
            yield _finding("waste.operation_code", N_(
                "The operation {operation} is not among the facility's licensed operations "
                "({licensed})."), operation=n.operation_code, licensed=", ".join(licensed))


# --- parties and route -----------------------------------------------------------------------
def party_countries(case, on: date) -> Iterator[Finding]:
    """Importer and facility are in the State of import."""
    n = _n(case)
    state = n.import_state if n is not None else None
    if state is None:
        return
    messages = {
        "importer": N_("The importer is in {country}, but the State of import is "
                       "{import_country}."),
        "facility": N_("The facility is in {country}, but the State of import is "
                       "{import_country}.")}
    for role, message in messages.items():
        for party in n.parties_in(role):
            if party.country_code and party.country_code != state.country_code:
                yield _finding(f"parties.{role}-{party.seq}-country_code", message,
                               country=party.country_code, import_country=state.country_code)


def authority_codes(case, on: date) -> Iterator[Finding]:
    """Each State's competent authority is one of that country's authorities."""
    n = _n(case)
    if n is None:
        return
    for state in n.states:
        if not state.authority_code:
            continue
        row = lookups.find("competent_authority", state.authority_code, on)
        if row is None:
            yield _finding("route.authorities", N_(
                "The competent authority {code} of {country} is not in the list of "
                "competent authorities."), code=state.authority_code,
                country=state.country_code)
        elif row.attributes.get("country") != state.country_code:
            yield _finding("route.authorities", N_(
                "The competent authority {code} belongs to {other}, not to {country}."),
                code=state.authority_code, other=row.attributes.get("country"),
                country=state.country_code)


def transit_route(case, on: date) -> Iterator[Finding]:
    """Transit States are other than export and import, each once, with entry and exit."""
    n = _n(case)
    if n is None:
        return
    ends = {s.country_code for s in n.states if s.role in ("export", "import")}
    seen: set[str] = set()
    for state in n.states_in("transit"):
        if state.country_code in ends or state.country_code in seen:
            yield _finding("route.transits", N_(
                "{country} is listed as a State of transit and again on the route."),
                country=state.country_code)
        elif not (state.entry_point and state.exit_point):
            yield _finding("route.transits", N_(
                "The points of entry and exit in the State of transit {country} are not "
                "given."), country=state.country_code)
        seen.add(state.country_code)


# --- units and magnitudes --------------------------------------------------------------------
def _limits(on: date, kind: str) -> dict[str, dict]:
    return {r.code: r.attributes for r in lookups.codes("quantity_limit", on)
            if r.attributes.get("kind") == kind}


def magnitudes(case, on: date) -> Iterator[Finding]:
    """Tonnes per shipment fit the means of transport, and are not kilograms typed as t."""
    n = _n(case)
    if n is None or n.quantity_unit != "t" or not n.total_quantity or not n.intended_shipments:
        return
    each = n.total_quantity / n.intended_shipments
    modes = n.codes_in("transport_mode") + [p.transport_mode for p in n.parties_in("carrier")
                                            if p.transport_mode]
    caps = [Decimal(str(lim["max_tonnes"])) for code, lim in _limits(on, "transport").items()
            if lim["mode"] in modes]
    if caps and each > max(caps):
        yield _finding("shipment.total_quantity", N_(
            "{each} t per shipment is more than the means of transport carries "
            "(at most {cap} t)."), each=round(each, 3), cap=max(caps))
    for lim in _limits(on, "shipment_min").values():
        if each < Decimal(str(lim["min_tonnes"])):
            yield _finding("shipment.total_quantity", N_(
                "{each} t per shipment is very small: was the quantity given in kilograms?"),
                each=round(each, 3))


def package_magnitudes(case, on: date) -> Iterator[Finding]:
    """A movement document's tonnes fit its number and type of packages."""
    s = db.session.get(Shipment, case.id)
    if s is None or s.quantity_unit != "t" or not s.actual_quantity or not s.packages:
        return
    each = s.actual_quantity / s.packages
    caps = [Decimal(str(lim["max_tonnes"])) for lim in _limits(on, "packaging").values()
            if lim["packaging"] in (s.packaging or [])]
    if caps and each > max(caps):
        yield _finding("shipment.packages", N_(
            "{each} t per package is more than such a package holds (at most {cap} t)."),
            each=round(each, 3), cap=max(caps))


# --- shipments -------------------------------------------------------------------------------
def _parent_n(case) -> BaselNotification | None:
    if case.case_type == "basel_shipment":
        s = db.session.get(Shipment, case.id)
        return db.session.get(BaselNotification, s.notification_id) if s else None
    return _n(case)


def shipments_above_notified(case, on: date) -> Iterator[Finding]:
    """The shipments made stay within the notified number and total (blocks 4 and 5)."""
    n = _parent_n(case)
    if n is None:
        return
    used = consent.usage(n)
    if n.intended_shipments is not None and used.shipments > n.intended_shipments:
        yield _finding("shipments", N_(
            "{count} shipments are made under a notification for {total}."),
            count=used.shipments, total=n.intended_shipments)
    if n.total_quantity is not None and used.quantity > n.total_quantity:
        yield _finding("shipments", N_(
            "{quantity} {unit} are shipped in all, above the notified {total} {unit}."),
            quantity=used.quantity, total=n.total_quantity, unit=n.quantity_unit or "")


def receipt_above_shipped(case, on: date) -> Iterator[Finding]:
    """The facility received no more than was shipped (movement document blocks 5, 18)."""
    s = db.session.get(Shipment, case.id)
    if s is None or s.received_quantity is None or s.actual_quantity is None:
        return
    if s.received_quantity > s.actual_quantity:
        yield _finding("received_quantity", N_(
            "{received} {unit} received is more than the {shipped} {unit} shipped."),
            received=s.received_quantity, shipped=s.actual_quantity,
            unit=s.quantity_unit or "")


def recovery_before_receipt(case, on: date) -> Iterator[Finding]:
    """Recovery is completed after the waste was received (blocks 18 and 19)."""
    s = db.session.get(Shipment, case.id)
    if s is None or s.received_on is None or s.recovery_completed_on is None:
        return
    if s.recovery_completed_on < s.received_on:
        yield _finding("recovery_completed_on", N_(
            "Recovery is dated {recovered}, before the receipt on {received}."),
            recovered=s.recovery_completed_on, received=s.received_on)


# --- the registration ------------------------------------------------------------------------
FUTURE_ANSWERS = Rule(
    "basel.answer_in_future", N_("Answers of the States concerned are not dated in the future"),
    N_("Basel Convention Art. 6(2), 6(4); OECD Decision C(2001)107/FINAL (tacit consent)"),
    future_answers, blocks_submission=True, binding_on=ANSWER_EVENTS)
DEPARTURE_HORIZON = Rule(
    "basel.departure_horizon", N_("The planned departures fit in one consent's validity"),
    N_("Basel Convention Art. 6(8); OECD Decision C(2001)107/FINAL (validity of consent)"),
    departure_horizon, blocks_submission=True)
DEPARTURE_CONSENT = Rule(
    "basel.departure_outside_consent", N_("The planned departures lie within the consent"),
    N_("Basel Convention Art. 6(3), 6(8)"), departure_outside_consent)
CODES = Rule(
    "basel.incompatible_codes", N_("The waste codes can describe one waste together"),
    N_("Basel Convention Annexes I, II, III, VIII and IX (as amended by decision BC-15/18)"),
    incompatible_codes, blocks_submission=True)
LICENCE = Rule(
    "basel.operation_not_licensed", N_("The facility is licensed for the operation"),
    N_("Basel Convention Art. 4(2)(e), 6(3)(b) and Annex IV"), operation_not_licensed,
    blocks_submission=True)
PARTY_COUNTRIES = Rule(
    "basel.party_country", N_("Importer and facility are in the State of import"),
    N_("Basel Convention Annex V A items 4 and 8; harmonised notification blocks 2, 10 and 15"),
    party_countries, blocks_submission=True)
AUTHORITIES = Rule(
    "basel.authority_code", N_("Each State's competent authority is that country's"),
    N_("Basel Convention Art. 5 and Annex V A items 6–8; harmonised notification block 15(b)"),
    authority_codes, blocks_submission=True)
TRANSITS = Rule(
    "basel.transit_route", N_("The States of transit form a route"),
    N_("Basel Convention Art. 6(4) and Annex V A items 7 and 10"), transit_route)
MAGNITUDES = Rule(
    "basel.magnitudes", N_("Tonnes per shipment fit the means of transport"),
    N_("Basel Convention Annex V A items 11 and 15; harmonised notification blocks 4, 5, 8"),
    magnitudes)
PACKAGES = Rule(
    "basel.package_magnitudes", N_("Tonnes fit the number and type of packages"),
    N_("Basel Convention Annex V B items 10 and 11; movement document blocks 5 and 7"),
    package_magnitudes)
SHIPPED = Rule(
    "basel.shipments_above_notified", N_("Shipments stay within the notified number and total"),
    N_("Basel Convention Art. 6(6)–(8); harmonised notification blocks 4 and 5"),
    shipments_above_notified)
RECEIPT = Rule(
    "basel.receipt_above_shipped", N_("No more is received than was shipped"),
    N_("Basel Convention Art. 6(9) and Annex V B items 11 and 14; Specified Hazardous Wastes "
       "Act ordinance (特定有害廃棄物等の輸出入等の規制に関する法律施行規則) Art. 5(2)"),
    receipt_above_shipped, blocks_submission=True,
    binding_on=("confirm_receipt",))
RECOVERY = Rule(
    "basel.recovery_before_receipt", N_("Recovery is completed after receipt"),
    N_("Basel Convention Art. 6(9) and Annex V B item 14; Specified Hazardous Wastes Act "
       "ordinance (特定有害廃棄物等の輸出入等の規制に関する法律施行規則) Art. 5(2), 8"),
    recovery_before_receipt, blocks_submission=True, binding_on=("confirm_recovery",))

NOTIFICATION_RULES = (FUTURE_ANSWERS, DEPARTURE_HORIZON, DEPARTURE_CONSENT, CODES, LICENCE,
                      PARTY_COUNTRIES, AUTHORITIES, TRANSITS, MAGNITUDES, SHIPPED)
SHIPMENT_RULES = (SHIPPED, RECEIPT, RECOVERY, PACKAGES)


def register() -> None:
    for case_type in NOTIFICATION_TYPES:
        register_rules(case_type, NOTIFICATION_RULES)
    register_rules("basel_shipment", SHIPMENT_RULES)

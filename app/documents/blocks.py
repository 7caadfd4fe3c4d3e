"""The pieces several documents share, as plain dicts: parties, the waste (blocks 11–14),
the States concerned (block 15) and what each authority answered (blocks 19–21)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.basel import answers
from app.basel.models import BaselNotification, Party, StateConcerned
from app.cases.models import Case
from workflows.base import N_

from . import formatting as fmt

ROLE_LABELS = {"export": N_("Country of export"), "transit": N_("Country of transit"),
               "import": N_("Country of import")}

#: block 14: (mark, label, reference lists or a BaselNotification attribute)
IDENTIFICATION = (
    ("(i)", N_("Basel Annex VIII (or IX if applicable)"), ("basel_viii", "basel_ix")),
    ("(ii)", N_("OECD code (if different from (i))"), ("oecd_gc",)),
    ("(iv)", N_("National code in the country of export"), "national_code_export"),
    ("(v)", N_("National code in the country of import"), "national_code_import"),
    ("(vii)", N_("Y-code"), ("y_code",)),
    ("(viii)", N_("H-code"), ("h_code",)),
    ("(ix)", N_("UN class"), ("un_class",)),
    ("(x)", N_("UN number"), "un_number"),
    ("(xi)", N_("UN shipping name"), "un_shipping_name"),
    ("(xii)", N_("Customs code(s) (HS)"), ("hs",)),
)


def party(p: Party | None) -> dict[str, object]:
    if p is None:
        return {"present": False}
    return {
        "present": True,
        "registration_no": fmt.text(p.registration_no), "name": fmt.text(p.name),
        "address": fmt.text(p.address), "country": fmt.country(p.country_code),
        "contact_person": fmt.text(p.contact_person), "tel": fmt.text(p.tel),
        "fax": fmt.text(p.fax), "email": fmt.text(p.email), "site": fmt.text(p.site),
        "transport_mode": fmt.coded("transport_mode", p.transport_mode),
    }


def first_party(n: BaselNotification, role: str) -> dict[str, object]:
    found = n.parties_in(role)
    return party(found[0] if found else None)


def parties(n: BaselNotification, role: str) -> list[dict[str, object]]:
    return [party(p) for p in n.parties_in(role)]


def codes(n: BaselNotification, list_name: str) -> list[dict[str, str]]:
    return [fmt.coded(list_name, c) for c in n.codes_in(list_name)]


def transport_modes(n: BaselNotification) -> list[dict[str, str]]:
    """Block 8's means of transport, printed once: the route's and the carriers', each once."""
    modes = n.codes_in("transport_mode") + [p.transport_mode for p in n.parties_in("carrier")
                                            if p.transport_mode]
    return [fmt.coded("transport_mode", c) for c in dict.fromkeys(modes)]


def identification(n: BaselNotification) -> list[dict[str, object]]:
    rows = []
    for mark, label, source in IDENTIFICATION:
        if isinstance(source, str):
            value = fmt.text(getattr(n, source))
            values = [{"code": value, "label": ""}] if value else []
        else:
            values = [v for scheme in source for v in codes(n, scheme)]
        rows.append({"mark": mark, "label": _(label), "entries": values})
    return rows


def operation(n: BaselNotification) -> dict[str, object]:
    code = n.operation_code or ""
    return {**fmt.coded("operation", code), "recovery": code.startswith("R"),
            "disposal": code.startswith("D")}


def waste(n: BaselNotification) -> dict[str, object]:
    """Blocks 11–14, shared by the notification and the movement document."""
    return {
        "operation": operation(n), "technology": fmt.written(n, "technology"),
        "reason_for_export": fmt.written(n, "reason_for_export"),
        "designation": fmt.written(n, "waste_designation"),
        "composition": fmt.written(n, "waste_composition"),
        "physical": codes(n, "physical"), "identification": identification(n),
    }


def authority(state: StateConcerned) -> dict[str, str]:
    return {"country": fmt.country(state.country_code), "country_code": state.country_code,
            "code": fmt.text(state.authority_code),
            "name": fmt.label("competent_authority", state.authority_code)}


def states_concerned(n: BaselNotification) -> list[dict[str, object]]:
    return [{"role": _(ROLE_LABELS[s.role]), **authority(s),
             "exit_point": fmt.text(s.exit_point), "entry_point": fmt.text(s.entry_point)}
            for s in n.states]


def _notification_received(case: Case, n: BaselNotification, state: StateConcerned) -> str:
    """When the authority had the notification: Japan the partner's (import/transit), the
    partners Japan's (export, from transmission)."""
    if state.country_code == "JP" and case.case_type != "basel_export":
        return fmt.day(n.received_on)
    return fmt.day(n.transmitted_at)


def _acknowledged_on(state: StateConcerned) -> str:
    found = [r for r in state.responses if r.kind == "acknowledgement"]
    return fmt.day(found[0].received_on) if found else ""


def consent_of(status: answers.AuthorityStatus) -> dict[str, object] | None:
    c = status.consent
    if c is None:
        return None
    return {"given_on": fmt.day(c.received_on), "valid_from": fmt.day(c.valid_from),
            "valid_to": fmt.day(c.valid_to), "tacit": c.kind == "tacit_consent",
            "conditions": fmt.written(c, "text")}


def objection_of(status: answers.AuthorityStatus) -> dict[str, str] | None:
    o = status.objection
    return None if o is None else {"on": fmt.day(o.received_on), "reasons": fmt.written(o, "text")}


def authority_answers(case: Case, n: BaselNotification) -> list[dict[str, object]]:
    """Blocks 19–21 for each authority whose consent the movement needs."""
    return [{**authority(s.state), "role": _(ROLE_LABELS[s.state.role]),
             "received_on": _notification_received(case, n, s.state),
             "acknowledged": s.acknowledged, "acknowledged_on": _acknowledged_on(s.state),
             "consent": consent_of(s), "objection": objection_of(s)}
            for s in answers.statuses(n)]

"""Cases as the API shows them."""

from __future__ import annotations

from flask_babel import gettext

from app.basel import answers
from app.basel.completeness import missing_items
from app.basel.models import BaselNotification
from app.basel.shipments import Shipment
from app.cases import audience, finding_checks
from app.cases.deadlines import open_deadlines
from app.cases.models import Case
from app.extensions import db
from app.marshalling import schema
from app.templating import state_label
from app.timeutil import today_in_japan

from .schemas import CaseOut, EventOut


def missing_out(case: Case) -> list[dict]:
    n = db.session.get(BaselNotification, case.id)
    if n is None or case.state not in ("DRAFT", "INCOMPLETE_RETURNED", "SUBMITTED",
                                       "CA_E_REVIEW"):
        return []
    return [{"section": m.section, "field": m.field,
             "message": gettext(m.message).format(**{k: gettext(v) for k, v in m.params})}
            for m in missing_items(n, today_in_japan())]


def findings_out(case: Case, user) -> list[dict]:
    """The plausibility findings the case page shows this user, in the user's language."""
    shown = finding_checks.page_context(case, user).get("findings", [])
    return [{"rule": s.finding.rule, "field": s.finding.field, "severity": s.finding.severity,
             "message": s.text, "source": s.source} for s in shown]


def _notification(n: BaselNotification) -> dict:
    data = {c.key: getattr(n, c.key) for c in BaselNotification.__table__.columns
            if c.key != "case_id"}
    codes: dict[str, list[str]] = {}
    for row in n.codes:
        codes.setdefault(row.scheme, []).append(row.code)
    data.update(codes=codes, parties=n.parties, states=n.states)
    return data


def _authorities(n: BaselNotification) -> list[dict]:
    out = []
    for status in answers.statuses(n):
        consent = status.consent
        out.append({
            "country_code": status.state.country_code, "role": status.state.role,
            "acknowledged": status.acknowledged, "consented": consent is not None,
            "objected": status.objection is not None,
            "information_requested": status.open_request is not None,
            "valid_from": consent.valid_from if consent else None,
            "valid_to": consent.valid_to if consent else None,
            "conditions": consent.text if consent else None,
            "conditions_en": consent.text_en if consent else None,
        })
    return out


def case_out(case: Case, user) -> dict:
    n = db.session.get(BaselNotification, case.id)
    due = open_deadlines(case)
    return schema(CaseOut).dump({
        "id": case.id, "reference": case.reference, "number": case.number,
        "case_type": case.case_type, "state": case.state,
        "state_label": state_label(case.state, case.case_type), "version": case.version,
        "organisation": case.organisation.name, "created_at": case.created_at,
        "updated_at": case.updated_at, "submitted_at": case.submitted_at,
        "parent_id": case.parent_id,
        "notification": _notification(n) if n else None,
        # a notification has none: no need to ask
        "shipment": db.session.get(Shipment, case.id) if n is None else None,
        "authorities": _authorities(n) if n else [],
        "attachments": audience.readable_attachments(audience.reader_for(user, case),
                                                     case.attachments),
        "missing": missing_out(case), "findings": findings_out(case, user),
        "next_deadline": due[0].due_at if due else None,
    })


def events_out(case: Case, user) -> list[dict]:
    """The timeline as `user` reads it: the events addressed to them, remarks only when they
    read those too."""
    reader = audience.reader_for(user, case)
    return [{**schema(EventOut).dump(ev), "reason": remark}
            for ev, remark in audience.timeline(reader, case.events)]

"""When lines are not confirmed, the goods are waste: open a Basel export notification
pre-filled from the check (Basel Convention Art. 6(1)), linked to it both ways.

The notification is created by the Basel package's own function; this module then fills in
what the check already knows — the waste description and quantities of the refused lines,
the destination and the buyer as importer — in one transaction with the link and the audit
events of both cases.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from app.basel import operations as basel
from app.basel.models import Party, StateConcerned
from app.cases.audit import append_event
from app.cases.handlers import invalid
from app.cases.models import Case
from app.cases.runner import act
from app.extensions import db

from .models import ExportCheck
from .operations import check_of

#: the decisions after which refused lines exist (they stay waste once the certificate of
#: the accepted lines has expired)
WITH_REFUSED_LINES = ("PARTLY_CONFIRMED", "NOT_CONFIRMED", "EXPIRED")


def refused_lines(check: ExportCheck) -> list:
    return [line for line in check.lines if line.decision == "refused"]


def may_open(case: Case, check: ExportCheck | None) -> bool:
    return (check is not None and case.state in WITH_REFUSED_LINES
            and check.basel_case_id is None and bool(refused_lines(check)))


def open_notification(case_id: int, user) -> Case:
    """The Basel export notification for the refused lines (a draft of the exporter's)."""
    case = db.session.get(Case, case_id)
    if case is None or not may_open(case, check_of(case)):
        raise invalid("basel", "No refused line is waiting for a Basel notification.")
    notification = basel.create_draft(user)
    act(case_id, "open_basel_notification",
        lambda c: _prefill(c, notification, user), actor=user)
    return notification


def _prefill(case: Case, notification: Case, user) -> dict[str, Any]:
    check = check_of(case)
    if not may_open(case, check):  # another request was first
        raise invalid("basel", "A Basel notification is already open for this check.")
    n = basel.notification(notification)
    lines = refused_lines(check)
    n.waste_designation = gettext("Used electrical and electronic equipment not confirmed "
                                  "as second-hand goods (export check %(ref)s)",
                                  ref=case.reference)
    n.waste_composition = "\n".join(_line_text(line) for line in lines)
    n.parties.append(Party(role="importer", seq=1, name=check.buyer_name,
                           address=check.buyer_address,
                           country_code=check.destination_country))
    n.states.append(StateConcerned(role="import", seq=1, country_code=check.destination_country))
    check.basel_case_id = notification.id
    append_event(notification, event="save_section", actor=user, role=user.role,
                 from_state=notification.state, to_state=notification.state,
                 payload={"section": "waste", "from_export_check": case.reference})
    return {"basel_notification": notification.reference,
            "lines": [line.seq for line in lines]}


def _line_text(line) -> str:
    return gettext("Line %(seq)s: %(type)s %(model)s (%(year)s), %(qty)s units — %(why)s",
                   seq=line.seq, type=line.product_type, model=line.model, year=line.year,
                   qty=line.quantity, why=line.decision_reason or "")


def check_for_notification(notification_id: int) -> Case | None:
    """The export check a Basel notification was opened from (the link back)."""
    check = db.session.query(ExportCheck).filter_by(basel_case_id=notification_id).first()
    return check.case if check else None

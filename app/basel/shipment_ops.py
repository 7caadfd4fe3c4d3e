"""Preparing shipments (movement documents) and registering partners' notifications."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.cases.audit import append_event
from app.cases.handlers import invalid
from app.cases.models import Case
from app.cases.ownership import may_start_child
from app.cases.runner import CaseNotFound, act, lock_visible_case
from app.cases.uploads import Upload
from app.database import write_transaction
from app.extensions import db
from app.marshalling import schema
from app.timeutil import utcnow
from workflows import PartyNotAllowed, RoleNotAllowed, workflow_for

from .models import BaselNotification, StateConcerned
from .partner_events import set_acknowledgement_deadline
from .shipment_schemas import MovementDocumentSchema
from .shipments import Shipment

#: the notification states under which a new movement document may be prepared
PREPARABLE = ("ACTIVE",)


def prepare_shipment(notification_case_id: int, raw: dict, user, *,
                     take_back_of: int | None = None) -> Case:
    """A new movement document n of N under an active notification (announced separately)."""
    data = schema(MovementDocumentSchema).load(raw)
    if user.role not in workflow_for("basel_shipment").ROLES["announce"]:
        raise RoleNotAllowed(event="announce")
    with write_transaction(db.session):
        parent = lock_visible_case(notification_case_id, user)
        if parent.case_type not in ("basel_export", "basel_import"):
            raise CaseNotFound()
        if not may_start_child(user, parent, "basel_shipment", "announce"):
            raise PartyNotAllowed(event="announce")
        if parent.state not in PREPARABLE and take_back_of is None:
            raise invalid("_schema", "Shipments can only be prepared under an active consent.")
        return new_shipment(parent, data, user, take_back_of)


def new_shipment(parent: Case, data: dict, user, take_back_of: int | None) -> Case:
    """The next movement document under `parent` (inside the caller's transaction)."""
    n = db.session.get(BaselNotification, parent.id)
    seq = db.session.scalar(select(func.count()).select_from(Shipment).where(
        Shipment.notification_id == n.case_id)) + 1
    case = Case(case_type="basel_shipment", state="MD_PREPARED", parent=parent,
                organisation_id=parent.organisation_id, created_by=user,
                number=f"{parent.number}-{seq:03d}", submitted_at=utcnow())
    db.session.add(case)
    db.session.flush()
    db.session.add(Shipment(case_id=case.id, notification_id=n.case_id, seq=seq,
                            due_to_take_back=take_back_of is not None,
                            take_back_of_id=take_back_of, **data))
    append_event(case, event="create", actor=user, role=user.role, from_state=None,
                 to_state=case.state, payload={"seq": seq, "take_back_of": take_back_of})
    return case


def update_shipment(case_id: int, raw: dict, user, version: int | None) -> Case:
    data = schema(MovementDocumentSchema).load(raw)

    def change(case: Case) -> dict[str, Any]:
        if case.state not in workflow_for(case.case_type).EDITABLE:  # `act` checked the user
            raise invalid("_schema", "The movement document can no longer be changed.")
        shipment = db.session.get(Shipment, case.id)
        for name, value in data.items():
            setattr(shipment, name, value)
        return {"fields": sorted(data)}

    return act(case_id, "save_shipment", change, actor=user, expected_version=version)


# --- partner notifications (import / transit) --------------------------------------------------
def register_partner_notification(user, *, case_type: str, number: str, export_country: str,
                                  received_on: date, document: Upload | None) -> Case:
    """MOE registers a foreign authority's notification (by hand until XML exchange)."""
    if case_type not in ("basel_import", "basel_transit"):
        raise invalid("case_type", "Choose import or transit.")
    if export_country == "JP":
        raise invalid("export_country", "Japan cannot be the State of export here.")
    with write_transaction(db.session):  # the uniqueness check and the insert in one
        if db.session.scalar(select(Case.id).where(Case.number == number)) is not None:
            raise invalid("number", "A case with this notification number exists already.")
        case = Case(case_type=case_type, state="RECEIVED", number=number,
                    organisation=user.organisation, created_by=user, submitted_at=utcnow())
        n = BaselNotification(case=case, received_on=received_on, transmitted_at=utcnow())
        n.states.append(StateConcerned(role="export", seq=0, country_code=export_country))
        if case_type == "basel_import":
            n.states.append(StateConcerned(role="import", seq=9, country_code="JP",
                                           authority_code="JP-MOE"))
        else:
            n.states.append(StateConcerned(role="transit", seq=1, country_code="JP",
                                           authority_code="JP-MOE"))
        db.session.add_all([case, n])
        db.session.flush()
        if document is not None:
            db.session.add(document.to_attachment(case, "partner_document", user,
                                                  description="notification"))
        set_acknowledgement_deadline(case, n, received_on)
        append_event(case, event="register", actor=user, role=user.role, from_state=None,
                     to_state=case.state, payload={"number": number, "country": export_country,
                                                   "received_on": received_on.isoformat()})
        return case

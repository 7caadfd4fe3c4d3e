"""Inbound messages as workflow events: what each verified message does to which case.

Everything here runs inside the inbound message's transaction; a refusal raises and the
caller rolls the whole message back.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from sqlalchemy import bindparam, select

from app.basel import amendments, consent
from app.basel.models import BaselNotification, NotificationCode, Party, StateConcerned
from app.basel.operations import matching_organisation
from app.basel.partner_events import first_acknowledgement_deadline
from app.basel.shipment_ops import new_shipment
from app.basel.shipments import Shipment
from app.cases import search_grams
from app.cases.audit import announce_events, append_event, event_values
from app.cases.inserted import insert_case
from app.cases.models import Attachment, Case, CaseEvent, Deadline
from app.cases.runner import apply_transition, lock_case
from app.cases.signals import case_rows_inserted
from app.cases.uploads import Upload
from app.database import insert_together
from app.extensions import db
from app.timeutil import today_in_japan, utcnow

from . import arrival, builders, readers
from .models import ExchangeMessage, Partner
from .readers import NS, Header, day, text, texts
from .xmlsec import XmlRejected


class Inbound:
    """One verified message: who sent it, its header, its tree and its raw bytes."""

    def __init__(self, partner: Partner, head: Header, tree, raw: bytes):
        self.partner, self.header, self.tree, self.raw = partner, head, tree, raw
        #: the notification the answer refers to (an error message may not name one)
        self.notification_id = head.notification_id
        #: an unsigned answer message that replaces the confirmation (a query's answer)
        self.reply = None

    @property
    def actor(self):
        return self.partner.user

    def document(self) -> Upload:
        """The signed message itself, kept with the case as the partner's document."""
        name = f"{self.header.message_type}-{self.header.message_id}.xml"
        return Upload(name, "application/xml", self.raw)


def _case(inbound: Inbound) -> Case:
    case = db.session.scalar(select(Case).where(Case.number == inbound.header.notification_id,
                                                Case.parent_id.is_(None)))
    if case is None:
        raise XmlRejected("UNKNOWN_NOTIFICATION",
                          f"No notification {inbound.header.notification_id} is known here.")
    n = db.session.get(BaselNotification, case.id)
    if n is None or inbound.partner.country_code not in {s.country_code for s in n.states}:
        raise XmlRejected("NOT_PARTY", "The sender's country is not a State concerned by "
                                       "this notification.")
    return case


def _shipment_case(inbound: Inbound) -> Case:
    parent = _case(inbound)
    number = inbound.header.sequence[0]
    found = db.session.scalar(select(Case).join(Shipment, Shipment.case_id == Case.id).where(
        Shipment.notification_id == parent.id, Shipment.seq == number))
    if found is None:
        raise XmlRejected("UNKNOWN_MOVEMENT", f"No shipment {number} under "
                                              f"{parent.number}.")
    return found


def _fire(case: Case, event: str, inbound: Inbound, payload: dict | None = None) -> Case:
    return apply_transition(case.id, event, inbound.actor, None, payload or {})


def _answer(event: str, payload: Callable[[Inbound], dict]) -> Callable[[Inbound], Case]:
    def handle(inbound: Inbound) -> Case:
        case = _case(inbound)
        return _fire(case, event, inbound, {"country": inbound.partner.country_code,
                                            "received_on": inbound.header.issued_at.date()
                                            .isoformat(), **payload(inbound)})
    return handle


def acknowledgement(inbound: Inbound) -> Case:
    return _answer("record_acknowledgement", lambda i: {
        "received_on": day(i.tree, "t:AcknowledgementDate").isoformat()})(inbound)


def information_request(inbound: Inbound) -> Case:
    """A question, or (NotificationIncomplete) the list of what our notification lacks."""
    return _answer("record_information_request", lambda i: {
        "reason": "\n".join([text(i.tree, "t:RequestText"),
                             *(f"- {item}" for item in texts(i.tree, "t:MissingItem"))])
    })(inbound)


def information_reply(inbound: Inbound) -> Case:
    return _fire(_case(inbound), "receive_information", inbound,
                 {"reason": text(inbound.tree, "t:ReplyText")})


def decision(inbound: Inbound) -> Case:
    tree = inbound.tree
    if tree.find("t:Consent", NS) is not None:
        return _answer("record_consent", lambda i: {
            "valid_from": day(tree, "t:Consent/t:ValidFrom").isoformat(),
            "valid_to": day(tree, "t:Consent/t:ValidTo").isoformat(),
            "conditions": text(tree, "t:Consent/t:Conditions"),
            "document": i.document()})(inbound)
    return _answer("record_objection", lambda i: {
        "reason": text(tree, "t:Objection/t:Reasons"), "document": i.document()})(inbound)


def cancellation(inbound: Inbound) -> Case:
    kind, reason = text(inbound.tree, "t:CancellationType"), text(inbound.tree, "t:Reason")
    if inbound.header.sequence is not None:
        return _fire(_shipment_case(inbound), "cancel", inbound, {"reason": reason})
    case = _case(inbound)
    event = {"withdrawal": "record_withdrawal", "revocation": "revoke"}.get(kind)
    if case.case_type == "basel_export" and kind == "revocation":
        event = "revoke"
    if event is None:
        raise XmlRejected("INVALID_CONTENT", f"A {kind} of a whole notification is not "
                                             "possible.", field="tmw:CancellationType")
    return _fire(case, event, inbound, {"reason": reason})


def movement_announcement(inbound: Inbound) -> Case:
    parent = _case(inbound)
    data = readers.movement(inbound.tree)
    if data.pop("due_to_take_back"):
        raise XmlRejected("NOT_SUPPORTED", "Take-back movements are arranged with MOE directly "
                                           "(message version 1.0 cannot name the shipment).")
    shipment = new_shipment(parent, data, inbound.actor, None)
    db.session.flush()
    n = db.session.get(BaselNotification, parent.id)
    if refusal := consent.announce_refusal(parent, n, db.session.get(Shipment, shipment.id),
                                           today_in_japan()):
        raise arrival.announce_refused(refusal)
    return _fire(shipment, "announce", inbound)


def transport_statement(inbound: Inbound) -> Case:
    case = _shipment_case(inbound)
    event = "depart" if case.state == "ANNOUNCED" else "transfer_custody"
    tree = inbound.tree
    return _fire(case, event, inbound, {
        "carrier_name": text(tree, "t:CarrierName"), "transport_mode": text(tree,
                                                                             "t:TransportMode"),
        "transferred_on": text(tree, "t:TransferDate"), "signed_by": text(tree, "t:SignedBy")})


def receipt(inbound: Inbound) -> Case:
    case, tree = _shipment_case(inbound), inbound.tree
    received = {"received_on": text(tree, "t:ReceivedDate"), "document": inbound.document()}
    if text(tree, "t:Accepted") == "false":
        return _fire(case, "reject", inbound, {**received,
                                               "reason": text(tree, "t:RejectionReason")})
    return _fire(case, "confirm_receipt", inbound, {
        **received, "received_quantity": str(readers.quantity(tree, "t:ReceivedQuantity")[0]),
        "approx_recovery_date": text(tree, "t:ApproxRecoveryDate")})


def recovery(inbound: Inbound) -> Case:
    tree = inbound.tree
    return _fire(_shipment_case(inbound), "confirm_recovery", inbound, {
        "recovery_completed_on": text(tree, "t:CompletedDate"),
        "recovery_operation_code": text(tree, "t:OperationCode"),
        "document": inbound.document()})


def confirmation(inbound: Inbound) -> Case | None:
    """The partner's technical receipt of one of our messages."""
    ours = _our_message(inbound, text(inbound.tree, "t:ReceivedMessageID"))
    ours.status, ours.acknowledged_at = "acknowledged", utcnow()
    return None


def partner_error(inbound: Inbound) -> Case | None:
    """The partner refused one of our messages: show it as failed, with their reasons."""
    received = text(inbound.tree, "t:ReceivedMessageID")
    if not received:
        raise XmlRejected("UNKNOWN_MESSAGE", "The error names none of our messages.")
    if received:
        ours = _our_message(inbound, received)
        ours.status = "failed"
        ours.last_error = "; ".join(
            f"{text(e, 't:Code')}: {text(e, 't:Description')}"
            for e in inbound.tree.findall("t:Error", NS))[:2000]
    return None


def _our_message(inbound: Inbound, message_id: str | None) -> ExchangeMessage:
    ours = db.session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.direction == "out", ExchangeMessage.partner_id == inbound.partner.id,
        ExchangeMessage.message_id == (message_id or "").lower()))
    if ours is None:
        raise XmlRejected("UNKNOWN_MESSAGE", f"We sent you no message {message_id}.")
    inbound.notification_id = inbound.notification_id or ours.notification_number
    return ours


# --- take-back (Basel Art. 8) ------------------------------------------------------------------
def take_back_request(inbound: Inbound) -> Case:
    """The State of import: our shipment cannot be completed. Received waste moves to
    TAKE_BACK (its deadline runs); for a rejection the certificate of receipt moved it
    already, and this request is kept with it for MOE, who orders the take-back."""
    case, tree = _shipment_case(inbound), inbound.tree
    reason = text(tree, "t:Reason")
    if text(tree, "t:Situation") == "cannot_complete":
        return _fire(case, "cannot_complete", inbound, {"reason": reason})
    _sender_is(inbound, case, "import")
    if case.state != "REJECTED_AT_FACILITY":
        raise XmlRejected("STATE_CONFLICT", f"Shipment {case.number} was not rejected (it is "
                                            f"{case.state}): send the certificate of receipt "
                                            "with Accepted false first.")
    return _record(case, inbound, "record_take_back_request", reason,
                   {"situation": "rejected", "due": text(tree, "t:TakeBackDueDate")})


def take_back_arrangement(inbound: Inbound) -> Case:
    """The State of export's answer: take-back or an alternative arrangement, recorded."""
    case, tree = _shipment_case(inbound), inbound.tree
    _sender_is(inbound, case, "export")
    if case.state != "TAKE_BACK":
        raise XmlRejected("STATE_CONFLICT", f"Shipment {case.number} is not to be taken back "
                                            f"(it is {case.state}).")
    return _record(case, inbound, "record_take_back_arrangement", text(tree, "t:Description"),
                   {"arrangement": text(tree, "t:Arrangement"),
                    "operation": text(tree, "t:OperationCode"),
                    "facility": text(tree, "t:Facility/t:Name"),
                    "expected": text(tree, "t:ExpectedDate")})


def _sender_is(inbound: Inbound, shipment: Case, role: str) -> None:
    n = db.session.get(BaselNotification, shipment.parent_id)
    if inbound.partner.country_code not in {s.country_code for s in n.states_in(role)}:
        raise XmlRejected("NOT_ALLOWED", f"Only the State of {role}'s authority may send "
                                         f"{inbound.header.message_type}.")


def _record(case: Case, inbound: Inbound, event: str, reason: str, payload: dict) -> Case:
    """A partner's statement that moves nothing: the signed message kept with the case and
    an event of its audit trail (under the case's lock, as a transition would take it)."""
    lock_case(case.id)
    db.session.add(inbound.document().to_attachment(case, "partner_document", inbound.actor,
                                                    description=event))
    append_event(case, event=event, actor=inbound.actor, role=inbound.actor.role,
                 from_state=case.state, to_state=case.state, reason=reason,
                 payload={k: v for k, v in payload.items() if v is not None}
                 | {"message_id": inbound.header.message_id})
    return case


# --- amendments of a consented notification ----------------------------------------------------
def notification_amendment(inbound: Inbound) -> Case:
    """Proposed by the State of export; nothing changes until MOE consents to it."""
    changes = readers.amendment(inbound.tree)
    reason = text(inbound.tree, "t:Reason")
    return _fire(_case(inbound), "receive_amendment", inbound, {
        "reason": f"{reason}\n({amendments.summary(changes)})" if changes else reason,
        "changes": changes, "message_id": inbound.header.message_id})


def not_ours_to_receive_amendment(inbound: Inbound) -> None:
    raise XmlRejected("NOT_SUPPORTED", "JP-MOE proposes no amendments by message in version "
                                       "1.0: there is no amendment to decide on.")


# --- status ------------------------------------------------------------------------------------
def status_query(inbound: Inbound) -> Case:
    """Where the notification (and its announced movements) stand: answered at once."""
    case, head = _case(inbound), inbound.header
    if not _exchanged_about(inbound, case):
        raise XmlRejected("UNKNOWN_NOTIFICATION",
                          f"No notification {case.number} was exchanged with "
                          f"{inbound.partner.authority_code}.")
    n = db.session.get(BaselNotification, case.id)
    movements = _movements(case, head.sequence[0] if head.sequence else None)
    envelope = builders.Envelope(receiver=inbound.partner.authority_code,
                                 notification_id=case.number,
                                 message_id=builders.new_message_id(),
                                 correlation_id=head.message_id)
    inbound.reply = builders.status_answer(envelope, head.message_id, _status_at(case),
                                           consent.consent_window(case, n), movements)
    return case


def _exchanged_about(inbound: Inbound, case: Case) -> bool:
    """A notification this partner never heard of from us (or told us of) stays unknown to
    it, whatever its number: a draft is nobody's business abroad."""
    return db.session.scalar(select(ExchangeMessage.id).where(
        ExchangeMessage.partner_id == inbound.partner.id, ExchangeMessage.case_id == case.id,
        ExchangeMessage.message_id.is_not(None)).limit(1)) is not None


def _movements(case: Case, only: int | None) -> list[builders.StatusAt]:
    rows = db.session.execute(select(Shipment.seq, Case).join(Case, Case.id == Shipment.case_id)
                              .where(Shipment.notification_id == case.id,
                                     Case.state != "MD_PREPARED")
                              .order_by(Shipment.seq)).all()
    found = [builders.StatusAt(c.state, _status_at(c).since, seq) for seq, c in rows
             if only is None or seq == only]
    if only is not None and not found:
        raise XmlRejected("UNKNOWN_MOVEMENT", f"No shipment {only} under {case.number}.")
    return found


def _status_at(case: Case) -> builders.StatusAt:
    entered = [e.occurred_at for e in case.events if e.to_state == case.state]
    return builders.StatusAt(case.state, entered[-1] if entered else case.updated_at)


def not_ours_to_receive(inbound: Inbound) -> None:
    raise XmlRejected("NOT_SUPPORTED", f"JP-MOE does not receive "
                                       f"{inbound.header.message_type}: it asks no partner "
                                       "for the status of a notification.")


# --- a partner's notification opens an import or transit case ---------------------------------
def notification_submission(inbound: Inbound) -> Case:
    head = inbound.header
    data = readers.notification(inbound.tree)
    jp = [s for s in data["states"] if s["country_code"] == "JP"]
    export = [s for s in data["states"] if s["role"] == "export"]
    if not jp or jp[0]["role"] == "export":
        raise XmlRejected("NOT_CONCERNED", "Japan is neither the State of import nor a State "
                                           "of transit of this notification.")
    if not export or export[0]["country_code"] != inbound.partner.country_code:
        raise XmlRejected("NOT_PARTY", "Only the State of export's authority may notify.")
    _check_prefix(head.notification_id, inbound.partner)
    if db.session.scalar(_CASE_BY_NUMBER, {"number": head.notification_id}):
        raise XmlRejected("DUPLICATE_NOTIFICATION",
                          f"Notification {head.notification_id} was received already.")
    case_type = "basel_import" if jp[0]["role"] == "import" else "basel_transit"
    case = insert_case(case_type=case_type, state="RECEIVED", number=head.notification_id,
                       organisation_id=inbound.actor.organisation_id,
                       created_by_id=inbound.actor.id, submitted_at=utcnow())
    values = {"received_on": head.issued_at.date(), "transmitted_at": utcnow(),
              **data["shipment"], **data["waste"],
              "customs_office_exit": data["customs_office_exit"],
              "customs_office_entry": data["customs_office_entry"],
              "declaration_name": data["declaration_name"]}
    # kept out of the session (its rows are INSERTed below): the regime is read from it
    n = BaselNotification(**values, states=[StateConcerned(**s) for s in data["states"]])
    documents = [Upload(a.filename, a.content_type, a.content).attachment_row(
        case, a.kind if a.kind != "partner_document" else "other", inbound.actor)
        for a in data["attachments"]]
    documents.append(inbound.document().attachment_row(
        case, "partner_document", inbound.actor, description="notification (signed XML)"))
    events = [event_values(case, event="register", actor=inbound.actor,
                           role=inbound.actor.role, from_state=None, to_state=case.state,
                           payload={"number": case.number, "message_id": head.message_id})]
    _insert_case_rows(case, {
        Deadline: first_acknowledgement_deadline(case.id, n, n.received_on),
        BaselNotification: [{"case_id": case.id, **values}],
        StateConcerned: [{"case_id": case.id, **state} for state in data["states"]],
        Party: _party_rows(case.id, data["parties"]),
        NotificationCode: _code_rows(case.id, data["codes"]),
        Attachment: documents, CaseEvent: events})
    announce_events(events)
    return case


#: built once: every partner notification runs it
_CASE_BY_NUMBER = select(Case.id).where(Case.number == bindparam("number"))


def _check_prefix(number: str, partner: Partner) -> None:
    """Each State numbers its own notifications (NF block 3): a partner cannot take a number
    of Japan's series, or of any country but its own."""
    if not number.startswith(partner.country_code):
        raise XmlRejected("WRONG_PREFIX", f"Notification numbers from {partner.authority_code} "
                                          f"must begin with {partner.country_code}.")


def _party_rows(case_id: int, parties: list[tuple[str, dict]]) -> list[dict]:
    """The parties as rows, each Japanese facility and importer with its organisation here
    (the values as a plain record: a transient Party costs more to make)."""
    seqs: dict[str, int] = {}
    rows = []
    matched: dict[tuple, int | None] = {}  # the importer is often the facility itself
    for role, values in parties:
        seqs[role] = seqs.get(role, 0) + 1
        # the Japanese facility and importer see the case and certify its shipments
        key = (role in ("facility", "importer"), values["registration_no"],
               values["country_code"])
        if key not in matched:
            matched[key] = matching_organisation(
                SimpleNamespace(role=role, organisation_id=None, **values))
        rows.append({"case_id": case_id, "role": role, "seq": seqs[role], **values,
                     "organisation_id": matched[key]})
    return rows


def _code_rows(case_id: int, codes: dict[str, list[str]]) -> list[dict]:
    return [{"case_id": case_id, "scheme": scheme, "code": code, "seq": seq}
            for scheme, values in codes.items()
            for seq, code in enumerate(dict.fromkeys(values), start=1)]


def _insert_case_rows(case: Case, rows_by_model: dict[type, list[dict]]) -> None:
    """The new case's rows, none of them read back in this transaction, sent together (one
    wait for the server on PostgreSQL) past the ORM, whose bookkeeping costs more than the
    statements; then the search grams of the case, which a flush would have written, and
    the listeners told of the rows (the plan links take the case's facts from them)."""
    insert_together(db.session, [(model.__table__, rows)
                                 for model, rows in rows_by_model.items()])
    search_grams.refresh_inserted(db.session.connection(), rows_by_model)
    case_rows_inserted.send(case, rows=rows_by_model)


HANDLERS: dict[str, Callable[[Inbound], Case | None]] = {
    "TMWNotificationSubmissionMessage": notification_submission,
    "TMWNotificationAcknowledgementMessage": acknowledgement,
    "TMWFurtherNotificationRequest": information_request,
    "TMWFurtherNotificationReply": information_reply,
    "TMWNotificationDecisionMessage": decision,
    "TMWCancellationMessage": cancellation,
    "TMWMovementAnnouncementMessage": movement_announcement,
    "TMWTransportStatementMessage": transport_statement,
    "TMWCertificateOfWasteReceiptMessage": receipt,
    "TMWCertificateOfWasteRecoveryDisposalMessage": recovery,
    "TMWConfirmationOfMessageReceipt": confirmation,
    "TMWErrorMessage": partner_error,
    "TMWStatusQueryMessage": status_query,
    "TMWStatusAnswerMessage": not_ours_to_receive,
    "TMWTakeBackRequestMessage": take_back_request,
    "TMWTakeBackArrangementMessage": take_back_arrangement,
    "TMWNotificationAmendmentMessage": notification_amendment,
    "TMWAmendmentDecisionMessage": not_ours_to_receive_amendment,
}

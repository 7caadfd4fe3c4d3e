"""Our outgoing messages as XML trees, element by element in the order the XSDs fix.

Each builder takes plain values (read from the case by app/exchange/outbox.py) and returns an
unsigned tree; the outbox signs it and stores the bytes exactly as they are sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from app.timeutil import TOKYO, utcnow

from .schemas import NAMESPACE

OUR_AUTHORITY = "JP-MOE"
_NS = f"{{{NAMESPACE}}}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: our code lists -> the scheme attribute of block 14 identifications
IDENTIFICATION_SCHEMES = {"basel_viii": "BASEL_VIII", "basel_ix": "BASEL_IX", "oecd_gc": "OECD",
                          "y_code": "Y", "h_code": "H", "un_class": "UN_CLASS", "hs": "HS"}
ANNEX_II = {"Y46", "Y47", "Y48", "Y49"}


def new_message_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Envelope:
    """Who sends what to whom about which notification (and which movement)."""

    receiver: str
    notification_id: str
    message_id: str
    correlation_id: str
    sequence: tuple[int, int] | None = None  #: movement n of N
    sender: str = OUR_AUTHORITY
    issued_at: datetime | None = None


#: elements holding free text (LongTextType, CorrespondenceTextType): written with xml:lang
TEXTS = frozenset({"Basis", "Composition", "Conditions", "Description", "Designation",
                   "GeneratingProcess", "Insurance", "MissingItem", "Reason", "ReasonForExport",
                   "Reasons", "RejectionReason", "ReplyText", "RequestText", "SpecialHandling",
                   "Technology"})


def _el(parent, name: str, text=None, **attrs):
    element = etree.SubElement(parent, _NS + name, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
        if name in TEXTS:
            element.set(XML_LANG, language_of(element.text))
    return element


def language_of(text: str) -> str:
    """ja when the text has Japanese script (kana or kanji), else en: officials and filers
    write either; the partner then knows whether it needs a translation."""
    return "ja" if any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff"
                       or "\uff66" <= ch <= "\uff9f" for ch in text) else "en"


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.3f}"
    if isinstance(value, datetime):
        return value.astimezone(TOKYO).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _opt(parent, name: str, value) -> None:
    if value not in (None, ""):
        _el(parent, name, value)


def _texts(parent, name: str, text, english=None, *, required: bool = False) -> None:
    """A free text and its English version (Basel Convention Art. 6(1): a language the State
    of import accepts). With both, each carries its xml:lang (the text as entered is the
    Japanese); a text given once goes without one, its language not being stated."""
    if _blank(english):
        if required:
            _el(parent, name, text)
        else:
            _opt(parent, name, text)
        return
    if not _blank(text):
        _el(parent, name, text).set(XML_LANG, "ja")
    _el(parent, name, english).set(XML_LANG, "en")


def _blank(value) -> bool:
    return value is None or not str(value).strip()


def root(message_type: str, envelope: Envelope):
    element = etree.Element(_NS + message_type, nsmap={None: NAMESPACE})
    header = _el(element, "Header")
    _el(header, "MessageID", envelope.message_id)
    _el(header, "CorrelationID", envelope.correlation_id)
    _el(header, "SenderAuthority", envelope.sender)
    _el(header, "ReceiverAuthority", envelope.receiver)
    _el(header, "IssueDateTime", envelope.issued_at or utcnow())
    _el(header, "NotificationID", envelope.notification_id)
    if envelope.sequence is not None:
        sequence = _el(header, "MovementSequence")
        _el(sequence, "Number", envelope.sequence[0])
        _el(sequence, "Total", envelope.sequence[1])
    return element


# --- notification -------------------------------------------------------------------------------
def _party(parent, name: str, party) -> None:
    element = _el(parent, name)
    _opt(element, "RegistrationID", party.registration_no)
    _el(element, "Name", party.name)
    _el(element, "Address", party.address)
    _el(element, "CountryCode", party.country_code)
    for tag, value in (("ContactPerson", party.contact_person), ("Telephone", party.tel),
                       ("Fax", party.fax), ("Email", party.email), ("Site", party.site),
                       ("TransportMode", party.transport_mode)):
        _opt(element, tag, value)


def notification_submission(envelope: Envelope, n, attachments) -> etree._Element:
    """Notification blocks 1–18 (the authorities' blocks 19–21 travel as later messages)."""
    message = root("TMWNotificationSubmissionMessage", envelope)
    body = _el(message, "Notification")
    _el(body, "NotificationType", n.notification_type)
    _el(body, "PreConsented", bool(n.pre_consented))
    _el(body, "IntendedShipments", n.intended_shipments)
    _el(body, "TotalQuantity", n.total_quantity, unit=n.quantity_unit)
    period = _el(body, "Period")
    _el(period, "FirstDeparture", n.first_departure)
    _el(period, "LastDeparture", n.last_departure)
    for code in n.codes_in("packaging"):
        _el(body, "Packaging", code, scheme="PACKAGING")
    if n.special_handling:
        _el(body, "SpecialHandling", n.special_handling_details or "yes")
    for tag, role in (("Exporter", "exporter"), ("Importer", "importer"),
                      ("Generator", "generator"), ("Facility", "facility"),
                      ("Carrier", "carrier")):
        for party in n.parties_in(role):
            _party(body, tag, party)
    operation = _el(body, "Operation")
    _el(operation, "Code", n.operation_code, scheme="OPERATION")
    _texts(operation, "Technology", n.technology, n.technology_en)
    _texts(operation, "ReasonForExport", n.reason_for_export, n.reason_for_export_en)
    _waste(body, n)
    states = _el(body, "StatesConcerned")
    for position, state in enumerate(sorted(n.states, key=_route_order), start=1):
        element = _el(states, "State")
        _el(element, "Role", state.role)
        _el(element, "Sequence", position)
        _el(element, "CountryCode", state.country_code)
        _opt(element, "AuthorityCode", state.authority_code)
        _opt(element, "EntryPoint", state.entry_point)
        _opt(element, "ExitPoint", state.exit_point)
    for mode in n.codes_in("transport_mode"):
        _el(body, "TransportMode", mode)
    _opt(body, "CustomsOfficeExit", n.customs_office_exit)
    _opt(body, "CustomsOfficeEntry", n.customs_office_entry)
    _opt(body, "Insurance", n.insurance)
    if n.guarantee_amount is not None and n.guarantee_currency and n.guarantor:
        guarantee = _el(body, "FinancialGuarantee")
        _el(guarantee, "Amount", f"{n.guarantee_amount:.2f}", currency=n.guarantee_currency)
        _el(guarantee, "Guarantor", n.guarantor)
        _el(guarantee, "ValidFrom", n.guarantee_valid_from)
        _el(guarantee, "ValidTo", n.guarantee_valid_to)
    if n.declaration_name and n.declaration_accepted_at:
        declaration = _el(body, "Declaration")
        _el(declaration, "Name", n.declaration_name)
        _el(declaration, "DeclaredAt", n.declaration_accepted_at)
    for attachment in attachments:
        attach(body, attachment)
    return message


def _route_order(state) -> tuple[int, int]:
    return ({"export": 0, "transit": 1, "import": 2}[state.role], state.seq)


def _waste(body, n) -> None:
    waste = _el(body, "Waste")
    _texts(waste, "Designation", n.waste_designation, n.waste_designation_en, required=True)
    _texts(waste, "Composition", n.waste_composition, n.waste_composition_en)
    _texts(waste, "GeneratingProcess", n.generating_process, n.generating_process_en)
    for code in n.codes_in("physical"):
        _el(waste, "PhysicalCharacteristics", code, scheme="PHYSICAL")
    for ours, scheme in IDENTIFICATION_SCHEMES.items():
        for code in n.codes_in(ours):
            name = "BASEL_II_Y" if ours == "y_code" and code in ANNEX_II else scheme
            _el(waste, "Identification", code, scheme=name)
    for tag, value, scheme in (("Identification", n.national_code_export, "NATIONAL_EXPORT"),
                               ("Identification", n.national_code_import, "NATIONAL_IMPORT")):
        if value:
            _el(waste, tag, value, scheme=scheme)
    if n.un_number:
        _el(waste, "UNNumber", n.un_number if n.un_number.startswith("UN")
            else f"UN{n.un_number}")
    _opt(waste, "UNShippingName", n.un_shipping_name)


def attach(parent, attachment) -> None:
    import base64

    element = _el(parent, "Attachment", kind=attachment.kind)
    _el(element, "FileName", attachment.filename)
    _el(element, "MimeType", attachment.content_type)
    _el(element, "SHA256", attachment.sha256)
    _el(element, "Content", base64.b64encode(attachment.content).decode())


# --- answers and decisions ----------------------------------------------------------------------
def acknowledgement(envelope: Envelope, on: date):
    message = root("TMWNotificationAcknowledgementMessage", envelope)
    _el(message, "AcknowledgementDate", on)
    return message


def information_request(envelope: Envelope, text: str, text_en: str | None = None,
                        missing: list[str] | None = None):
    """`missing`: None for a question on an acknowledged notification; else the request
    states the notification incomplete, with what it lacks (possibly nothing listed)."""
    message = root("TMWFurtherNotificationRequest", envelope)
    _texts(message, "RequestText", text, text_en, required=True)
    if missing is not None:
        _el(message, "NotificationIncomplete", True)
        for item in missing[:200]:
            _el(message, "MissingItem", item[:4000])
    return message


def information_reply(envelope: Envelope, text: str, attachments=(), text_en: str | None = None):
    message = root("TMWFurtherNotificationReply", envelope)
    _texts(message, "ReplyText", text, text_en, required=True)
    for attachment in attachments:
        attach(message, attachment)
    return message


def consent(envelope: Envelope, valid_from: date, valid_to: date, conditions: str | None,
            conditions_en: str | None = None, tacit: tuple[date, str] | None = None):
    """`tacit`: (deemed on, the rule's legal basis) for a consent deemed given by silence."""
    message = root("TMWNotificationDecisionMessage", envelope)
    element = _el(message, "Consent")
    _el(element, "ValidFrom", valid_from)
    _el(element, "ValidTo", valid_to)
    _texts(element, "Conditions", conditions, conditions_en)
    if tacit is not None:
        deemed = _el(element, "Tacit")
        _el(deemed, "DeemedOn", tacit[0])
        _el(deemed, "Basis", tacit[1][:4000])
    return message


def objection(envelope: Envelope, reasons: str, reasons_en: str | None = None):
    message = root("TMWNotificationDecisionMessage", envelope)
    element = _el(message, "Objection")
    _texts(element, "Reasons", reasons, reasons_en, required=True)
    return message


def cancellation(envelope: Envelope, kind: str, reason: str, reason_en: str | None = None):
    message = root("TMWCancellationMessage", envelope)
    _el(message, "CancellationType", kind)
    _texts(message, "Reason", reason, reason_en, required=True)
    return message


# --- movements ----------------------------------------------------------------------------------
def movement_announcement(envelope: Envelope, shipment, n=None, declared_at=None):
    """MD blocks 1–7; with the notification `n`, every other block of Basel Annex V B."""
    message = root("TMWMovementAnnouncementMessage", envelope)
    _el(message, "ActualQuantity", shipment.actual_quantity, unit=shipment.quantity_unit)
    _el(message, "ShipmentDate", shipment.shipment_date)
    _el(message, "ExpectedArrival", shipment.expected_arrival)
    _el(message, "Packages", shipment.packages)
    for code in shipment.packaging:
        _el(message, "Packaging", code, scheme="PACKAGING")
    _el(message, "DueToTakeBack", bool(shipment.due_to_take_back))
    if n is not None:
        _annex_v_b(message, n, declared_at)
    return message


def _annex_v_b(message, n, declared_at) -> None:
    for tag, role, many in (("Exporter", "exporter", False), ("Importer", "importer", False),
                            ("Generator", "generator", True), ("Facility", "facility", False),
                            ("Carrier", "carrier", True)):
        for party in n.parties_in(role)[:None if many else 1]:
            _party(message, tag, party)
    for mode in n.codes_in("transport_mode"):
        _el(message, "TransportMode", mode)
    for position, state in enumerate(sorted(n.states, key=_route_order), start=1):
        element = _el(message, "State")
        _el(element, "Role", state.role)
        _el(element, "Sequence", position)
        _el(element, "CountryCode", state.country_code)
        _opt(element, "AuthorityCode", state.authority_code)
        _opt(element, "EntryPoint", state.entry_point)
        _opt(element, "ExitPoint", state.exit_point)
    _waste(message, n)
    if n.special_handling:
        _el(message, "SpecialHandling", n.special_handling_details or "yes")
    if n.declaration_name and declared_at is not None:
        declaration = _el(message, "Declaration")
        _el(declaration, "Name", n.declaration_name)
        _el(declaration, "DeclaredAt", declared_at)
        _el(declaration, "NoObjection", True)


def transport_statement(envelope: Envelope, transfer):
    message = root("TMWTransportStatementMessage", envelope)
    _el(message, "CarrierName", transfer.carrier_name)
    _el(message, "TransportMode", transfer.transport_mode)
    _el(message, "TransferDate", transfer.transferred_on)
    _el(message, "SignedBy", transfer.signed_by)
    return message


def receipt(envelope: Envelope, shipment, accepted: bool, reason: str | None = None):
    message = root("TMWCertificateOfWasteReceiptMessage", envelope)
    _el(message, "ReceivedDate", shipment.received_on)
    _el(message, "ReceivedQuantity", shipment.received_quantity or shipment.actual_quantity,
        unit=shipment.quantity_unit)
    _el(message, "Accepted", accepted)
    if not accepted:
        _el(message, "RejectionReason", reason or "rejected")
    _opt(message, "ApproxRecoveryDate", shipment.approx_recovery_date)
    return message


def recovery(envelope: Envelope, shipment):
    message = root("TMWCertificateOfWasteRecoveryDisposalMessage", envelope)
    _el(message, "CompletedDate", shipment.recovery_completed_on)
    _el(message, "OperationCode", shipment.recovery_operation_code, scheme="OPERATION")
    return message


def take_back_request(envelope: Envelope, situation: str, reason: str, notice: date,
                      due: date | None):
    """The shipment cannot be completed: take it back or arrange otherwise (Basel Art. 8)."""
    message = root("TMWTakeBackRequestMessage", envelope)
    _el(message, "Situation", situation)
    _el(message, "Reason", reason)
    _el(message, "NoticeDate", notice)
    _opt(message, "TakeBackDueDate", due)
    return message


def amendment_decision(envelope: Envelope, amendment_message_id: str | None, consented: bool,
                       text: str | None):
    message = root("TMWAmendmentDecisionMessage", envelope)
    _el(message, "AmendmentMessageID", amendment_message_id)
    if consented:
        element = _el(message, "Consent")
        _opt(element, "Conditions", text)
    else:
        _el(_el(message, "Objection"), "Reasons", text or "objected")
    return message


def take_back_arrangement(envelope: Envelope, arrangement: str, description: str):
    message = root("TMWTakeBackArrangementMessage", envelope)
    _el(message, "Arrangement", arrangement)
    _el(message, "Description", description)
    return message


# --- status ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusAt:
    """A state of a case and since when (the event that entered it)."""

    status: str
    since: datetime
    number: int | None = None  #: the movement's number n of N


def status_answer(envelope: Envelope, received_message_id: str, notification: StatusAt,
                  consent: tuple[date, date] | None, movements: list[StatusAt]):
    message = root("TMWStatusAnswerMessage", envelope)
    _el(message, "ReceivedMessageID", received_message_id)
    element = _el(message, "Notification")
    _el(element, "Status", notification.status)
    _el(element, "StatusSince", notification.since)
    if consent is not None:
        period = _el(element, "Consent")
        _el(period, "ValidFrom", consent[0])
        _el(period, "ValidTo", consent[1])
    for movement in movements:
        item = _el(message, "Movement")
        _el(item, "Number", movement.number)
        _el(item, "Status", movement.status)
        _el(item, "StatusSince", movement.since)
    return message


# --- technical answers --------------------------------------------------------------------------
def confirmation(envelope: Envelope, received_message_id: str, status: str):
    message = root("TMWConfirmationOfMessageReceipt", envelope)
    _el(message, "ReceivedMessageID", received_message_id)
    _el(message, "Status", status)
    return message


def error(envelope: Envelope, received_message_id: str | None, errors: list[tuple]):
    """`errors`: (code, field or None, description) triples."""
    message = root_without_notification("TMWErrorMessage", envelope)
    _opt(message, "ReceivedMessageID", received_message_id)
    for code, field, description in errors:
        element = _el(message, "Error")
        _el(element, "Code", code)
        _opt(element, "Field", field)
        _el(element, "Description", description[:4000] or code)
    return message


def root_without_notification(message_type: str, envelope: Envelope):
    """The error message may answer a message we could not even read: no NotificationID."""
    element = etree.Element(_NS + message_type, nsmap={None: NAMESPACE})
    header = _el(element, "Header")
    _el(header, "MessageID", envelope.message_id)
    _el(header, "CorrelationID", envelope.correlation_id)
    _el(header, "SenderAuthority", envelope.sender)
    _el(header, "ReceiverAuthority", envelope.receiver)
    _el(header, "IssueDateTime", envelope.issued_at or utcnow())
    if envelope.notification_id:
        _el(header, "NotificationID", envelope.notification_id)
    return element

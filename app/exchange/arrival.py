"""The business rules an inbound message meets before it changes anything.

A schema-valid message can still be impossible: a waste code no list holds on the day, a
period that ends before it begins, a certificate of something that has not happened yet, a
reply to a message nobody sent, a shipment beyond the consent. Each rule here is the one the
Japanese forms apply (the same reference lists, the same completeness code), and each refusal
names its rule with a published code, the element at fault (Field) and an English sentence.
Everything runs inside the inbound message's transaction: a refusal rolls the message back.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import select

from app.basel.completeness import period_gaps
from app.basel.models import BaselNotification
from app.cases.models import Case
from app.extensions import db
from app.reference import lookups
from app.timeutil import today_in_japan, utcnow

from .models import ExchangeMessage
from .readers import NS, SCHEME_LISTS, day, text
from .xmlsec import XmlRejected

#: how far a sender's clock may run ahead of ours (IssueDateTime is compared with our time)
CLOCK_SKEW = timedelta(minutes=5)

#: the zone whose calendar day is the latest on Earth (UTC+14, Line Islands)
LATEST_ZONE = timezone(timedelta(hours=14))

#: messages that answer nothing (they open a conversation) or answer on the transport level
_NO_CORRELATION = {"TMWNotificationSubmissionMessage", "TMWConfirmationOfMessageReceipt",
                   "TMWErrorMessage", "TMWStatusQueryMessage"}

#: dates that record a fact: the fact cannot be later than the day the message was issued
PAST_FACTS = {
    "TMWNotificationAcknowledgementMessage": ("t:AcknowledgementDate",),
    "TMWTransportStatementMessage": ("t:TransferDate",),
    "TMWCertificateOfWasteReceiptMessage": ("t:ReceivedDate",),
    "TMWCertificateOfWasteRecoveryDisposalMessage": ("t:CompletedDate",),
}

#: the schemes a notification's codes are checked in (message scheme -> reference list)
_CODE_LISTS = {**SCHEME_LISTS, "OPERATION": "operation", "PACKAGING": "packaging",
               "PHYSICAL": "physical"}


def check(inbound) -> None:
    """Refuse the message (XmlRejected) at the first rule it breaks."""
    head = inbound.header
    _issued_not_in_future(head)
    for path in PAST_FACTS.get(head.message_type, ()):
        _not_after_issue(inbound, path)
    rule = RULES.get(head.message_type)
    if rule is not None:
        rule(inbound)


def _issued_not_in_future(head) -> None:
    if head.issued_at > utcnow() + CLOCK_SKEW:
        raise XmlRejected("DATE_IN_FUTURE", f"IssueDateTime {head.issued_at.isoformat()} is "
                                            "later than the time of receipt.",
                          field="tmw:Header/tmw:IssueDateTime")


def check_correlation(inbound) -> None:
    """A reply (CorrelationID not its own MessageID) names a message exchanged with this
    sender about this notification. Checked once the message found its case, so that an
    unknown notification or a sender not concerned is told so first."""
    head = inbound.header
    if head.message_type in _NO_CORRELATION or head.correlation_id == head.message_id:
        return
    known = db.session.scalar(select(ExchangeMessage.id).where(
        ExchangeMessage.partner_id == inbound.partner.id,
        ExchangeMessage.message_id == head.correlation_id,
        ExchangeMessage.notification_number == head.notification_id).limit(1))
    if known is None:
        raise XmlRejected("UNKNOWN_CORRELATION",
                          f"CorrelationID {head.correlation_id} names no message exchanged "
                          f"with {inbound.partner.authority_code} about notification "
                          f"{head.notification_id}.", field="tmw:Header/tmw:CorrelationID")


def _not_after_issue(inbound, path: str) -> None:
    """A date is written in the local time of whoever states it (the sender, or the facility
    it certifies for): it cannot be later than the calendar day anywhere on Earth at the
    moment the message was issued."""
    stated = day(inbound.tree, path)
    latest = inbound.header.issued_at.astimezone(LATEST_ZONE).date()
    if stated is not None and stated > latest:
        raise XmlRejected("DATE_IN_FUTURE", f"{_name(path)} {stated} is after the day the "
                                            f"message was issued ({latest} at the latest).",
                          field=_field(path))


# --- per message type ---------------------------------------------------------------------
def _notification(inbound) -> None:
    """Codes valid on the day of receipt and the period of shipments (NF blocks 6, 7, 11–14)."""
    tree, on = inbound.tree, today_in_japan()
    n = tree.find("t:Notification", NS)
    for element, position, scheme in _coded(n):
        code = (element.text or "").strip()
        if not lookups.is_valid(_CODE_LISTS[scheme], code, on):
            raise XmlRejected("UNKNOWN_CODE", f"{code} is not a valid {scheme} code on {on} "
                                              "(the code lists published with the schemas).",
                              field=position)
    _guarantee_period(n)
    _shipments_fit_the_type(n)
    period = SimpleNamespace(first_departure=day(n, "t:Period/t:FirstDeparture"),
                             last_departure=day(n, "t:Period/t:LastDeparture"),
                             pre_consented=text(n, "t:PreConsented") == "true")
    for gap in period_gaps(period, on):
        raise XmlRejected("INVALID_PERIOD", english(gap.message, dict(gap.params)),
                          field="tmw:Notification/tmw:Period/tmw:LastDeparture")


def _shipments_fit_the_type(n) -> None:
    """A single notification covers one shipment (NF blocks 3 and 4)."""
    shipments = text(n, "t:IntendedShipments")
    if text(n, "t:NotificationType") == "single" and shipments != "1":
        raise XmlRejected("INVALID_CONTENT", f"A single notification covers one shipment, "
                                             f"not {shipments}.",
                          field="tmw:Notification/tmw:IntendedShipments")


def _guarantee_period(n) -> None:
    guarantee = n.find("t:FinancialGuarantee", NS)
    if guarantee is None:
        return
    start, end = day(guarantee, "t:ValidFrom"), day(guarantee, "t:ValidTo")
    if end < start:
        raise XmlRejected("INVALID_PERIOD", f"The guarantee ends ({end}) before it begins "
                                            f"({start}).",
                          field="tmw:Notification/tmw:FinancialGuarantee/tmw:ValidTo")


def _coded(n):
    """(element, its Field path, its scheme) for every coded value the lists must hold."""
    found = []
    for tag, parent, prefix in (("t:Packaging", n, "tmw:Notification"),
                                ("t:Operation/t:Code", n, "tmw:Notification"),
                                ("t:PhysicalCharacteristics", n.find("t:Waste", NS),
                                 "tmw:Notification/tmw:Waste"),
                                ("t:Identification", n.find("t:Waste", NS),
                                 "tmw:Notification/tmw:Waste")):
        elements = parent.findall(tag, NS)
        for index, element in enumerate(elements, start=1):
            scheme = element.get("scheme")
            if scheme not in _CODE_LISTS:
                continue  # national codes and UN numbers have no list of ours
            step = _field(tag) + (f"[{index}]" if len(elements) > 1 else "")
            found.append((element, f"{prefix}/{step}", scheme))
    return found


def _decision(inbound) -> None:
    consent = inbound.tree.find("t:Consent", NS)
    if consent is None:
        return
    start, end = day(consent, "t:ValidFrom"), day(consent, "t:ValidTo")
    if end < start:
        raise XmlRejected("INVALID_PERIOD", f"The consent ends ({end}) before it begins "
                                            f"({start}).", field="tmw:Consent/tmw:ValidTo")


def _amendment(inbound) -> None:
    """The amended period of shipments meets the same rules as the notified one."""
    tree = inbound.tree
    if tree.find("t:Period", NS) is None:
        return
    n = db.session.scalar(select(BaselNotification).join(Case).where(
        Case.number == inbound.header.notification_id))
    period = SimpleNamespace(first_departure=day(tree, "t:Period/t:FirstDeparture"),
                             last_departure=day(tree, "t:Period/t:LastDeparture"),
                             pre_consented=bool(n and n.pre_consented))
    for gap in period_gaps(period, today_in_japan()):
        raise XmlRejected("INVALID_PERIOD", english(gap.message, dict(gap.params)),
                          field="tmw:Period/tmw:LastDeparture")


RULES = {
    "TMWNotificationAmendmentMessage": _amendment,
    "TMWNotificationSubmissionMessage": _notification,
    "TMWNotificationDecisionMessage": _decision,
}


# --- refusals of the procedure, named by their rule ----------------------------------------
#: the shipment rules of the consent (app/basel/consent.py) -> (code, Field)
ANNOUNCE_RULES = {
    "Shipments can only be announced while the consent is active; the notification is "
    "“{state}”.": ("STATE_CONFLICT", None),
    "No consent with a validity period is recorded.": ("STATE_CONFLICT", None),
    "The shipment date {day} is outside the consent's validity ({start} – {end}).": (
        "INVALID_PERIOD", "tmw:ShipmentDate"),
    "All {total} consented shipments have been announced.": (
        "QUANTITY_EXCEEDED", "tmw:Header/tmw:MovementSequence/tmw:Number"),
    "The quantity must be given in {unit}, the unit of the consent.": (
        "INVALID_CONTENT", "tmw:ActualQuantity"),
    "{quantity} {unit} exceeds what remains of the consented quantity ({left} of {total} "
    "{unit}).": ("QUANTITY_EXCEEDED", "tmw:ActualQuantity"),
}


def announce_refused(refusal: tuple[str, dict]) -> XmlRejected:
    message, params = refusal
    code, field = ANNOUNCE_RULES.get(message, ("INVALID_CONTENT", None))
    return XmlRejected(code, english(message, params), field=field)


#: fields of the procedure's forms -> the element of each message that carries them
FORM_FIELDS = {
    "received_on": {"TMWCertificateOfWasteReceiptMessage": "tmw:ReceivedDate",
                    "TMWNotificationAcknowledgementMessage": "tmw:AcknowledgementDate"},
    "received_quantity": {"TMWCertificateOfWasteReceiptMessage": "tmw:ReceivedQuantity"},
    "recovery_completed_on": {
        "TMWCertificateOfWasteRecoveryDisposalMessage": "tmw:CompletedDate"},
    "recovery_operation_code": {
        "TMWCertificateOfWasteRecoveryDisposalMessage": "tmw:OperationCode"},
    "transferred_on": {"TMWTransportStatementMessage": "tmw:TransferDate"},
    "valid_from": {"TMWNotificationDecisionMessage": "tmw:Consent/tmw:ValidFrom"},
    "valid_to": {"TMWNotificationDecisionMessage": "tmw:Consent/tmw:ValidTo"},
    "expected_arrival": {"TMWMovementAnnouncementMessage": "tmw:ExpectedArrival"},
    "shipment_date": {"TMWMovementAnnouncementMessage": "tmw:ShipmentDate"},
}


def field_of_form(message_type: str, messages) -> str | None:
    """The element behind the first form field a ValidationError names, if any."""
    names = list(messages) if isinstance(messages, dict) else []
    for name in names:
        if (path := FORM_FIELDS.get(name, {}).get(message_type)) is not None:
            return path
    return None


def english(template: str, params: dict) -> str:
    """A rule's message template (msgid, English) with its parameters filled in."""
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def _field(path: str) -> str:
    return "/".join(step.replace("t:", "tmw:", 1) for step in path.split("/"))


def _name(path: str) -> str:
    return path.rsplit(":", 1)[-1]


__all__ = ["announce_refused", "check", "check_correlation", "english", "field_of_form"]

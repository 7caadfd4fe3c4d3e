"""The reference client's messages beyond the first set (INTERFACE.md section 5), each built in
the order of its schema from the document alone: information requests and replies, the status
query, amendments, take-back requests and arrangements, cancellations, and the error a partner
answers with when it refuses one of JP-MOE's messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

NS = "urn:jp:go:env:eproc:basel:tmw:1.0"


class AddedMessages:
    """Mixed into ReferenceClient, which provides `header`."""

    def information_request(self, number: str, correlation: str, text: str,
                            missing: tuple[str, ...] = ()):
        """`missing`: the notification is incomplete (asked before acknowledging)."""
        root = self.header("TMWFurtherNotificationRequest", number, correlation)
        sub(root, "RequestText", text, lang="en")
        if missing:
            sub(root, "NotificationIncomplete", "true")
            for item in missing:
                sub(root, "MissingItem", item, lang="en")
        return root

    def information_reply(self, number: str, correlation: str, text: str):
        root = self.header("TMWFurtherNotificationReply", number, correlation)
        sub(root, "ReplyText", text, lang="en")
        return root

    def cancellation(self, number: str, correlation: str, kind: str, reason: str,
                     sequence: tuple[int, int] | None = None):
        root = self.header("TMWCancellationMessage", number, correlation, sequence)
        sub(root, "CancellationType", kind)
        sub(root, "Reason", reason)
        return root

    def status_query(self, number: str, sequence: tuple[int, int] | None = None):
        return self.header("TMWStatusQueryMessage", number, sequence=sequence)

    def amendment(self, number: str, correlation: str, reason: str, *,
                  quantity: str | None = None, carrier: dict | None = None):
        root = self.header("TMWNotificationAmendmentMessage", number, correlation)
        sub(root, "Reason", reason)
        if quantity:
            sub(root, "TotalQuantity", decimal3(quantity), unit="t")
        if carrier:
            party(root, "Carrier", carrier)
        return root

    def take_back_request(self, number: str, correlation: str, sequence: tuple[int, int],
                          reason: str, notice: date, due: date):
        root = self.header("TMWTakeBackRequestMessage", number, correlation, sequence)
        sub(root, "Situation", "cannot_complete")
        sub(root, "Reason", reason)
        sub(root, "NoticeDate", notice.isoformat())
        sub(root, "TakeBackDueDate", due.isoformat())
        return root

    def take_back_arrangement(self, number: str, correlation: str, sequence: tuple[int, int],
                              description: str, operation: str = "R4"):
        root = self.header("TMWTakeBackArrangementMessage", number, correlation, sequence)
        sub(root, "Arrangement", "alternative")
        sub(root, "Description", description)
        sub(root, "OperationCode", operation, scheme="OPERATION")
        return root

    def error(self, refused, code: str, description: str):
        """Our refusal of a message JP-MOE sent us (`refused`: a Received)."""
        root = self.header("TMWErrorMessage", refused.notification_id, refused.message_id)
        sub(root, "ReceivedMessageID", refused.message_id)
        fault = sub(root, "Error")
        sub(fault, "Code", code)
        sub(fault, "Description", description)
        return root


def guarantee(parent, amount: str, currency: str, guarantor: str, valid: tuple[date, date]):
    """Notification block `FinancialGuarantee` (Basel Convention Art. 6(11))."""
    element = sub(parent, "FinancialGuarantee")
    sub(element, "Amount", f"{Decimal(amount):.2f}", currency=currency)
    sub(element, "Guarantor", guarantor)
    sub(element, "ValidFrom", valid[0].isoformat())
    sub(element, "ValidTo", valid[1].isoformat())
    return element


def party(parent, tag: str, values: dict):
    element = sub(parent, tag)
    for key, value in values.items():
        sub(element, key, value)
    return element


def sub(parent, tag: str, text: str | None = None, *, lang: str | None = None, **attrs):
    if lang:
        attrs["{http://www.w3.org/XML/1998/namespace}lang"] = lang
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def decimal3(value: str) -> str:
    return f"{Decimal(value):.3f}"

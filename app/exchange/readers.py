"""Reading verified messages into plain values (only ever from the tree the signature covers)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from .schemas import NAMESPACE
from .xmlsec import XmlRejected

NS = {"t": NAMESPACE}
SCHEME_LISTS = {"BASEL_VIII": "basel_viii", "BASEL_IX": "basel_ix", "OECD": "oecd_gc",
                "Y": "y_code", "BASEL_II_Y": "y_code", "H": "h_code", "UN_CLASS": "un_class",
                "HS": "hs"}


def text(node, path: str) -> str | None:
    found = node.find(path, NS)
    return found.text.strip() if found is not None and found.text is not None else None


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def written(node, path: str) -> tuple[str | None, str | None]:
    """A free text given once or once per language (xml:lang): (the text as its author wrote
    it, its English version). A text in English only is both."""
    found = [e for e in node.findall(path, NS) if e.text and e.text.strip()]
    english = next((e for e in found if e.get(XML_LANG) == "en"), None)
    own = next((e for e in found if e.get(XML_LANG) != "en"), english)
    return (own.text.strip() if own is not None else None,
            english.text.strip() if english is not None and english is not own else None)


def texts(node, path: str) -> list[str]:
    return [e.text.strip() for e in node.findall(path, NS) if e.text]


def day(node, path: str) -> date | None:
    value = text(node, path)
    return date.fromisoformat(value) if value else None


def quantity(node, path: str) -> tuple[Decimal, str] | None:
    found = node.find(path, NS)
    return (Decimal(found.text.strip()), found.get("unit")) if found is not None else None


@dataclass(frozen=True)
class Header:
    message_type: str
    message_id: str
    correlation_id: str
    sender: str
    receiver: str
    issued_at: datetime
    notification_id: str | None
    sequence: tuple[int, int] | None


def header(root) -> Header:
    node = root.find("t:Header", NS)
    number, total = text(node, "t:MovementSequence/t:Number"), text(
        node, "t:MovementSequence/t:Total")
    return Header(
        message_type=etree.QName(root).localname,
        message_id=text(node, "t:MessageID").lower(),
        correlation_id=text(node, "t:CorrelationID").lower(),
        sender=text(node, "t:SenderAuthority"), receiver=text(node, "t:ReceiverAuthority"),
        issued_at=datetime.fromisoformat(text(node, "t:IssueDateTime")),
        notification_id=text(node, "t:NotificationID"),
        sequence=(int(number), int(total)) if number else None)


def party(node) -> dict:
    fields = {"registration_no": "t:RegistrationID", "name": "t:Name", "address": "t:Address",
              "country_code": "t:CountryCode", "contact_person": "t:ContactPerson",
              "tel": "t:Telephone", "fax": "t:Fax", "email": "t:Email", "site": "t:Site",
              "transport_mode": "t:TransportMode"}
    return {key: text(node, path) for key, path in fields.items()}


@dataclass(frozen=True)
class AttachmentIn:
    kind: str
    filename: str
    content_type: str
    content: bytes


def attachments(node) -> list[AttachmentIn]:
    found = []
    for element in node.findall("t:Attachment", NS):
        content = base64.b64decode(text(element, "t:Content") or "")
        if hashlib.sha256(content).hexdigest() != text(element, "t:SHA256").lower():
            raise XmlRejected("ATTACHMENT_DIGEST", "An attachment's SHA256 does not match its "
                                                   "content.")
        found.append(AttachmentIn(element.get("kind") or "other", text(element, "t:FileName"),
                                  text(element, "t:MimeType"), content))
    return found


def notification(root) -> dict:
    """A notification submission as the sections, parties and route our model holds."""
    n = root.find("t:Notification", NS)
    total = quantity(n, "t:TotalQuantity")
    codes: dict[str, list[str]] = {}
    waste = n.find("t:Waste", NS)
    for element in waste.findall("t:Identification", NS):
        scheme = element.get("scheme")
        if scheme in SCHEME_LISTS:
            codes.setdefault(SCHEME_LISTS[scheme], []).append(element.text.strip())
    national = {e.get("scheme"): e.text.strip() for e in waste.findall("t:Identification", NS)
                if e.get("scheme", "").startswith("NATIONAL_")}
    un_number = text(waste, "t:UNNumber")
    return {
        "shipment": {
            "notification_type": text(n, "t:NotificationType"),
            "pre_consented": text(n, "t:PreConsented") == "true",
            "intended_shipments": int(text(n, "t:IntendedShipments")),
            "total_quantity": total[0], "quantity_unit": total[1],
            "first_departure": day(n, "t:Period/t:FirstDeparture"),
            "last_departure": day(n, "t:Period/t:LastDeparture"),
            "special_handling": n.find("t:SpecialHandling", NS) is not None,
            "special_handling_details": text(n, "t:SpecialHandling"),
            "insurance": text(n, "t:Insurance"),
            **guarantee(n),
        },
        "waste": {
            "operation_code": text(n, "t:Operation/t:Code"),
            **_written(n, "technology", "t:Operation/t:Technology"),
            **_written(n, "reason_for_export", "t:Operation/t:ReasonForExport"),
            **_written(waste, "waste_designation", "t:Designation"),
            **_written(waste, "waste_composition", "t:Composition"),
            **_written(waste, "generating_process", "t:GeneratingProcess"),
            "un_number": un_number.removeprefix("UN") if un_number else None,
            "un_shipping_name": text(waste, "t:UNShippingName"),
            "national_code_export": national.get("NATIONAL_EXPORT"),
            "national_code_import": national.get("NATIONAL_IMPORT"),
        },
        "codes": {**codes, "packaging": texts(n, "t:Packaging"),
                  "physical": texts(waste, "t:PhysicalCharacteristics"),
                  "transport_mode": texts(n, "t:TransportMode")},
        "parties": [(role, party(e)) for role, tag in (
            ("exporter", "t:Exporter"), ("importer", "t:Importer"), ("generator", "t:Generator"),
            ("facility", "t:Facility"), ("carrier", "t:Carrier")) for e in n.findall(tag, NS)],
        "states": [{"role": text(e, "t:Role"), "seq": int(text(e, "t:Sequence")),
                    "country_code": text(e, "t:CountryCode"),
                    "authority_code": text(e, "t:AuthorityCode"),
                    "entry_point": text(e, "t:EntryPoint"),
                    "exit_point": text(e, "t:ExitPoint")}
                   for e in n.findall("t:StatesConcerned/t:State", NS)],
        "customs_office_exit": text(n, "t:CustomsOfficeExit"),
        "customs_office_entry": text(n, "t:CustomsOfficeEntry"),
        "declaration_name": text(n, "t:Declaration/t:Name"),
        "attachments": attachments(n),
    }


def amendment(root) -> dict:
    """The particulars an amendment changes, as strings (kept so in the audit trail)."""
    changes: dict = {}
    if (shipments := text(root, "t:IntendedShipments")) is not None:
        changes["intended_shipments"] = shipments
    if (total := quantity(root, "t:TotalQuantity")) is not None:
        changes["total_quantity"], changes["quantity_unit"] = str(total[0]), total[1]
    if root.find("t:Period", NS) is not None:
        changes["first_departure"] = text(root, "t:Period/t:FirstDeparture")
        changes["last_departure"] = text(root, "t:Period/t:LastDeparture")
    carriers = [{k: v for k, v in party(e).items() if v is not None}
                for e in root.findall("t:Carrier", NS)]
    if carriers:
        changes["carriers"] = carriers
    return changes


def guarantee(n) -> dict:
    """The structured financial guarantee, when the notification carries one."""
    found = n.find("t:FinancialGuarantee", NS)
    if found is None:
        return {}
    amount = found.find("t:Amount", NS)
    return {"guarantee_amount": Decimal(amount.text.strip()),
            "guarantee_currency": amount.get("currency"),
            "guarantor": text(found, "t:Guarantor"),
            "guarantee_valid_from": day(found, "t:ValidFrom"),
            "guarantee_valid_to": day(found, "t:ValidTo")}


def movement(root) -> dict:
    actual = quantity(root, "t:ActualQuantity")
    return {"actual_quantity": actual[0], "quantity_unit": actual[1],
            "shipment_date": day(root, "t:ShipmentDate"),
            "expected_arrival": day(root, "t:ExpectedArrival"),
            "packages": int(text(root, "t:Packages")), "packaging": texts(root, "t:Packaging"),
            "due_to_take_back": text(root, "t:DueToTakeBack") == "true"}


def _written(node, name: str, path: str) -> dict[str, str | None]:
    """A notification text and its English twin (`<name>_en`), as the section form names them."""
    own, english = written(node, path)
    return {name: own, f"{name}_en": english}

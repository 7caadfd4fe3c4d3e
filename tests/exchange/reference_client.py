"""A reference partner client, written only from xml_schemas/INTERFACE.md.

It plays a foreign competent authority's system: it knows the published documents (the
interface document, the XSDs, the code lists) and nothing of the Python code behind JP-MOE —
it imports nothing from `app`. It builds messages in schema order, validates them against the
XSD named in the document's message table, signs them with the profile of section 4.3, pushes
them, pulls JP-MOE's messages, checks every answer's schema and signature against the
certificates fetched from /exchange/v1/certificates, and confirms each business message.

The transport is any object with `get(path, headers)` and `post(path, body, headers)`
returning (status, headers, body): HTTP to a running system, or a WSGI test client.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from lxml import etree
from signxml import SignatureConfiguration, XMLSigner, XMLVerifier, methods

from tests.exchange.reference_messages import AddedMessages, guarantee, party
from tests.exchange.reference_messages import decimal3 as _decimal
from tests.exchange.reference_messages import sub as _sub

SCHEMAS = Path(__file__).resolve().parents[2] / "xml_schemas"
NS = "urn:jp:go:env:eproc:basel:tmw:1.0"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
JAPAN = "JP-MOE"
#: section 5: answers, never answered themselves
TECHNICAL = {"TMWConfirmationOfMessageReceipt", "TMWErrorMessage"}


def message_schemas() -> dict[str, Path]:
    """Root element -> schema file, read from the message table of INTERFACE.md section 5."""
    document = (SCHEMAS / "INTERFACE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(TMW\w+)` \| `([\w.-]+\.xsd)` \|", document, re.M)
    return {root: SCHEMAS / schema for root, schema in rows}


def safe_parser() -> etree.XMLParser:
    """Section 11: no DTD, no entities, no network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_blank_text=False)


class RefusedLocally(ValueError):
    """What we built or received does not follow the published schema or signature."""


@dataclass
class Answer:
    status: int
    root: str | None  # None: a confirmation or error taken with 204 and no body (section 5.3)
    tree: etree._Element | None  # what JP-MOE's signature covers
    headers: dict

    def codes(self) -> list[str]:
        return [e.findtext(f"{{{NS}}}Code") for e in self.tree.findall(f"{{{NS}}}Error")]

    def text(self, path: str) -> str | None:
        return self.tree.findtext("/".join(f"{{{NS}}}{p}" for p in path.split("/")))


@dataclass
class Received:
    root: str
    message_id: str
    correlation_id: str
    notification_id: str | None
    sequence: tuple[int, int] | None
    tree: etree._Element


@dataclass
class ReferenceClient(AddedMessages):
    authority: str
    country: str
    key_pem: bytes
    cert_pem: bytes
    transport: object
    pull_token: str | None = None
    zone: timezone = timezone(timedelta(hours=-5))
    cursor: int = 0
    inbox: list[Received] = field(default_factory=list)
    japan_certificates: list[bytes] = field(default_factory=list)
    #: the root of every message sent or received, answers included, in order
    traffic: list[str] = field(default_factory=list)
    #: the bytes of the last message pushed, to send them again (section 3.1, idempotency)
    last_sent: bytes = b""
    _schemas: dict = field(default_factory=dict)

    @property
    def used(self) -> set[str]:
        """Every message type the client has exercised."""
        return set(self.traffic)

    # --- trust (section 2) ---------------------------------------------------------------------
    def trust_japan(self, fingerprint_from_second_channel: str) -> None:
        """Fetch JP-MOE's certificates; trust them only if the one in use matches the
        fingerprint MOE gave us by another channel."""
        status, _headers, body = self.transport.get("/exchange/v1/certificates", {})
        if status != 200:
            raise RefusedLocally(f"certificates: HTTP {status}")
        listed = json.loads(body)["certificates"]
        current = [c for c in listed if c["signing_now"]]
        if len(current) != 1 or fingerprint(current[0]["pem"].encode()) != \
                fingerprint_from_second_channel or current[0]["sha256"] != \
                fingerprint_from_second_channel:
            raise RefusedLocally("JP-MOE's certificate does not match the fingerprint")
        self.japan_certificates = [c["pem"].encode() for c in listed]

    # --- building (sections 4 and 5) -----------------------------------------------------------
    def header(self, root: str, notification_id: str | None, correlation: str | None = None,
               sequence: tuple[int, int] | None = None, message_id: str | None = None):
        message_id = message_id or str(uuid.uuid4())
        element = etree.Element(f"{{{NS}}}{root}", nsmap={None: NS})
        head = _sub(element, "Header")
        _sub(head, "MessageID", message_id)
        _sub(head, "CorrelationID", correlation or message_id)
        _sub(head, "SenderAuthority", self.authority)
        _sub(head, "ReceiverAuthority", JAPAN)
        _sub(head, "IssueDateTime", datetime.now(self.zone).isoformat(timespec="seconds"))
        if notification_id:
            _sub(head, "NotificationID", notification_id)
        if sequence:
            movement = _sub(head, "MovementSequence")
            _sub(movement, "Number", str(sequence[0]))
            _sub(movement, "Total", str(sequence[1]))
        return element

    def notification(self, number: str, *, facility: dict, shipments: int, quantity: str,
                     first: date, waste_code: str = "A1181", operation: str = "R4",
                     destination: tuple[str, str, str] = ("JP", JAPAN, "Port of Onahama"),
                     transit: tuple[str, str, str] | None = None, guaranteed: bool = False):
        """`destination` and `transit`: (country, authority, port of entry) of the State of
        import and of a State of transit; `guaranteed`: with the structured financial
        guarantee (Basel Convention Art. 6(11))."""
        root = self.header("TMWNotificationSubmissionMessage", number)
        n = _sub(root, "Notification")
        _sub(n, "NotificationType", "general" if shipments > 1 else "single")
        _sub(n, "PreConsented", "false")
        _sub(n, "IntendedShipments", str(shipments))
        _sub(n, "TotalQuantity", _decimal(quantity), unit="t")
        period = _sub(n, "Period")
        _sub(period, "FirstDeparture", first.isoformat())
        _sub(period, "LastDeparture", (first + timedelta(days=200)).isoformat())
        _sub(n, "Packaging", "5", scheme="PACKAGING")
        exporter = {"Name": "Northern E-Scrap Exports Ltd.", "Address": "100 Harbour St",
                    "CountryCode": self.country, "ContactPerson": "Sam Roy",
                    "Telephone": "+1 604 555 0100", "Email": "export@northern.example"}
        for tag, values in (("Exporter", exporter), ("Importer", facility),
                            ("Generator", {**exporter, "Site": "Burnaby plant"}),
                            ("Facility", {**facility, "Site": "Smelter"}),
                            ("Carrier", {**exporter, "TransportMode": "S"})):
            party(n, tag, values)
        op = _sub(n, "Operation")
        _sub(op, "Code", operation, scheme="OPERATION")
        _sub(op, "Technology", "Copper smelting")
        _sub(op, "ReasonForExport", "Recovery of copper and precious metals")
        waste = _sub(n, "Waste")
        _sub(waste, "Designation", "Waste printed circuit boards")
        _sub(waste, "Composition", "Copper, epoxy resin, glass fibre")
        _sub(waste, "GeneratingProcess", "Dismantling of IT equipment")
        _sub(waste, "PhysicalCharacteristics", "2", scheme="PHYSICAL")
        _sub(waste, "Identification", waste_code, scheme="BASEL_VIII")
        _sub(waste, "Identification", "H11", scheme="H")
        _sub(waste, "Identification", "8549.21", scheme="HS")  # section 7.1: always an HS code
        states = _sub(n, "StatesConcerned")
        route = [("export", self.country, self.authority, None, "Port of Vancouver")]
        if transit:
            route.append(("transit", transit[0], transit[1], transit[2], transit[2]))
        route.append(("import", *destination, None))
        for seq, (role, country, authority, entry, exit_point) in enumerate(route, 1):
            state = _sub(states, "State")
            for tag, value in (("Role", role), ("Sequence", str(seq)), ("CountryCode", country),
                               ("AuthorityCode", authority), ("EntryPoint", entry),
                               ("ExitPoint", exit_point)):
                if value:
                    _sub(state, tag, value)
        _sub(n, "TransportMode", "S")
        _sub(n, "Insurance", "Marine cargo insurance policy 2026-77")
        if guaranteed:
            guarantee(n, "180000", "CAD", "Royal Bank of Canada",
                      (first, first + timedelta(days=365)))
        return root

    def acknowledgement(self, number: str, correlation: str, on: date):
        root = self.header("TMWNotificationAcknowledgementMessage", number, correlation)
        _sub(root, "AcknowledgementDate", on.isoformat())
        return root

    def consent(self, number: str, correlation: str, valid_from: date, valid_to: date,
                conditions: str | None = None):
        root = self.header("TMWNotificationDecisionMessage", number, correlation)
        consent = _sub(root, "Consent")
        _sub(consent, "ValidFrom", valid_from.isoformat())
        _sub(consent, "ValidTo", valid_to.isoformat())
        if conditions:
            _sub(consent, "Conditions", conditions)
        return root

    def announcement(self, number: str, correlation: str, sequence: tuple[int, int],
                     quantity: str, shipped: date, arrival: date):
        root = self.header("TMWMovementAnnouncementMessage", number, correlation, sequence)
        _sub(root, "ActualQuantity", _decimal(quantity), unit="t")
        _sub(root, "ShipmentDate", shipped.isoformat())
        _sub(root, "ExpectedArrival", arrival.isoformat())
        _sub(root, "Packages", "10")
        _sub(root, "Packaging", "5", scheme="PACKAGING")
        _sub(root, "DueToTakeBack", "false")
        return root

    def transport_statement(self, number: str, correlation: str, sequence: tuple[int, int],
                            on: date):
        root = self.header("TMWTransportStatementMessage", number, correlation, sequence)
        _sub(root, "CarrierName", "Pacific Ocean Line")
        _sub(root, "TransportMode", "S")
        _sub(root, "TransferDate", on.isoformat())
        _sub(root, "SignedBy", "Capt. Morgan")
        return root

    def receipt(self, number: str, correlation: str, sequence: tuple[int, int],
                received: date, quantity: str, approx_recovery: date):
        root = self.header("TMWCertificateOfWasteReceiptMessage", number, correlation,
                           sequence)
        _sub(root, "ReceivedDate", received.isoformat())
        _sub(root, "ReceivedQuantity", _decimal(quantity), unit="t")
        _sub(root, "Accepted", "true")
        _sub(root, "ApproxRecoveryDate", approx_recovery.isoformat())
        return root

    def recovery(self, number: str, correlation: str, sequence: tuple[int, int],
                 completed: date, operation: str = "R4"):
        """An interim operation (R12, R13, D13-D15) first, then the final one (section 5)."""
        root = self.header("TMWCertificateOfWasteRecoveryDisposalMessage", number,
                           correlation, sequence)
        _sub(root, "CompletedDate", completed.isoformat())
        _sub(root, "OperationCode", operation, scheme="OPERATION")
        return root

    def confirmation(self, received: Received):
        root = self.header("TMWConfirmationOfMessageReceipt", received.notification_id,
                           received.message_id, received.sequence)
        _sub(root, "ReceivedMessageID", received.message_id)
        _sub(root, "Status", "accepted")
        return root

    # --- validating and signing (sections 4.3 and 11) ------------------------------------------
    def validate(self, tree: etree._Element) -> None:
        name = etree.QName(tree).localname
        if etree.QName(tree).namespace != NS or name not in message_schemas():
            raise RefusedLocally(f"not a message of {NS}: {tree.tag}")
        if name not in self._schemas:
            self._schemas[name] = etree.XMLSchema(etree.parse(str(message_schemas()[name]),
                                                              safe_parser()))
        schema = self._schemas[name]
        if not schema.validate(tree):
            raise RefusedLocally(f"{name} is not valid: {schema.error_log.last_error}")

    def sign(self, tree: etree._Element, *, key_pem: bytes | None = None,
             cert_pem: bytes | None = None) -> bytes:
        signer = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256",
                           digest_algorithm="sha256", c14n_algorithm=EXC_C14N)
        signed = signer.sign(tree, key=key_pem or self.key_pem, cert=cert_pem or self.cert_pem)
        return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")

    def verify(self, body: bytes) -> etree._Element:
        """Schema as received (signature included), then the signature against JP-MOE's
        certificates; returns what the signature covers."""
        tree = etree.fromstring(body, safe_parser())
        self.validate(tree)
        for pem in self.japan_certificates:
            try:
                return XMLVerifier().verify(
                    body, x509_cert=pem.decode(), parser=safe_parser(),
                    expect_config=SignatureConfiguration(expect_references=1)).signed_xml
            except Exception:  # noqa: BLE001 - try the next trusted certificate
                continue
        raise RefusedLocally("no trusted JP-MOE certificate verifies this message")

    # --- push (section 3.1) --------------------------------------------------------------------
    def send(self, tree: etree._Element, **signing) -> Answer:
        self.validate(tree)
        self.traffic.append(etree.QName(tree).localname)
        self.last_sent = self.sign(tree, **signing)
        return self.post(self.last_sent)

    def post(self, body: bytes) -> Answer:
        status, headers, answer = self.transport.post(
            "/exchange/v1/messages", body, {"Content-Type": "application/xml"})
        if status == 204 and not answer:  # a confirmation or error is never answered
            return Answer(status, None, None, dict(headers))
        if headers.get("Content-Type", "").split(";")[0] != "application/xml":
            raise RefusedLocally(f"the answer is not XML: HTTP {status}")
        verified = self.verify(answer)
        self.traffic.append(etree.QName(verified).localname)
        return Answer(status, etree.QName(verified).localname, verified, dict(headers))

    # --- pull (section 3.2) --------------------------------------------------------------------
    def pull(self, *, confirm: bool = True) -> list[Received]:
        """Every message after our cursor, verified; business messages confirmed."""
        got: list[Received] = []
        while True:
            status, _headers, body = self.transport.get(
                f"/exchange/v1/messages?after={self.cursor}&limit=50",
                {"Authorization": f"Bearer {self.pull_token}"})
            if status != 200:
                raise RefusedLocally(f"pull: HTTP {status}: {body[:200]!r}")
            batch = json.loads(body)
            for item in batch["messages"]:
                tree = self.verify(base64.b64decode(item["xml_base64"]))
                received = _received(tree)
                if received.message_id != item["message_id"] or received.root != item["type"]:
                    raise RefusedLocally("the wrapper does not describe the message")
                got.append(received)
            self.cursor = batch["next_cursor"]
            if not batch["messages"]:
                break
        for received in got:
            self.inbox.append(received)
            self.traffic.append(received.root)
            if confirm and received.root not in TECHNICAL:
                answer = self.send(self.confirmation(received))
                if answer.status != 204:
                    raise RefusedLocally(f"confirmation refused: {answer.codes()}")
        return got


def fingerprint(pem: bytes) -> str:
    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex()


def attachment_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _received(tree: etree._Element) -> Received:
    def head(name: str) -> str | None:
        return tree.findtext(f"{{{NS}}}Header/{{{NS}}}{name}")

    number = head(f"MovementSequence/{{{NS}}}Number")
    total = head(f"MovementSequence/{{{NS}}}Total")
    return Received(etree.QName(tree).localname, head("MessageID"), head("CorrelationID"),
                    head("NotificationID"), (int(number), int(total)) if number else None,
                    tree)

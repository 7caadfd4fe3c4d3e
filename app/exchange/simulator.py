"""A partner authority played from its own key pair: the counterpart for demos, tests, benches.

It knows nothing of our database: it pulls its messages over HTTP with its token, reads them
as any partner would (the published XSDs), and answers with messages it builds and signs
itself — acknowledgement and consent for a notification, receipt and recovery certificates
for shipments, notifications of its own for imports into Japan.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from .readers import NS, header, text
from .schemas import NAMESPACE, validate
from .xmlsec import parse_untrusted, sign

_NS = f"{{{NAMESPACE}}}"
LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_depth": 64}


class HttpTransport:
    """Talks to a running system over HTTP."""

    def __init__(self, base_url: str, pull_token: str):
        self.base_url, self.pull_token = base_url.rstrip("/"), pull_token

    def get(self, path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base_url + path, headers={
            "Authorization": f"Bearer {self.pull_token}"})
        return self._open(request)

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base_url + path, data=body, method="POST",
                                         headers={"Content-Type": "application/xml"})
        return self._open(request)

    def _open(self, request) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


class ClientTransport:
    """Talks to the app in the same process (tests, demo data) through Flask's test client."""

    def __init__(self, client, pull_token: str):
        self.client, self.pull_token = client, pull_token

    def get(self, path: str) -> tuple[int, bytes]:
        response = self.client.get(path, headers={"Authorization": f"Bearer {self.pull_token}"})
        return response.status_code, response.get_data()

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        response = self.client.post(path, data=body, content_type="application/xml")
        return response.status_code, response.get_data()


@dataclass
class Sent:
    status: int
    answer: etree._Element | None
    message_id: str


@dataclass
class PartnerSimulator:
    authority: str
    country: str
    transport: object
    key_pem: bytes
    cert_pem: bytes
    zone: str = "America/New_York"
    cursor: int = 0
    #: what it received: (message type, notification id, movement n or None, message id)
    inbox: list[tuple[str, str, int | None, str]] = field(default_factory=list)

    # --- receiving -----------------------------------------------------------------------------
    def pull(self) -> list[etree._Element]:
        status, body = self.transport.get(f"/exchange/v1/messages?after={self.cursor}")
        if status != 200:
            raise RuntimeError(f"pull refused: HTTP {status}")
        batch = json.loads(body)
        trees = []
        for item in batch["messages"]:
            tree = parse_untrusted(base64.b64decode(item["xml_base64"]), **LIMITS)
            if problems := validate(tree):
                raise RuntimeError(f"received an invalid {item['type']}: {problems[:2]}")
            head = header(tree)
            self.inbox.append((head.message_type, head.notification_id,
                               head.sequence[0] if head.sequence else None, head.message_id))
            trees.append(tree)
        self.cursor = batch["next_cursor"]
        return trees

    def answer_all(self, conditions: str = "Shipments only through the declared port of "
                                             "entry.", validity_days: int = 330) -> list[Sent]:
        """Pull, confirm receipt of each message, and answer each notification: acknowledge
        it, then consent with conditions."""
        sent = []
        for tree in self.pull():
            head = header(tree)
            sent.append(self.send(self._confirmation(head)))
            if head.message_type in ("TMWNotificationSubmissionMessage",
                                     "TMWFurtherNotificationReply"):
                today = self.today()
                if head.message_type == "TMWNotificationSubmissionMessage":
                    sent.append(self.send(self.acknowledgement(head.notification_id,
                                                               head.message_id, today)))
                sent.append(self.send(self.consent(head.notification_id, head.message_id,
                                                   today, today + timedelta(validity_days),
                                                   conditions)))
        return sent

    # --- building ------------------------------------------------------------------------------
    def today(self) -> date:
        return datetime.now(ZoneInfo(self.zone)).date()

    def _root(self, name: str, notification_id: str | None, correlation: str | None = None,
              sequence: tuple[int, int] | None = None):
        message_id = str(uuid.uuid4())
        root = etree.Element(_NS + name, nsmap={None: NAMESPACE})
        head = etree.SubElement(root, _NS + "Header")
        values = [("MessageID", message_id), ("CorrelationID", correlation or message_id),
                  ("SenderAuthority", self.authority), ("ReceiverAuthority", "JP-MOE"),
                  ("IssueDateTime", datetime.now(ZoneInfo(self.zone)).isoformat(
                      timespec="seconds"))]
        if notification_id:
            values.append(("NotificationID", notification_id))
        for tag, value in values:
            etree.SubElement(head, _NS + tag).text = value
        if sequence:
            movement = etree.SubElement(head, _NS + "MovementSequence")
            etree.SubElement(movement, _NS + "Number").text = str(sequence[0])
            etree.SubElement(movement, _NS + "Total").text = str(sequence[1])
        return root

    @staticmethod
    def _add(parent, tag: str, value, **attrs):
        element = etree.SubElement(parent, _NS + tag, {k: str(v) for k, v in attrs.items()})
        if value is not None:
            element.text = value if isinstance(value, str) else (
                f"{value:.3f}" if isinstance(value, Decimal) else str(value))
        return element

    def _confirmation(self, head):
        root = self._root("TMWConfirmationOfMessageReceipt", head.notification_id,
                          head.message_id, head.sequence)
        self._add(root, "ReceivedMessageID", head.message_id)
        self._add(root, "Status", "accepted")
        return root

    def acknowledgement(self, notification_id: str, correlation: str, on: date):
        root = self._root("TMWNotificationAcknowledgementMessage", notification_id, correlation)
        self._add(root, "AcknowledgementDate", on.isoformat())
        return root

    def consent(self, notification_id: str, correlation: str, valid_from: date,
                valid_to: date, conditions: str | None):
        root = self._root("TMWNotificationDecisionMessage", notification_id, correlation)
        consent = self._add(root, "Consent", None)
        self._add(consent, "ValidFrom", valid_from.isoformat())
        self._add(consent, "ValidTo", valid_to.isoformat())
        if conditions:
            self._add(consent, "Conditions", conditions)
        return root

    def objection(self, notification_id: str, correlation: str, reasons: str):
        root = self._root("TMWNotificationDecisionMessage", notification_id, correlation)
        objection = self._add(root, "Objection", None)
        self._add(objection, "Reasons", reasons)
        return root

    def receipt(self, notification_id: str, sequence: tuple[int, int], received: date,
                quantity: Decimal, accepted: bool = True, reason: str | None = None,
                approx_recovery: date | None = None):
        root = self._root("TMWCertificateOfWasteReceiptMessage", notification_id,
                          sequence=sequence)
        self._add(root, "ReceivedDate", received.isoformat())
        self._add(root, "ReceivedQuantity", Decimal(quantity), unit="t")
        self._add(root, "Accepted", "true" if accepted else "false")
        if not accepted:
            self._add(root, "RejectionReason", reason or "Not as notified")
        if approx_recovery:
            self._add(root, "ApproxRecoveryDate", approx_recovery.isoformat())
        return root

    def recovery(self, notification_id: str, sequence: tuple[int, int], completed: date,
                 operation: str = "R4"):
        root = self._root("TMWCertificateOfWasteRecoveryDisposalMessage", notification_id,
                          sequence=sequence)
        self._add(root, "CompletedDate", completed.isoformat())
        self._add(root, "OperationCode", operation, scheme="OPERATION")
        return root

    def notification(self, notification_id: str, *, japan_role: str = "import",
                     quantity: str = "40", shipments: int = 4, first: date | None = None):
        """A notification of its own: waste PCBs from its country into (or through) Japan."""
        first = first or self.today() + timedelta(days=20)
        root = self._root("TMWNotificationSubmissionMessage", notification_id)
        n = self._add(root, "Notification", None)
        for tag, value in (("NotificationType", "general"), ("PreConsented", "false"),
                           ("IntendedShipments", str(shipments))):
            self._add(n, tag, value)
        self._add(n, "TotalQuantity", Decimal(quantity), unit="t")
        period = self._add(n, "Period", None)
        self._add(period, "FirstDeparture", first.isoformat())
        self._add(period, "LastDeparture", (first + timedelta(days=250)).isoformat())
        self._add(n, "Packaging", "5", scheme="PACKAGING")
        exporter = {"Name": f"{self.country} E-Scrap Exporters Inc.", "Address": "1 Port Rd",
                    "CountryCode": self.country, "ContactPerson": "Alex Doe",
                    "Telephone": "+1 555 0100", "Email": "export@partner.example"}
        facility = {"RegistrationID": "0300-01-777777", "Name": "Kanto Smelting & Refining Co.",
                    "Address": "1-1 Onahama, Iwaki, Fukushima", "CountryCode": "JP",
                    "ContactPerson": "Kobayashi Ren", "Telephone": "+81 246 55 0101",
                    "Email": "basel@kanto-smelting.example"}
        for tag, values, extra in (("Exporter", exporter, {}), ("Importer", facility, {}),
                                   ("Generator", exporter, {"Site": "Port plant"}),
                                   ("Facility", facility, {"Site": "Onahama smelter"}),
                                   ("Carrier", exporter, {"TransportMode": "S"})):
            party = self._add(n, tag, None)
            for key, value in {**values, **extra}.items():
                self._add(party, key, value)
        operation = self._add(n, "Operation", None)
        self._add(operation, "Code", "R4", scheme="OPERATION")
        self._add(operation, "Technology", "Copper smelting")
        self._add(operation, "ReasonForExport", "Recovery of copper and precious metals")
        waste = self._add(n, "Waste", None)
        self._add(waste, "Designation", "Waste printed circuit boards")
        self._add(waste, "Composition", "Cu 20%, epoxy resin, glass fibre")
        self._add(waste, "GeneratingProcess", "Dismantling of IT equipment")
        self._add(waste, "PhysicalCharacteristics", "2", scheme="PHYSICAL")
        for scheme, code in (("BASEL_VIII", "A1181"), ("H", "H11"), ("HS", "8549.21")):
            self._add(waste, "Identification", code, scheme=scheme)
        states = self._add(n, "StatesConcerned", None)
        route = [("export", self.country, self.authority, None, "Port of Oakland")]
        if japan_role == "transit":
            route += [("transit", "JP", "JP-MOE", "Port of Yokohama", "Port of Yokohama"),
                      ("import", "KR", "KR-ME", "Port of Busan", None)]
        else:
            route += [("import", "JP", "JP-MOE", "Port of Onahama", None)]
        for sequence, (role, country, authority, entry, exit_point) in enumerate(route, 1):
            state = self._add(states, "State", None)
            for tag, value in (("Role", role), ("Sequence", str(sequence)),
                               ("CountryCode", country), ("AuthorityCode", authority),
                               ("EntryPoint", entry), ("ExitPoint", exit_point)):
                if value:
                    self._add(state, tag, value)
        self._add(n, "TransportMode", "S")
        self._add(n, "Insurance", "Marine cargo insurance policy 77-2026")
        return root

    def announcement(self, notification_id: str, sequence: tuple[int, int], quantity: str,
                     shipped: date, arrival: date):
        root = self._root("TMWMovementAnnouncementMessage", notification_id, sequence=sequence)
        self._add(root, "ActualQuantity", Decimal(quantity), unit="t")
        self._add(root, "ShipmentDate", shipped.isoformat())
        self._add(root, "ExpectedArrival", arrival.isoformat())
        self._add(root, "Packages", "10")
        self._add(root, "Packaging", "5", scheme="PACKAGING")
        self._add(root, "DueToTakeBack", "false")
        return root

    def transport_statement(self, notification_id: str, sequence: tuple[int, int], carrier: str,
                  on: date, signed_by: str):
        root = self._root("TMWTransportStatementMessage", notification_id, sequence=sequence)
        self._add(root, "CarrierName", carrier)
        self._add(root, "TransportMode", "S")
        self._add(root, "TransferDate", on.isoformat())
        self._add(root, "SignedBy", signed_by)
        return root

    # --- sending -------------------------------------------------------------------------------
    def send(self, tree) -> Sent:
        """Validate against the XSD, sign with its own key, POST; read the signed answer."""
        if problems := validate(tree):
            raise RuntimeError(f"the simulator built an invalid message: {problems[:2]}")
        message_id = header(tree).message_id
        status, body = self.transport.post("/exchange/v1/messages",
                                           sign(tree, self.key_pem, self.cert_pem))
        answer = parse_untrusted(body, **LIMITS) if body else None
        return Sent(status, answer, message_id)

    @staticmethod
    def error_codes(sent: Sent) -> list[str]:
        if sent.answer is None:
            return []
        return [text(e, "t:Code") for e in sent.answer.findall("t:Error", NS)]

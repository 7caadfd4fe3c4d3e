"""Signed error messages a partner can correlate: which message, which case, where, why.

Per error-1.0.xsd the error names the refused message twice (ReceivedMessageID, and
CorrelationID as every answer does) and the case (NotificationID), each as far as the refused
message could be read; Field is a path from the message root (`/tmw:Root/tmw:Header/...`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from lxml import etree

from . import builders
from .builders import Envelope
from .outbox import signing_identity
from .schemas import NAMESPACE
from .vocabulary import ERRORS
from .xmlsec import XmlRejected, sign

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}")
_NUMBER = re.compile(r"[A-Z]{2}[A-Z0-9\-]{3,30}")
_TMW = f"{{{NAMESPACE}}}"
log = logging.getLogger(__name__)


@dataclass
class Received:
    """What a message said about itself, read as far as it could be (never trusted)."""

    root: str | None = None
    message_id: str | None = None
    notification_id: str | None = None

    def read(self, tree: etree._Element) -> None:
        """The root name and the ids in the header, when they have the published form."""
        if etree.QName(tree).namespace != NAMESPACE:
            return
        self.root = etree.QName(tree).localname
        self.message_id = (_matching(tree, "MessageID", _UUID) or "").lower() or None
        self.notification_id = _matching(tree, "NotificationID", _NUMBER)


def _matching(tree: etree._Element, name: str, pattern: re.Pattern) -> str | None:
    value = (tree.findtext(f"{_TMW}Header/{_TMW}{name}") or "").strip()
    return value if pattern.fullmatch(value) else None


def field_of(exc: XmlRejected, received: Received | None) -> str:
    """Where the fault is: the raiser's path, else the code's published one, under the root."""
    relative = exc.field or (ERRORS[exc.code].field if exc.code in ERRORS else None)
    if received is None or received.root is None:
        return "/"
    root = f"/tmw:{received.root}"
    return f"{root}/{relative}" if relative else root


def error_body(exc: XmlRejected, receiver: str | None, received: Received | None) -> bytes:
    """The signed TMWErrorMessage answering a refused message (to `receiver`, the sender's
    authority code, when the sender is known)."""
    received = received or Received()
    if exc.code not in ERRORS:  # a partner may rely on the published list: never go beyond it
        log.error("unpublished error code %s sent as PROCESSING_ERROR", exc.code)
        exc = XmlRejected("PROCESSING_ERROR", exc.reason, line=exc.line, field=exc.field)
    where = f" (line {exc.line})" if getattr(exc, "line", None) else ""
    errors = [(exc.code, field_of(exc, received), f"{exc.reason}{where}")]
    own_id = builders.new_message_id()
    envelope = Envelope(receiver=receiver or "UNKNOWN",
                        notification_id=received.notification_id, message_id=own_id,
                        correlation_id=received.message_id or own_id)
    key_pem, cert_pem = signing_identity()
    return sign(builders.error(envelope, received.message_id, errors), key_pem, cert_pem)

"""XSD validation of the messages exchanged with partner authorities (xml_schemas/, TMW 1.0).

One schema file per message, all in one versioned namespace (`NAMESPACE`). The message type is
read from the root element: `validate(root)` picks the schema by the root's local name and
refuses any other namespace, so a message of another version never reaches a 1.0 schema.

Schemas are compiled once per process from the files in `SCHEMA_DIR` only: the schema parser
has no network, no DTD and no entities, and its resolver serves nothing outside `SCHEMA_DIR`
(`xs:include` of common-1.0.xsd is the only reference the files make). The XML-DSig signature
is not validated here (the schemas skip it); `xmlsec.verify` checks it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from lxml import etree

NAMESPACE = "urn:jp:go:env:eproc:basel:tmw:1.0"

#: the directory holding the XSD files (the repository's xml_schemas/)
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "xml_schemas"

#: root element local name -> schema file in SCHEMA_DIR
MESSAGE_TYPES: dict[str, str] = {
    "TMWNotificationSubmissionMessage": "notification-submission-1.0.xsd",
    "TMWNotificationAcknowledgementMessage": "acknowledgement-1.0.xsd",
    "TMWFurtherNotificationRequest": "further-information-request-1.0.xsd",
    "TMWFurtherNotificationReply": "further-information-reply-1.0.xsd",
    "TMWNotificationDecisionMessage": "decision-1.0.xsd",
    "TMWCancellationMessage": "cancellation-1.0.xsd",
    "TMWMovementAnnouncementMessage": "movement-announcement-1.0.xsd",
    "TMWTransportStatementMessage": "transport-statement-1.0.xsd",
    "TMWCertificateOfWasteReceiptMessage": "certificate-of-receipt-1.0.xsd",
    "TMWCertificateOfWasteRecoveryDisposalMessage": "certificate-of-recovery-1.0.xsd",
    "TMWConfirmationOfMessageReceipt": "confirmation-of-receipt-1.0.xsd",
    "TMWErrorMessage": "error-1.0.xsd",
    "TMWStatusQueryMessage": "status-query-1.0.xsd",
    "TMWStatusAnswerMessage": "status-answer-1.0.xsd",
    "TMWTakeBackRequestMessage": "take-back-request-1.0.xsd",
    "TMWTakeBackArrangementMessage": "take-back-arrangement-1.0.xsd",
    "TMWNotificationAmendmentMessage": "notification-amendment-1.0.xsd",
    "TMWAmendmentDecisionMessage": "amendment-decision-1.0.xsd",
}


class UnknownMessageType(KeyError):
    """The root element names no message of this set."""


class _LocalSchemaResolver(etree.Resolver):
    """Serves schema documents from SCHEMA_DIR only; anything else gets a document that is not a
    schema, so compiling fails with a readable error instead of reading the file or the URL."""

    def resolve(self, url, pubid, context):
        path = _local_path(url)
        if path is not None and path.is_relative_to(SCHEMA_DIR.resolve()) and path.is_file():
            return self.resolve_filename(str(path), context)
        return self.resolve_string(b"<refused-outside-schema-directory/>", context)


def _local_path(url: str | None) -> Path | None:
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path)).resolve()
    if parsed.scheme == "":
        return Path(url).resolve()
    return None  # http, https, ftp, ...


def _schema_parser() -> etree.XMLParser:
    """A new parser per schema load (lxml parsers are not shared between threads)."""
    parser = etree.XMLParser(
        no_network=True,
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    parser.resolvers.add(_LocalSchemaResolver())
    return parser


@dataclass(frozen=True)
class Problem:
    """One reason a message is invalid, with where it is."""

    line: int
    message: str
    #: the invalid element as a named path below the root (`tmw:Header/tmw:MessageID`)
    field: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class _Validator:
    """A compiled schema and a lock: an XMLSchema keeps its error log on the object, so two
    threads must not validate with it at the same time."""

    def __init__(self, schema: etree.XMLSchema) -> None:
        self.schema = schema
        self.lock = threading.Lock()

    def errors(self, root: etree._Element) -> list[Problem]:
        with self.lock:
            if self.schema.validate(root):
                return []
            entries = [(e.line, e.message, e.path) for e in self.schema.error_log]
        return [Problem(line, message, _named_path(root, path))
                for line, message, path in entries]


#: one schema compiled at a time in a process. libxml2 sets up its XSD built-in types on the
#: first compilation, and does not guard that: two threads compiling at once in a fresh
#: worker (two partners' first messages) found them half made ("Document is not valid XML
#: Schema", "... is not a built-in type", answered 500) or freed them twice (the worker died)
_COMPILING = threading.Lock()
#: root local name -> its compiled schema, each compiled once per process
_COMPILED: dict[str, _Validator] = {}


def _validator(root_local_name: str) -> _Validator:
    if (found := _COMPILED.get(root_local_name)) is not None:
        return found
    try:
        file_name = MESSAGE_TYPES[root_local_name]
    except KeyError:
        raise UnknownMessageType(root_local_name) from None
    with _COMPILING:  # the threads that waited find it compiled
        if (found := _COMPILED.get(root_local_name)) is None:
            document = etree.parse(str(SCHEMA_DIR / file_name), _schema_parser())
            found = _COMPILED[root_local_name] = _Validator(etree.XMLSchema(document))
    return found


def validator_for(root_local_name: str) -> etree.XMLSchema:
    """The compiled schema of a message type, loaded once per process.

    Raises UnknownMessageType for a name not in MESSAGE_TYPES. Prefer `validate`, which also
    serialises use of the schema across threads.
    """
    return _validator(root_local_name).schema


def validate(element: etree._Element | etree._ElementTree) -> list[str]:
    """The reasons `element` (a message root) is not a valid message; empty when it is.

    Each reason is one readable line, with the line number in the received document when the
    tree was parsed from bytes.
    """
    return [str(problem) for problem in problems(element)]


def problems(element: etree._Element | etree._ElementTree) -> list[Problem]:
    """As `validate`, with the path of each invalid element."""
    root = element.getroot() if isinstance(element, etree._ElementTree) else element
    line = root.sourceline or 0
    if not isinstance(root.tag, str):
        return [Problem(line, "the root is not an element")]
    name = etree.QName(root)
    if name.namespace != NAMESPACE:
        return [Problem(line, f"root element {{{name.namespace or ''}}}{name.localname} is "
                              f"not in namespace {NAMESPACE}")]
    if name.localname not in MESSAGE_TYPES:
        return [Problem(line, f"unknown message type {name.localname}")]
    return _validator(name.localname).errors(root)


def _named_path(root: etree._Element, positional: str | None) -> str | None:
    """libxml2's `/*/*[2]` as `tmw:AcknowledgementDate`: what a partner can look up."""
    try:
        found = root.getroottree().xpath(positional) if positional else []
    except etree.XPathError:
        return None
    if not found or not isinstance(found[0], etree._Element):
        return None
    steps = [_step(e) for e in reversed(list(found[0].iterancestors())) if e is not root]
    return "/".join([*steps, _step(found[0])]) if found[0] is not root else None


def _step(element: etree._Element) -> str:
    name = etree.QName(element)
    prefix = "tmw" if name.namespace == NAMESPACE else "ds"
    parent = element.getparent()
    same = [s for s in parent if s.tag == element.tag] if parent is not None else [element]
    index = f"[{same.index(element) + 1}]" if len(same) > 1 else ""
    return f"{prefix}:{name.localname}{index}"

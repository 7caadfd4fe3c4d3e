"""The security layer for XML exchanged with partner authorities: parse, sign, verify.

Everything that arrives from outside goes through `parse_untrusted` (one hardened parser), then
XSD validation (`schemas.py`), then `verify`. Business code reads ONLY the tree `verify` returns.
Outgoing messages are signed by `sign`. Failures raise `XmlRejected` with a stable `code`.

No cryptography is written here: signatures are made and checked by signxml, keys and
certificates are handled by `cryptography`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key
from lxml import etree
from signxml import (
    DigestAlgorithm,
    InvalidCertificate,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
    methods,
)
from signxml.exceptions import SignXMLException

from app.timeutil import utcnow

DS = "http://www.w3.org/2000/09/xmldsig#"
DS_SIGNATURE = f"{{{DS}}}Signature"
XINCLUDE_NAMESPACES = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

#: canonicalizations accepted in a partner's Reference: the usual ones *without comments*, so the
#: tree rebuilt from the signed bytes never carries comments that could split a text node
REFERENCE_C14N = frozenset(
    {
        EXC_C14N,
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        "http://www.w3.org/2006/12/xml-c14n11",
    }
)
#: the only children a partner's ds:Signature may have; ds:Object would carry unsigned content
SIGNATURE_CHILDREN = frozenset(
    f"{{{DS}}}{name}" for name in ("SignedInfo", "SignatureValue", "KeyInfo")
)
ACCEPTED_SIGNATURE_METHODS = frozenset(
    {
        SignatureMethod.RSA_SHA256,
        SignatureMethod.RSA_SHA384,
        SignatureMethod.RSA_SHA512,
        SignatureMethod.SHA256_RSA_MGF1,
        SignatureMethod.SHA384_RSA_MGF1,
        SignatureMethod.SHA512_RSA_MGF1,
        SignatureMethod.ECDSA_SHA256,
        SignatureMethod.ECDSA_SHA384,
        SignatureMethod.ECDSA_SHA512,
    }
)
ACCEPTED_DIGESTS = frozenset(
    {DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512}
)

#: scanned for in the raw bytes before parsing, in every encoding libxml2 detects by itself
_FORBIDDEN_MARKUP = (
    ("ENTITY_FORBIDDEN", "<!ENTITY", "entity declarations are not accepted"),
    ("DTD_FORBIDDEN", "<!DOCTYPE", "a document type declaration is not accepted"),
)
_SCANNED_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


class XmlRejected(Exception):
    """Incoming XML refused. `code` is stable (it goes into the signed error message);
    `reason` is short English text; `line`/`column` point into the body when known.

    `field`: where in the message, as a path relative to its root (`tmw:Header/tmw:X`), when
    the raiser knows better than the code's published default. Codes: app/exchange/vocabulary.py.
    """

    def __init__(
        self, code: str, reason: str, *, line: int | None = None, column: int | None = None,
        field: str | None = None,
    ):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.line, self.column = code, reason, line, column
        self.field = field


class RegisteredCertificate(Protocol):
    """A partner certificate as registered with us (a DB row, a dataclass ...)."""

    @property
    def pem(self) -> bytes | str: ...
    @property
    def valid_from(self) -> datetime: ...  # aware
    @property
    def valid_to(self) -> datetime: ...  # aware
    @property
    def revoked_at(self) -> datetime | None: ...  # aware; revoked from that instant on


@dataclass(frozen=True)
class PartnerCertificate:
    """A plain `RegisteredCertificate` (tests, the partner simulator, callers without a row)."""

    pem: bytes | str
    valid_from: datetime
    valid_to: datetime
    revoked_at: datetime | None = None


# --------------------------------------------------------------------------- parsing


def hardened_parser() -> etree.XMLParser:
    """The one parser configuration for XML from outside (a new instance per call: lxml
    parsers must not be shared between threads).

    - no entity substitution, no DTD loading or validation, no network: XXE, billion laughs and
      external DTDs cannot do anything (and are refused outright by `parse_untrusted`);
    - huge_tree=False keeps libxml2's own limits (depth 256, text node size, amplification);
    - comments and PIs are KEPT (remove_comments/remove_pis=False): a parser that silently drops
      nodes would make us verify a document other than the one received and stored. Comments
      are harmless because `verify` hands out a tree rebuilt from comment-free canonical bytes;
      PIs are refused by `parse_untrusted` (our profile has none, and inside text they split
      nodes just as comments do).
    """
    return etree.XMLParser(**_HARDENED)


_HARDENED = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "attribute_defaults": False,
    "huge_tree": False,
    "recover": False,
    "remove_comments": False,
    "remove_pis": False,
}


def parse_untrusted(body: bytes, *, max_bytes: int, max_depth: int) -> etree._Element:
    """Parse a body received from outside, or raise `XmlRejected`.

    Size is checked before parsing, DOCTYPE/ENTITY markup is refused before and after parsing,
    then XInclude elements, processing instructions and nesting deeper than `max_depth`.
    libxml2 itself refuses depth > 256 (huge_tree=False), which is reported as TOO_DEEP too.
    """
    if len(body) > max_bytes:
        raise XmlRejected("TOO_LARGE", f"the body exceeds {max_bytes} bytes")
    _refuse_forbidden_markup(body)
    root = _parse(body)
    _refuse_dtd_and_entities(root)
    _refuse_xinclude_and_pis(root)
    _refuse_depth(root, max_depth)
    return root


def claimed_sender(body: bytes, *, max_depth: int, head_bytes: int = 64 * 1024) -> str | None:
    """The SenderAuthority a message's header claims, read as a stream from the first
    `head_bytes` only (the header comes first): cheap enough to run before anything is stored.

    None when no sender shows there; XmlRejected for what the full parse refuses too (DTDs,
    entities, broken XML in the part read, excessive depth). Nothing read here is trusted:
    the signature check decides later.
    """
    _refuse_forbidden_markup(body)
    parser = etree.XMLPullParser(events=("start", "end"), **_HARDENED)
    depth, head = 0, body[:head_bytes]
    try:
        for offset in range(0, len(head), 8192):
            parser.feed(head[offset:offset + 8192])
            for event, element in parser.read_events():
                depth += 1 if event == "start" else -1
                if depth > max_depth:
                    raise XmlRejected("TOO_DEEP", f"elements are nested deeper than {max_depth}")
                if event == "end" and depth == 2 and _is_header_sender(element):
                    return (element.text or "").strip() or None
        if len(body) <= head_bytes:
            parser.close()  # the whole body was read: its syntax errors show now
    except etree.XMLSyntaxError as exc:
        raise _syntax_rejection(exc) from None
    return None


def _is_header_sender(element: etree._Element) -> bool:
    parent = element.getparent()
    return (etree.QName(element).localname == "SenderAuthority" and parent is not None
            and etree.QName(parent).localname == "Header")


def _refuse_forbidden_markup(body: bytes) -> None:
    for code, markup, reason in _FORBIDDEN_MARKUP:
        if any(markup.encode(encoding) in body for encoding in _SCANNED_ENCODINGS):
            raise XmlRejected(code, reason)


def _parse(body: bytes) -> etree._Element:
    try:
        return etree.fromstring(body, parser=hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_rejection(exc) from None


def _syntax_rejection(exc: etree.XMLSyntaxError) -> XmlRejected:
    line, column = exc.lineno, exc.offset
    message = (exc.msg or "").split(", line ")[0]
    if exc.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
        return XmlRejected(
            _limit_code(message), f"parser limit exceeded: {message}", line=line, column=column
        )
    return XmlRejected(
        "MALFORMED",
        f"not well-formed XML at line {line}, column {column}: {message}",
        line=line,
        column=column,
    )


def _limit_code(message: str) -> str:
    """libxml2's own limits (huge_tree=False): depth, entity amplification, node sizes."""
    message = message.lower()
    if "depth" in message:
        return "TOO_DEEP"
    return "ENTITY_FORBIDDEN" if "entity" in message else "TOO_LARGE"


def _refuse_dtd_and_entities(root: etree._Element) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlRejected("DTD_FORBIDDEN", "a document type declaration is not accepted")
    if next(root.iter(etree.Entity), None) is not None:
        raise XmlRejected("ENTITY_FORBIDDEN", "entity references are not accepted")


def _refuse_xinclude_and_pis(root: etree._Element) -> None:
    outside_root = [*root.itersiblings(preceding=True), *root.itersiblings()]
    if (
        any(isinstance(node, etree._ProcessingInstruction) for node in outside_root)
        or next(root.iter(etree.PI), None) is not None
    ):
        raise XmlRejected("PI_FORBIDDEN", "processing instructions are not accepted")
    for element in root.iter(etree.Element):
        if etree.QName(element).namespace in XINCLUDE_NAMESPACES:
            raise XmlRejected(
                "XINCLUDE_FORBIDDEN", "XInclude elements are not accepted", line=element.sourceline
            )


def _refuse_depth(root: etree._Element, max_depth: int) -> None:
    """Iterative (no recursion): the stack holds (element, depth)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > max_depth:
            raise XmlRejected(
                "TOO_DEEP", f"elements are nested deeper than {max_depth}", line=element.sourceline
            )
        stack.extend((child, depth + 1) for child in element.iterchildren(etree.Element))


# --------------------------------------------------------------------------- signing


def sign(root: etree._Element, key_pem: bytes, cert_pem: bytes) -> bytes:
    """Our enveloped XML-DSig over the whole document (Reference URI=""), made by signxml.

    RSA-SHA256, SHA-256 digest, exclusive c14n; the ds:Signature is appended as the LAST child
    of the root and carries our X509Certificate in KeyInfo. `root` is not modified. Returns the
    serialized document (XML declaration, UTF-8); never re-serialize or pretty-print it.
    """
    if next(root.iter(DS_SIGNATURE), None) is not None:
        raise ValueError("the document is already signed")
    key = _checked_key(key_pem, cert_pem)
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm=EXC_C14N,
    )
    signed = signer.sign(root, key=key, cert=cert_pem)
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


@lru_cache(maxsize=16)
def _checked_key(key_pem: bytes, cert_pem: bytes):
    """The private key object, loaded (and checked against its certificate) once per process:
    loading runs OpenSSL's RSA key validation, ~50 ms, far more than the signature itself."""
    key = load_pem_private_key(key_pem, password=None)
    certificate = x509.load_pem_x509_certificate(cert_pem)
    if key.public_key() != certificate.public_key():
        raise ValueError("the signing key does not belong to the certificate")
    return key


# --------------------------------------------------------------------------- verifying


def verify(
    root: etree._Element, certificates: list[RegisteredCertificate], *, at: datetime | None = None
) -> etree._Element:
    """Check the partner's signature and return the tree IT COVERS — the only tree to read.

    `root` comes from `parse_untrusted` (after XSD validation); `certificates` are the sender's
    registered certificates — several may be valid at once (rotation without downtime); any
    one of them verifies. `at` is the verification time (default: now, aware UTC).

    Signature-wrapping defence: an attacker can move a validly signed element elsewhere in the
    document and put forged content where the application looks for data; a verifier that
    checks "some signature is valid" and then reads the original tree reads the forgery. So:
    1. exactly one ds:Signature, a direct child of the root (else SIGNATURE_MISSING /
       SIGNATURE_SCOPE); no ds:Object in it; exactly one Reference, URI="" (the whole
       document), enveloped transform, comment-free c14n — anything else is SIGNATURE_SCOPE;
    2. the certificate in KeyInfo must equal (DER bytes) a registered one, not revoked, within
       both its registered and its own validity at `at`;
    3. signxml verifies with THAT registered certificate (KeyInfo is never trusted by itself)
       and returns `signed_xml`: the document rebuilt from the exact canonical bytes that were
       digested, without the signature and without comments. We return only that.
    Callers must read every value from the returned tree, never from `root`.
    """
    if root.getparent() is not None:
        raise ValueError("verify() needs the document root")
    at = at or utcnow()
    signature = _the_signature(root)
    _require_whole_document_scope(signature)
    registered, certificate = _registered_certificate(signature, certificates)
    _require_in_force(registered, certificate, at)
    return _verified_content(root, certificate, at)


def _the_signature(root: etree._Element) -> etree._Element:
    signatures = list(root.iter(DS_SIGNATURE))
    if not signatures:
        raise XmlRejected("SIGNATURE_MISSING", "the document is not signed")
    if len(signatures) > 1:
        raise XmlRejected("SIGNATURE_SCOPE", "more than one signature in the document")
    if signatures[0].getparent() is not root:
        raise XmlRejected("SIGNATURE_SCOPE", "the signature must be a child of the root element")
    return signatures[0]


def _require_whole_document_scope(signature: etree._Element) -> None:
    if any(child.tag not in SIGNATURE_CHILDREN for child in signature.iterchildren()):
        raise XmlRejected("SIGNATURE_SCOPE", "the signature carries unsigned content")
    references = signature.findall("ds:SignedInfo/ds:Reference", {"ds": DS})
    if len(references) != 1 or references[0].get("URI") != "":
        raise XmlRejected(
            "SIGNATURE_SCOPE", 'the signature must have one Reference with URI="" (whole document)'
        )
    transforms = [
        t.get("Algorithm") for t in references[0].iterfind("ds:Transforms/ds:Transform", {"ds": DS})
    ]
    if (
        not transforms
        or transforms[0] != ENVELOPED
        or len(transforms) > 2
        or not set(transforms[1:]) <= REFERENCE_C14N
    ):
        raise XmlRejected(
            "SIGNATURE_SCOPE", "the Reference must use the enveloped transform and plain c14n only"
        )


def _registered_certificate(
    signature: etree._Element, certificates: list[RegisteredCertificate]
) -> tuple[RegisteredCertificate, x509.Certificate]:
    embedded = _embedded_certificate_der(signature)
    for registered in certificates:
        certificate, der = _load_pem(registered.pem)
        if der == embedded:
            return registered, certificate
    raise XmlRejected(
        "CERTIFICATE_UNKNOWN", "the signing certificate is not registered for this sender"
    )


def _embedded_certificate_der(signature: etree._Element) -> bytes:
    found = signature.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", {"ds": DS})
    if len(found) != 1:
        raise XmlRejected("CERTIFICATE_UNKNOWN", "KeyInfo must carry exactly one X509Certificate")
    try:
        return base64.b64decode("".join((found[0].text or "").split()), validate=True)
    except binascii.Error:
        raise XmlRejected("CERTIFICATE_UNKNOWN", "the X509Certificate is not base64") from None


@lru_cache(maxsize=64)
def _load_pem(pem: bytes | str) -> tuple[x509.Certificate, bytes]:
    """A registered certificate and its DER bytes, parsed once per process: keyed by the PEM
    itself, so a rotated or newly registered certificate is simply another entry, and what
    is revoked or expired is decided per message from the registration, never from here."""
    certificate = x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)
    return certificate, certificate.public_bytes(Encoding.DER)


def _require_in_force(
    registered: RegisteredCertificate, certificate: x509.Certificate, at: datetime
) -> None:
    if registered.revoked_at is not None and registered.revoked_at <= at:
        raise XmlRejected("CERTIFICATE_REVOKED", "the signing certificate has been revoked")
    starts = max(registered.valid_from, certificate.not_valid_before_utc)
    ends = min(registered.valid_to, certificate.not_valid_after_utc)
    if at < starts:
        raise XmlRejected("CERTIFICATE_EXPIRED", "the signing certificate is not yet valid")
    if at > ends:
        raise XmlRejected("CERTIFICATE_EXPIRED", "the signing certificate has expired")


def _verified_content(
    root: etree._Element, certificate: x509.Certificate, at: datetime
) -> etree._Element:
    config = SignatureConfiguration(
        location="./",
        expect_references=1,
        signature_methods=ACCEPTED_SIGNATURE_METHODS,
        digest_algorithms=ACCEPTED_DIGESTS,
        verification_time=at,
    )
    try:
        result = XMLVerifier().verify(
            root, x509_cert=certificate, parser=hardened_parser(), expect_config=config
        )
    except InvalidCertificate:
        raise XmlRejected(
            "CERTIFICATE_EXPIRED", "the signing certificate is not valid now"
        ) from None
    except (SignXMLException, ValueError, etree.LxmlError):
        raise XmlRejected("SIGNATURE_INVALID", "the signature does not verify") from None
    if result.signed_xml is None:
        raise XmlRejected("SIGNATURE_SCOPE", "the signature does not cover an XML document")
    return result.signed_xml

"""Every error code the exchange interface can send, with its HTTP status and what to do.

This table is the single source: inbound refusals take their HTTP status from it, the pull API
and the HTTP layer answer with its codes, and xml_schemas/INTERFACE.md publishes it (a test keeps
the two equal). A code not listed here must not be sent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    status: int
    #: whether sending the same message again later can succeed without changing it
    retry: bool
    #: the English sentence published in the interface document
    meaning: str
    #: where the fault is, relative to the message root, when the code says it (else the root)
    field: str | None = None


SENDER, RECEIVER = "tmw:Header/tmw:SenderAuthority", "tmw:Header/tmw:ReceiverAuthority"
MESSAGE_ID, NUMBER = "tmw:Header/tmw:MessageID", "tmw:Header/tmw:NotificationID"
SIGNATURE = "ds:Signature"

#: codes in signed TMWErrorMessage answers to POST /exchange/v1/messages
MESSAGE_ERRORS: dict[str, ErrorCode] = {
    "MALFORMED": ErrorCode(400, False, "The body is not well-formed XML."),
    "TOO_DEEP": ErrorCode(400, False, "The XML nests deeper than the limit (64 levels)."),
    "DTD_FORBIDDEN": ErrorCode(400, False, "A document type declaration is not accepted."),
    "ENTITY_FORBIDDEN": ErrorCode(400, False, "Entity declarations or references are not "
                                              "accepted."),
    "PI_FORBIDDEN": ErrorCode(400, False, "Processing instructions are not accepted."),
    "XINCLUDE_FORBIDDEN": ErrorCode(400, False, "XInclude elements are not accepted."),
    "WRONG_NAMESPACE": ErrorCode(400, False, "The root is not a message of namespace "
                                             "urn:jp:go:env:eproc:basel:tmw:1.0."),
    "SCHEMA_INVALID": ErrorCode(400, False, "The message is not valid against its schema; "
                                            "Field names the first invalid element."),
    "TOO_LARGE": ErrorCode(413, False, "The body is larger than the limit (5 MB)."),
    "UNKNOWN_SENDER": ErrorCode(403, False, "SenderAuthority is not a registered, active "
                                            "partner.", SENDER),
    "SIGNATURE_MISSING": ErrorCode(403, False, "The message carries no XML signature.",
                                   SIGNATURE),
    "SIGNATURE_INVALID": ErrorCode(403, False, "The signature does not verify: the message "
                                              "was changed after signing.", SIGNATURE),
    "SIGNATURE_SCOPE": ErrorCode(403, False, "The signature does not cover exactly the whole "
                                            "message (enveloped, same document).", SIGNATURE),
    "CERTIFICATE_UNKNOWN": ErrorCode(403, False, "The signing certificate is not one registered "
                                                "for the sender.", SIGNATURE),
    "CERTIFICATE_REVOKED": ErrorCode(403, False, "The signing certificate was revoked.",
                                     SIGNATURE),
    "CERTIFICATE_EXPIRED": ErrorCode(403, False, "The signing certificate is not valid at "
                                                "this time.", SIGNATURE),
    "WRONG_RECEIVER": ErrorCode(403, False, "The message is not from its signer to JP-MOE.",
                                RECEIVER),
    "NOT_PARTY": ErrorCode(403, False, "The sender's country is not the State concerned that "
                                       "may send this message for this notification.", SENDER),
    "NOT_ALLOWED": ErrorCode(403, False, "The sender's role in the case may not send this "
                                         "message.", SENDER),
    "WRONG_PREFIX": ErrorCode(403, False, "A notification number must begin with the "
                                          "sender's country code (ISO 3166-1 alpha-2).",
                              NUMBER),
    "UNKNOWN_NOTIFICATION": ErrorCode(404, False, "No notification with this number is known "
                                                  "here.", NUMBER),
    "UNKNOWN_MOVEMENT": ErrorCode(404, False, "The notification has no shipment with this "
                                              "sequence number.",
                                  "tmw:Header/tmw:MovementSequence/tmw:Number"),
    "UNKNOWN_MESSAGE": ErrorCode(404, False, "JP-MOE sent the sender no message with this id.",
                                 "tmw:ReceivedMessageID"),
    "REPLAY_CONFLICT": ErrorCode(409, False, "This MessageID was received before with "
                                             "different content.", MESSAGE_ID),
    "IN_PROGRESS": ErrorCode(409, True, "The same message is being processed right now; "
                                        "send the same bytes again.", MESSAGE_ID),
    "STATE_CONFLICT": ErrorCode(409, False, "The case's current state does not allow this "
                                            "message (for example a reply to a request for "
                                            "information nobody made)."),
    "STALE": ErrorCode(409, True, "The case changed while the message was applied; send the "
                                  "same bytes again."),
    "DUPLICATE_NOTIFICATION": ErrorCode(409, False, "A notification with this number was "
                                                    "received before.", NUMBER),
    "INVALID_CONTENT": ErrorCode(422, False, "Valid against the schema, but against a rule of "
                                             "the procedure; Description names the rule."),
    # business rules on arrival (the rules of the Japanese forms); Field names the element
    "UNKNOWN_CODE": ErrorCode(422, False, "A code is not in its code list on the day of "
                                          "receipt (e.g. a Basel Annex VIII code that does "
                                          "not exist or is no longer valid)."),
    "INVALID_PERIOD": ErrorCode(422, False, "A period ends before it begins, or is longer "
                                            "than the rules allow (period of shipments, "
                                            "consent validity, a shipment date outside the "
                                            "consent)."),
    "DATE_IN_FUTURE": ErrorCode(422, False, "A date that records a fact (acknowledgement, "
                                            "transfer, receipt, recovery) is after the day "
                                            "the message was issued, or IssueDateTime is "
                                            "after the time of receipt (5 minutes of clock "
                                            "difference allowed)."),
    "QUANTITY_EXCEEDED": ErrorCode(422, False, "The shipment exceeds what remains of the "
                                               "consent (quantity or number of shipments)."),
    "UNKNOWN_CORRELATION": ErrorCode(404, False, "CorrelationID names no message exchanged "
                                                 "between the sender and JP-MOE about this "
                                                 "notification.",
                                     "tmw:Header/tmw:CorrelationID"),
    "ATTACHMENT_DIGEST": ErrorCode(422, False, "An attachment's SHA256 does not match its "
                                               "decoded content.", "tmw:Attachment"),
    "NOT_CONCERNED": ErrorCode(422, False, "Japan is neither the State of import nor a State "
                                           "of transit of this notification."),
    "NOT_SUPPORTED": ErrorCode(422, False, "Version 1.0 of the interface cannot carry this "
                                           "message or option; arrange it with MOE directly."),
    "PROCESSING_ERROR": ErrorCode(422, True, "JP-MOE could not apply the message because of a "
                                             "fault on its side; MOE was alerted. Send the "
                                             "same bytes again later."),
    "RATE_LIMITED": ErrorCode(429, True, "Too many requests; send again after the seconds in "
                                         "the Retry-After header."),
}

#: codes for errors of the HTTP layer: in problem+json (pull) or a signed error (push)
HTTP_ERRORS: dict[str, ErrorCode] = {
    "BAD_REQUEST": ErrorCode(400, False, "The request could not be read."),
    "INVALID_PARAMETER": ErrorCode(400, False, "A query parameter is not valid; errors[].field "
                                               "names it (after: an integer from 0 to "
                                               "9223372036854775807; limit: an integer)."),
    "UNAUTHENTICATED": ErrorCode(401, False, "No pull token, or not a valid one: send "
                                             "Authorization: Bearer <token>."),
    "FORBIDDEN": ErrorCode(403, False, "The request is not allowed."),
    "NOT_FOUND": ErrorCode(404, False, "There is nothing at this address."),
    "METHOD_NOT_ALLOWED": ErrorCode(405, False, "This address does not accept this method."),
    "BUSY": ErrorCode(409, True, "Records were locked by another request; send again."),
    "INTERNAL_ERROR": ErrorCode(500, True, "A fault on JP-MOE's side; it was logged and "
                                           "nothing was changed. Send again later."),
}

ERRORS: dict[str, ErrorCode] = {**MESSAGE_ERRORS, **HTTP_ERRORS}

#: the code the HTTP layer sends for a status it raises itself
CODE_OF_STATUS = {400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN",
                  404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 409: "BUSY",
                  413: "TOO_LARGE", 429: "RATE_LIMITED", 500: "INTERNAL_ERROR"}


def status_of(code: str) -> int:
    return ERRORS[code].status


def code_for_status(status: int) -> str:
    return CODE_OF_STATUS.get(status, "INTERNAL_ERROR" if status >= 500 else "BAD_REQUEST")

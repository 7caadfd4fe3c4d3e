"""Errors of the HTTP layer on /exchange/v1: machine-readable only, never a page.

A partner's system reads these, not a person: the push endpoint answers a signed
TMWErrorMessage (like every refusal of a message), the pull API RFC 9457 problem+json with the
`code` of the published vocabulary. Texts are English, the interface's language.
"""

from __future__ import annotations

from flask import Response, request

from app.api.problems import problem

from .refusals import error_body
from .vocabulary import ERRORS, code_for_status
from .xmlsec import XmlRejected

PREFIX = "/exchange/v1"
PUSH_PATH = f"{PREFIX}/messages"


def is_exchange_request() -> bool:
    return request.path == PREFIX or request.path.startswith(f"{PREFIX}/")


def _is_push() -> bool:
    return request.method == "POST" and request.path == PUSH_PATH


def exchange_problem(status: int, code: str, detail: str | None = None, errors=None):
    response = problem(status, ERRORS[code].meaning, detail, errors=errors, code=code)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="exchange"'
    return response


def http_error(status: int):
    """The answer for a status the framework raised on an exchange address."""
    code = code_for_status(status)
    if _is_push():
        body = error_body(XmlRejected(code, ERRORS[code].meaning), None, None)
        return Response(body, status=status, mimetype="application/xml")
    return exchange_problem(status, code)

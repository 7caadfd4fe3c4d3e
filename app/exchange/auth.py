"""Partner systems pull with a bearer token issued by us (`flask partners token CODE`)."""

from flask import abort, request

from .partners import by_pull_token


def authenticate_partner():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401)
    partner = by_pull_token(token.strip())
    if partner is None:
        abort(401)
    return partner

"""Bearer-token authentication for the API (tokens from `flask tokens create EMAIL`)."""

from __future__ import annotations

from flask import abort, request

from app.auth.tokens import user_for_token
from app.extensions import db


def authenticate_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401)
    user = user_for_token(token.strip())
    if user is None:
        db.session.rollback()
        abort(401)
    return user

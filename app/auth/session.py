"""Flask-Login hooks, and when a browser session ends.

The session is a signed cookie (the web tier keeps no state), so ending it early works by
comparing what the cookie carries with the user's row: the session epoch (raised by sign-out
and password changes), the sign-in time (absolute lifetime) and the last request (idle timeout).
"""

from __future__ import annotations

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.timeutil import utcnow

from .models import User
from .roles import OFFICIAL_ROLES, Role

#: accounts that act for an authority get the officials' (shorter) idle timeout
SHORT_IDLE_ROLES = OFFICIAL_ROLES | {Role.ADMIN, Role.PARTNER_AGENCY}
#: the last-request time is rewritten (and the cookie re-sent) at most this often, in seconds
SEEN_RESOLUTION = 60


def _now() -> int:
    return int(utcnow().timestamp())


def start_session(_app, user: User, **_extra) -> None:
    """Flask-Login's user_logged_in signal: stamp the new session."""
    session["epoch"] = user.session_epoch
    session["signed_in_at"] = session["seen_at"] = _now()


def keep_session(user: User) -> None:
    """After the user's epoch was raised by their own action (password change): this session
    stays, the others end."""
    session["epoch"] = user.session_epoch


def idle_limit_seconds(role: str) -> int:
    key = "SESSION_IDLE_MINUTES_OFFICIALS" if role in SHORT_IDLE_ROLES else "SESSION_IDLE_MINUTES"
    return int(current_app.config[key]) * 60


def session_is_current(user: User, now: int) -> bool:
    started, seen = session.get("signed_in_at"), session.get("seen_at")
    if session.get("epoch") != user.session_epoch or started is None or seen is None:
        return False
    if now - started > current_app.config["SESSION_MAX_HOURS"] * 3600:
        return False
    return now - seen <= idle_limit_seconds(user.role)


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    now = _now()
    if not session_is_current(user, now):
        session.clear()
        return None
    if now - session["seen_at"] >= SEEN_RESOLUTION:
        session["seen_at"] = now
    return user


def unauthorized():
    if request.blueprint == "api" or request.accept_mimetypes.best == "application/json":
        response = jsonify(
            type="about:blank", title=_("Sign-in required"), status=401,
            detail=_("Send an API token in the Authorization header."),
        )
        response.status_code = 401
        response.mimetype = "application/problem+json"
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

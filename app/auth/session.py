"""Flask-Login hooks."""

from flask import jsonify, redirect, request, url_for
from flask_babel import gettext as _

from app.extensions import db

from .models import User


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user and user.active else None


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

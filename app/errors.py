"""Errors as users should see them: a page or a problem+json, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app.cases.runner import CaseNotFound, StaleCase
from app.database import is_lock_conflict
from app.extensions import db
from workflows import EventNotAllowed, Refusal, RoleNotAllowed, WorkflowError
from workflows.base import N_

from .api.problems import problem
from .exchange.http_errors import http_error, is_exchange_request
from .url_converters import PathValueNotFound

TITLES = {
    400: N_("Bad request"),
    401: N_("Sign-in required"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid input"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}


#: what a client can do about each status the framework raises (API clients get no page
#: around the title, so they need the sentence)
DETAILS = {
    400: N_("The request could not be read."),
    403: N_("Your role may not do this."),
    404: N_("There is nothing at this address, or you may not see it."),
    405: N_("This address does not accept this method."),
    413: N_("The upload is larger than the limit (16 MB per request)."),
    415: N_("Send the body as application/json."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.blueprint == "api"


def workflow_message(exc: WorkflowError) -> str:
    from .templating import event_label, state_label

    params = dict(exc.params)
    if "event" in params:
        params["event"] = event_label(params["event"])
    if "state" in params:
        params["state"] = state_label(params["state"])
    return _(exc.message).format(**params)


def _respond(status: int, detail: str | None = None, errors=None, **extra):
    if is_exchange_request():  # partner systems: signed XML or problem+json, in English
        return http_error(status)
    title = _(TITLES.get(status, N_("Error")))
    if wants_json():
        return problem(status, title, detail, errors=errors, **extra)
    return render_template("errors.html", status=status, title=title, detail=detail), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(PathValueNotFound)
    def path_value_not_found(exc: PathValueNotFound):
        return _respond(404, _("No such record."), errors={exc.field: [exc.reason]})

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        detail = DETAILS.get(exc.code or 500)
        return _respond(exc.code or 500, _(detail) if detail else None)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _respond(400, _("The form expired or was sent from elsewhere. Reload the page "
                               "and try again."))

    @app.errorhandler(CaseNotFound)
    def case_not_found(exc):
        return _respond(404, _("No such case, or you may not see it."))

    @app.errorhandler(StaleCase)
    def stale(exc: StaleCase):
        return _respond(409, _("This case changed since you opened it. Reload it and try "
                               "again."), current_version=exc.current_version)

    @app.errorhandler(RoleNotAllowed)
    def role_not_allowed(exc):
        return _respond(403, workflow_message(exc))

    @app.errorhandler(EventNotAllowed)
    def event_not_allowed(exc):
        return _respond(409, workflow_message(exc))

    @app.errorhandler(Refusal)
    def refusal(exc: Refusal):
        errors = getattr(exc, "field_errors", None) or (
            {exc.field: [workflow_message(exc)]} if exc.field else None)
        return _respond(422, workflow_message(exc), errors=errors)

    @app.errorhandler(ValidationError)
    def invalid(exc: ValidationError):
        return _respond(422, _("Some fields are not valid."), errors=exc.messages)

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        """A lock that could not be had or a lost race (SQLite busy, PostgreSQL serialization
        failure or deadlock) is the client's cue to try again: 409, not 500."""
        if not is_lock_conflict(exc):
            return unexpected(exc)
        db.session.rollback()
        app.logger.warning("lock conflict on %s %s: %s", request.method, request.path, exc.orig)
        return _respond(409, _("Someone else was changing the same records at this moment. "
                               "Reload and try again."))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, _("The error was logged. Nothing was changed."))

"""Locale choice: the session's (set by the switch), else the browser's, else Japanese."""

from flask import current_app, has_request_context, request, session


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # CLI, scheduler: callers use force_locale where it matters
        return default
    languages = current_app.config["LANGUAGES"]
    if (chosen := session.get("locale")) in languages:
        return chosen
    return request.accept_languages.best_match(languages) or default


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]

"""The notice settings and their defaults, read from the app's configuration at use time.

app/config.py reads them from the environment; a key it does not set falls back to the
default here, so notices work with nothing configured (delivery stays off until MAIL_SERVER).
"""

from __future__ import annotations

from typing import Any

from flask import current_app

DEFAULTS: dict[str, Any] = {
    #: the address the links in notices point at (no trailing slash needed)
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    #: SMTP relay; empty = delivery off, notices stay queued
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_FROM": "noreply@eproc.example.go.jp",
    "MAIL_USE_TLS": False,  # STARTTLS after connecting
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    #: seconds one SMTP operation may block; must stay well below NOTICE_CLAIM_SECONDS
    "MAIL_TIMEOUT": 30,
    #: a notice is given up (kept, shown as failed) after this many delivery attempts
    "NOTICE_MAX_ATTEMPTS": 10,
    #: backoff after the n-th failure: base * 2**(n-1) seconds, capped
    "NOTICE_RETRY_BASE_SECONDS": 5 * 60,
    "NOTICE_RETRY_MAX_SECONDS": 6 * 60 * 60,
    #: how long a claimed notice is reserved for the process sending it
    "NOTICE_CLAIM_SECONDS": 10 * 60,
    #: how often the scheduler runs delivery
    "NOTICE_DELIVERY_SECONDS": 60,
    #: "deadline approaching" reminders go out this many days before the due date
    "REMINDER_DAYS": 3,
    #: how often the scheduler looks for deadlines to remind of
    "REMINDER_SECONDS": 60 * 60,
}


def setting(name: str) -> Any:
    value = current_app.config.get(name)
    return DEFAULTS[name] if value is None else value

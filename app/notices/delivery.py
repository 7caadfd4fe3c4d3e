"""Delivery of the outbox over SMTP, run by the scheduler.

Each notice goes through three short steps, and no database transaction stays open while the
SMTP server is talked to:

1. claim: lock the next due row (FOR UPDATE SKIP LOCKED, so a second scheduler process takes
   another row instead of waiting), count the attempt and reserve the row for
   NOTICE_CLAIM_SECONDS by moving `next_attempt_at`; render its text from its values on the
   first claim and keep it on the row (app.notices.messages.written_text); commit;
2. send the message;
3. record the outcome of that one notice (sent_at, or the error and the backoff); commit.

The outcome is committed right after each message, never in a batch: a crash can re-send only
a message the SMTP server accepted in the instant before its outcome was committed (the
“acceptance window”; SMTP has no way to make a send idempotent). That re-sent copy carries the
same Message-ID, so mail systems can tell it is one message. A crash before the server
accepted a message loses nothing: the claim expires and the notice is sent on a later run.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from sqlalchemy import ColumnElement, func, select, update

from app.database import begin_write, write_transaction
from app.extensions import db
from app.timeutil import utcnow

from .messages import written_text
from .models import Notice
from .settings import setting

log = logging.getLogger(__name__)

_ERROR_MAX = 2000


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    #: attempts that failed in this run (retried later unless given up)
    failed: int = 0
    #: notices that used their last attempt in this run
    given_up: int = 0
    #: MAIL_SERVER is empty: nothing was tried, every notice stays queued
    disabled: bool = False
    #: why the run stopped before the queue was empty (the server cannot be reached)
    stopped: str | None = None
    #: notices due and still unsent after the run
    pending: int = 0

    def __str__(self) -> str:
        if self.disabled:
            return f"notice delivery disabled (MAIL_SERVER empty): {self.pending} queued"
        text = (f"notices: {self.sent} sent, {self.failed} failed ({self.given_up} given up),"
                f" {self.pending} due")
        return f"{text}; stopped: {self.stopped}" if self.stopped else text


@dataclass(frozen=True)
class _Claim:
    notice_id: int
    attempt: int
    message: EmailMessage | None
    #: why no message could be built from the row (a template that fails on its values, a
    #: header the e-mail library refuses)
    error: Exception | None = None


class _Unreachable(Exception):
    """No SMTP session could be opened: every further notice would fail the same way."""


def deliver_pending(
    limit: int = 100, *, should_stop: Callable[[], bool] = lambda: False
) -> DeliveryReport:
    """Send up to `limit` due notices, one at a time, each outcome committed on its own;
    `should_stop` is asked between notices."""
    if not setting("MAIL_SERVER"):
        return DeliveryReport(disabled=True, pending=_count(_due(utcnow())))
    report = DeliveryReport()
    smtp = _Smtp()
    try:
        for _ in range(limit):
            if should_stop():
                break
            claim = _claim_next()
            if claim is None:
                break
            if not _send(smtp, claim, report):
                break
    finally:
        smtp.close()
    report.pending = _count(_due(utcnow()))
    return report


def _send(smtp: _Smtp, claim: _Claim, report: DeliveryReport) -> bool:
    """Send one claimed notice and record the outcome; False when the run should stop."""
    if claim.message is None:
        _record_failure(claim, claim.error, report)
        return True
    try:
        smtp.send(claim.message)
    except _Unreachable as exc:
        _record_failure(claim, exc.__cause__ or exc, report)
        report.stopped = str(exc)
        return False
    except OSError as exc:  # smtplib.SMTPException is an OSError too
        _record_failure(claim, exc, report)
        return True
    _record_success(claim)
    report.sent += 1
    return True


# --- the rows ---------------------------------------------------------------------------------

def _due(now) -> ColumnElement[bool]:
    return (Notice.sent_at.is_(None) & (Notice.next_attempt_at <= now)
            & (Notice.attempts < setting("NOTICE_MAX_ATTEMPTS")))


def failed_notices():
    """Notices given up after their last attempt: kept, with the error, for someone to look at."""
    return select(Notice).where(Notice.sent_at.is_(None),
                                Notice.attempts >= setting("NOTICE_MAX_ATTEMPTS"))


def _count(condition: ColumnElement[bool]) -> int:
    count = db.session.scalar(select(func.count()).select_from(Notice).where(condition))
    db.session.rollback()  # end the read transaction: a job holds nothing open between runs
    return count


def _claim_next() -> _Claim | None:
    """Reserve the next due notice for this process (see the module docstring)."""
    begin_write(db.session)
    now = utcnow()
    notice = db.session.scalars(
        select(Notice).where(_due(now)).order_by(Notice.next_attempt_at, Notice.id)
        .limit(1).with_for_update(skip_locked=True)
    ).first()
    if notice is None:
        db.session.rollback()
        return None
    notice.attempts += 1
    notice.next_attempt_at = now + timedelta(seconds=setting("NOTICE_CLAIM_SECONDS"))
    try:
        claim = _Claim(notice.id, notice.attempts, build_message(notice))
    except Exception as exc:  # this row's problem (a template or a header that fails): it
        # must not stop the others' delivery, and becomes this attempt's failure
        claim = _Claim(notice.id, notice.attempts, None, exc)
    db.session.commit()
    return claim


def _record_success(claim: _Claim) -> None:
    _record(claim, sent_at=utcnow())


def _record_failure(claim: _Claim, exc: BaseException, report: DeliveryReport) -> None:
    error = f"{exc.__class__.__name__}: {exc}"[:_ERROR_MAX]
    now = utcnow()
    _record(claim, last_error=error, next_attempt_at=now + backoff(claim.attempt))
    report.failed += 1
    if claim.attempt >= setting("NOTICE_MAX_ATTEMPTS"):
        report.given_up += 1
        log.error("notice %s given up after %s attempts: %s", claim.notice_id, claim.attempt,
                  error)
    else:
        log.warning("notice %s attempt %s failed: %s", claim.notice_id, claim.attempt, error)


def _record(claim: _Claim, **values) -> None:
    """Write the outcome, unless the claim expired and another process claimed the row since
    (its attempt count then differs and its own outcome is the one that counts)."""
    with write_transaction(db.session):
        db.session.execute(
            update(Notice).where(Notice.id == claim.notice_id, Notice.attempts == claim.attempt)
            .values(**values)
        )


def backoff(attempt: int) -> timedelta:
    """The wait after the `attempt`-th failure: doubling from the base, capped."""
    seconds = setting("NOTICE_RETRY_BASE_SECONDS") * 2 ** (attempt - 1)
    return timedelta(seconds=min(seconds, setting("NOTICE_RETRY_MAX_SECONDS")))


# --- the message ------------------------------------------------------------------------------

def build_message(notice: Notice) -> EmailMessage:
    """A UTF-8 plain-text message (the headers encoded as RFC 2047 where not ASCII); the text
    is rendered now if the notice has none yet, and kept on the row."""
    text = written_text(notice)
    sender = setting("MAIL_FROM")
    message = EmailMessage()
    message["Subject"] = text.subject
    message["From"] = sender
    message["To"] = notice.recipient_email
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = _message_id(notice, sender)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    # base64 keeps Japanese text 7-bit clean for relays without 8BITMIME
    message.set_content(text.body, charset="utf-8",
                        cte="7bit" if text.body.isascii() else "base64")
    message["Content-Language"] = notice.locale
    return message


def _message_id(notice: Notice, sender: str) -> str:
    """The same for every attempt of a notice, so a copy sent twice is recognisably one."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<notice-{notice.id}.{notice.created_at:%Y%m%d%H%M%S%f}@{domain}>"


class _Smtp:
    """One SMTP session for a delivery run, opened on the first message."""

    def __init__(self) -> None:
        self._client: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self._client is None:
            self._client = self._open()
        try:
            self._client.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError):
            raise  # this message was refused; the session is still good for the next
        except BaseException:
            self.close()  # the session is in an unknown state: the next message opens anew
            raise

    def _open(self) -> smtplib.SMTP:
        server, port = setting("MAIL_SERVER"), int(setting("MAIL_PORT"))
        try:
            client = smtplib.SMTP(server, port, timeout=setting("MAIL_TIMEOUT"))
        except OSError as exc:
            raise _Unreachable(f"cannot connect to {server}:{port}: {exc}") from exc
        try:
            if setting("MAIL_USE_TLS"):
                client.starttls(context=ssl.create_default_context())
            if setting("MAIL_USERNAME"):
                client.login(setting("MAIL_USERNAME"), setting("MAIL_PASSWORD"))
        except OSError as exc:
            client.close()
            raise _Unreachable(f"cannot open an SMTP session with {server}:{port}: {exc}") \
                from exc
        return client

    def close(self) -> None:
        if self._client is None:
            return
        client, self._client = self._client, None
        try:
            client.quit()
        except OSError:
            client.close()

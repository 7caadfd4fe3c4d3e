"""Pushing queued messages to partners' endpoints, with retries and exponential backoff.

Each message is claimed (FOR UPDATE SKIP LOCKED, so two scheduler processes never push the
same one at once), sent over HTTP outside any transaction, and its outcome recorded. A 2xx
answer carrying the partner's signed confirmation marks it acknowledged; any other answer is
retried later: 1, 2, 4 … minutes, at most an hour apart, until EXCHANGE_MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.database import begin_write, write_transaction
from app.extensions import db
from app.timeutil import utcnow

from .models import ExchangeMessage, Partner
from .readers import NS, text
from .xmlsec import XmlRejected, parse_untrusted, verify

log = logging.getLogger(__name__)
CLAIM = timedelta(minutes=5)  #: how long a claimed message is left alone by other workers


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"delivered={self.delivered} retried={self.retried} failed={self.failed}"


def _claim() -> ExchangeMessage | None:
    begin_write(db.session)
    row = db.session.scalars(
        select(ExchangeMessage).join(Partner, Partner.id == ExchangeMessage.partner_id).where(
            ExchangeMessage.direction == "out", ExchangeMessage.status == "queued",
            ExchangeMessage.next_attempt_at <= utcnow(), Partner.endpoint_url.is_not(None))
        .order_by(ExchangeMessage.next_attempt_at, ExchangeMessage.id).limit(1)
        .with_for_update(skip_locked=True, of=ExchangeMessage)).first()
    if row is None:
        db.session.rollback()
        return None
    row.attempts += 1
    row.next_attempt_at = utcnow() + CLAIM
    db.session.commit()
    return row


def deliver_pending(limit: int = 100) -> DeliveryReport:
    report = DeliveryReport()
    for _ in range(limit):
        row = _claim()
        if row is None:
            break
        outcome = _push(row)
        _record(row.id, outcome, report)
    return report


def _push(row: ExchangeMessage) -> str | None:
    """None when the partner confirmed receipt, else what went wrong."""
    partner = row.partner
    request = urllib.request.Request(partner.endpoint_url, data=row.raw, method="POST",
                                     headers={"Content-Type": "application/xml"})
    if partner.push_token:
        request.add_header("Authorization", f"Bearer {partner.push_token}")
    try:
        with urllib.request.urlopen(request, timeout=current_app.config[
                "EXCHANGE_PUSH_TIMEOUT"]) as response:  # noqa: S310 - registered https/http URL
            body = response.read(current_app.config["EXCHANGE_MAX_BYTES"] + 1)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}: {exc.read(500).decode(errors='replace')}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return f"{exc.__class__.__name__}: {exc}"
    return _check_confirmation(row, partner, body)


def _check_confirmation(row: ExchangeMessage, partner: Partner, body: bytes) -> str | None:
    try:
        tree = parse_untrusted(body, max_bytes=current_app.config["EXCHANGE_MAX_BYTES"],
                               max_depth=current_app.config["EXCHANGE_MAX_DEPTH"])
        verified = verify(tree, partner.certificates)
    except XmlRejected as exc:
        return f"the answer is not a signed confirmation ({exc.code}: {exc.reason})"
    if text(verified, "t:ReceivedMessageID") != row.message_id:
        return "the confirmation is for another message"
    if verified.find("t:Status", NS) is None:
        return "the answer is not a confirmation of receipt"
    return None


def _record(row_id: int, problem: str | None, report: DeliveryReport) -> None:
    with write_transaction(db.session):
        row = db.session.get(ExchangeMessage, row_id)
        now = utcnow()
        if problem is None:
            row.status, row.delivered_at, row.acknowledged_at = "acknowledged", now, now
            row.next_attempt_at, row.last_error = None, None
            report.delivered += 1
        elif row.attempts >= current_app.config["EXCHANGE_MAX_ATTEMPTS"]:
            row.status, row.last_error, row.next_attempt_at = "failed", problem[:2000], None
            report.failed += 1
            log.warning("message %s to %s failed for good: %s", row.message_id,
                        row.partner.authority_code, problem)
        else:
            backoff = timedelta(minutes=min(2 ** (row.attempts - 1), 60))
            row.last_error, row.next_attempt_at = problem[:2000], now + backoff
            report.retried += 1

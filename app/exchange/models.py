"""Partner authorities, their certificates, and every XML message in and out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class Partner(db.Model):
    """A partner country's competent authority that exchanges signed XML with us."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    #: the authority code in message headers (e.g. USA01)
    authority_code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: where we push its messages; None: the partner only pulls
    endpoint_url: Mapped[str | None] = mapped_column(String(500))
    #: bearer token we present when pushing (issued by the partner)
    push_token: Mapped[str | None] = mapped_column(String(200))
    #: SHA-256 of the token the partner presents to pull (issued by us, shown once)
    pull_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: the machine account its messages act as (role partner_system, bound to the country)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    certificates: Mapped[list[PartnerCertificate]] = relationship(
        back_populates="partner", order_by="PartnerCertificate.valid_from",
        cascade="all, delete-orphan")


class PartnerCertificate(db.Model):
    """A certificate a partner signs with; several may be valid at once (rotation)."""

    __tablename__ = "partner_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    pem: Mapped[str] = mapped_column(Text)
    fingerprint_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(400))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship(back_populates="certificates")


class ExchangeMessage(db.Model):
    """One XML message, in or out, kept byte for byte as sent or received.

    Outbound rows are written in the transaction of the transition that caused them (the
    outbox); their id is the cursor partners pull with. Inbound rows are written before the
    message is even parsed; `response` holds the signed answer we gave, so a repeat of the
    same message gets the same answer.
    """

    __tablename__ = "exchange_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "in" or "out"
    direction: Mapped[str] = mapped_column(String(3))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    #: the MessageID of the header (None until an inbound message could be read)
    message_id: Mapped[str | None] = mapped_column(String(36))
    #: the root element's local name, e.g. TMWNotificationDecisionMessage
    message_type: Mapped[str | None] = mapped_column(String(60))
    correlation_id: Mapped[str | None] = mapped_column(String(36))
    notification_number: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: out: queued, delivered, acknowledged, failed; in: received, accepted, rejected
    status: Mapped[str] = mapped_column(String(20))
    raw: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    #: inbound: the signed confirmation or error we answered with
    response: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    response_status: Mapped[int | None]
    #: why a message was refused (stable code) and what was wrong
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_detail: Mapped[str | None] = mapped_column(Text)
    #: outbound delivery
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner | None] = relationship()

    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        UniqueConstraint("direction", "partner_id", "message_id"),
        Index("ix_exchange_messages_delivery", "direction", "status", "next_attempt_at"),
    )

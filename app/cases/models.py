"""The case aggregate and what every case type shares: audit events, deadlines, attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.auth.models import Organisation, User
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

from .audience import Audience, AudienceType


def trigram_index(name: str, column: str) -> Index:
    """An index that answers ILIKE '%…%' on PostgreSQL (pg_trgm, installed in `public` by the
    migration); SQLite, which cannot use one, gets a plain index of the same name."""
    return Index(name, column, postgresql_using="gin",
                 postgresql_ops={column: "public.gin_trgm_ops"})


class Case(db.Model):
    """One procedure instance. Its state only changes through the transition runner."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the workflow that drives the case, e.g. "basel_export"
    case_type: Mapped[str] = mapped_column(String(40), index=True)
    #: national number (e.g. JP2026000012), given at first submission; drafts have none
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    state: Mapped[str] = mapped_column(String(40), index=True)
    #: optimistic lock: every change bumps it; a stale version is refused
    version: Mapped[int] = mapped_column(default=1)
    #: the case this one belongs to: a shipment's notification
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: the organisation that files the case (notifier / applicant)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship()
    parent: Mapped[Case | None] = relationship(remote_side="Case.id", back_populates="children")
    children: Mapped[list[Case]] = relationship(back_populates="parent", order_by="Case.id")
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.seq", cascade="all, delete-orphan"
    )
    deadlines: Mapped[list[Deadline]] = relationship(
        back_populates="case", order_by="Deadline.due_at", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_cases_updated_at", "updated_at", "id"),  # lists without a deadline to order by
        # a company's case ids from the index alone (its list starts from them)
        Index("ix_cases_organisation_case", "organisation_id", "id"),
        trigram_index("ix_cases_number_trgm", "number"),
    )

    @property
    def reference(self) -> str:
        """What people call the case: its number, or a draft reference before it has one."""
        return self.number or f"DRAFT-{self.id}"


class CaseEvent(db.Model):
    """Append-only audit trail. Each row carries the hash of the one before it in the case."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: 1, 2, 3... within the case
    seq: Mapped[int]
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: None for system events (timers, incoming messages)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the acting role, or "system"
    actor_role: Mapped[str] = mapped_column(String(20))
    #: the name shown on the timeline, frozen at the time of the event
    actor_label: Mapped[str] = mapped_column(String(200))
    #: workflow event (submit, record_consent...) or a non-transition action (update_draft...)
    event: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: the AUDIT_MAC_KEYS key the row was MACed with; None for rows older than the MACs
    mac_key_id: Mapped[str | None] = mapped_column(String(16))
    #: HMAC-SHA256 of `hash` under that key: without the key the chain cannot be recomputed
    mac: Mapped[str | None] = mapped_column(String(64))
    #: who reads the event on the timeline, chosen when it is written (app/cases/audience.py)
    audience: Mapped[Audience] = mapped_column(AudienceType)
    #: who reads its reason/comment: officials only when marked internal
    remark_audience: Mapped[Audience] = mapped_column(AudienceType)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "seq"),)


class AuditCheckpoint(db.Model):
    """The head of every case's audit chain at one moment, MACed: a case deleted or cut short
    since, or a chain rewritten before it, no longer matches (app/cases/checkpoints.py)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    case_count: Mapped[int]
    #: JSON list of [case id, case number, last seq, last hash] by case id, exactly as MACed
    heads: Mapped[str] = mapped_column(Text, deferred=True)
    #: SHA-256 of `heads`; the MAC covers it with the time and the number of cases
    heads_digest: Mapped[str] = mapped_column(String(64))
    mac_key_id: Mapped[str] = mapped_column(String(16))
    mac: Mapped[str] = mapped_column(String(64))


class Deadline(db.Model):
    """A legal or procedural time limit on a case, set and cleared by transitions.

    The scheduler fires due rows as system transitions; `fired_at` makes firing idempotent.
    """

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: what falls due, e.g. "acknowledgement", "tacit_consent", "consent_expiry"
    kind: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the country whose authority the deadline concerns, when it concerns one
    country_code: Mapped[str | None] = mapped_column(String(2))
    #: regime and rule key the due date was computed from (None for dates given in a decision)
    regime: Mapped[str | None] = mapped_column(String(10))
    rule_key: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: cleared because what it waited for happened (or the case ended)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: what firing did: the event fired, "alarm", or why the event was refused
    outcome: Mapped[str | None] = mapped_column(String(200))
    #: when the "deadline approaching" reminder went out (once per deadline)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="deadlines")

    __table_args__ = (
        # the sweeper's query: open rows by due date. Partial, so it holds only open rows and
        # does not grow with the history of fired and cleared deadlines.
        Index("ix_deadlines_open_due", "due_at", "id",
              postgresql_where=text("fired_at IS NULL AND cleared_at IS NULL"),
              sqlite_where=text("fired_at IS NULL AND cleared_at IS NULL")),
        Index("ix_deadlines_case_id", "case_id"),
        # a case's next deadline, and whether it has an earlier one (the lists' order)
        Index("ix_deadlines_open_case", "case_id", "due_at",
              postgresql_where=text("fired_at IS NULL AND cleared_at IS NULL"),
              sqlite_where=text("fired_at IS NULL AND cleared_at IS NULL")),
        # the few cases with a raised alarm, first in every list
        Index("ix_deadlines_raised_alarms", "case_id",
              postgresql_where=text("outcome = 'alarm' AND cleared_at IS NULL"),
              sqlite_where=text("outcome = 'alarm' AND cleared_at IS NULL")),
    )

    @property
    def is_open(self) -> bool:
        return self.fired_at is None and self.cleared_at is None


class Attachment(db.Model):
    """A document filed with a case. Bytes live in the database so a case moves as one unit."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: contract, esm_info, insurance, partner_document, other; a yard's site_plan, photo
    kind: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    description: Mapped[str | None] = mapped_column(Text)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: who reads and downloads it, chosen by kind when it is filed (app/cases/audience.py)
    audience: Mapped[Audience] = mapped_column(AudienceType)

    case: Mapped[Case] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(
            "kind IN ('contract', 'esm_info', 'insurance', 'partner_document', 'other',"
            " 'site_plan', 'photo')",
            name="kind",
        ),
    )


class NumberSequence(db.Model):
    """Last serial used per numbering prefix and year; rows are locked while a number is taken."""

    __tablename__ = "number_sequences"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)

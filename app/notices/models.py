"""The e-mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class Notice(db.Model):
    """One e-mail to one person, written when something happened, sent later by a job."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipient_email: Mapped[str] = mapped_column(String(200))
    #: the language the message was written in (the recipient's)
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    #: what it is about: submitted, returned, consent, objection, deadline_approaching, ...
    kind: Mapped[str] = mapped_column(String(40))
    #: what the notice says, as plain values (app.notices.messages.stored_values): written with
    #: what happened; the text is rendered from them only when the notice is delivered
    values: Mapped[dict | None] = mapped_column(JSON)
    #: the rendered text, stored when delivery first claims the notice (None until then), so
    #: every attempt sends the same words and a given-up notice still shows what it said
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None until the SMTP server accepted it
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: when delivery may be tried again (backoff after a failure)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_notices_pending", "sent_at", "next_attempt_at"),)

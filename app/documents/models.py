"""Issued documents, kept exactly as rendered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.cases.audience import Audience, AudienceType
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class StoredDocument(db.Model):
    """A PDF as issued for one version of a case, in one language.

    The case's version is part of the key: once rendered, the document for that version is
    served from here byte for byte, so what was issued can always be downloaded again.
    """

    __tablename__ = "stored_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: notification, movement_document, consent_letter, approval_letter
    kind: Mapped[str] = mapped_column(String(30))
    case_version: Mapped[int]
    locale: Mapped[str] = mapped_column(String(5))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rendered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: who may download it, by kind, as it was when issued (app/documents/kinds.py)
    audience: Mapped[Audience] = mapped_column(AudienceType)

    __table_args__ = (UniqueConstraint("case_id", "kind", "case_version", "locale"),)

"""Documents as issued: rendered once per (case, kind, case version, language), then served
from the `stored_documents` table byte for byte.

The first download of a document for a case version renders and stores it; every later one
reads the stored row. Two first downloads at once both render, one insert wins on the unique
key and the other returns the winner's row. If the case changes while a document renders,
the rendering is discarded and redone for the new version, so a stored document always shows
exactly the version it is filed under.
"""

from __future__ import annotations

import hashlib
import re

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from app.cases.models import Case
from app.cases.runner import StaleCase
from app.database import begin_write
from app.extensions import db
from app.timeutil import utcnow

from .context import build_context
from .kinds import AUDIENCES, TITLES, unavailable_reason
from .models import StoredDocument
from .render import render_pdf

#: how often a first download re-renders when the case keeps changing under it
ATTEMPTS = 3


class DocumentUnavailable(Exception):
    """The case has no such document (now, or for the version asked for)."""

    def __init__(self, message: str, **params) -> None:
        super().__init__(message)
        self.message, self.params = message, params


def stored_document(case_id: int, kind: str, version: int, locale: str) -> StoredDocument | None:
    """The stored row with its bytes (one query: whoever asks for it is about to serve it)."""
    query = select(StoredDocument).options(undefer(StoredDocument.content)).where(
        StoredDocument.case_id == case_id, StoredDocument.kind == kind,
        StoredDocument.case_version == version, StoredDocument.locale == locale)
    return db.session.scalar(query)


def issued_document(case: Case, kind: str, locale: str, user) -> StoredDocument:
    """The document for the case's current version: the stored one, or rendered and stored."""
    for _attempt in range(ATTEMPTS):
        if (reason := unavailable_reason(case, kind)) is not None:
            raise DocumentUnavailable(reason)
        found = stored_document(case.id, kind, case.version, locale)
        if found is not None:
            return found
        saved = _save(case.id, _render(case, kind, locale, user))
        if saved is not None:
            return saved
        case = db.session.get(Case, case.id)  # changed while rendering: again, as it is now
    raise StaleCase()


def _render(case: Case, kind: str, locale: str, user) -> StoredDocument:
    """The document as the case is now; filed under the version its context was read at."""
    case_id, version, rendered_at = case.id, case.version, utcnow()
    with force_locale(locale):
        context = build_context(case, kind, rendered_at)
        filename = document_filename(case.reference, _(TITLES[kind]), version)
        content = render_pdf(f"{kind}.html", context)
    return StoredDocument(
        case_id=case_id, kind=kind, case_version=version, locale=locale,
        filename=filename, content=content, sha256=hashlib.sha256(content).hexdigest(),
        size=len(content), rendered_at=rendered_at, rendered_by_id=user.id if user else None,
        audience=AUDIENCES[kind])


def _save(case_id: int, row: StoredDocument) -> StoredDocument | None:
    """Store the rendering in one transaction; None when the case moved on meanwhile."""
    key = (row.case_id, row.kind, row.case_version, row.locale)
    begin_write(db.session)
    current = db.session.scalar(select(Case.version).where(Case.id == case_id))
    if current != row.case_version:
        db.session.rollback()
        return None
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent first download stored it first
        db.session.rollback()
        return stored_document(*key)
    return row


def document_filename(reference: str, title: str, version: int) -> str:
    """E.g. JP2026000012_通告書_v3.pdf: readable in the user's language, safe on any disk."""
    name = re.sub(r"[\s/\\:*?\"<>|]+", "_", f"{reference}_{title}_v{version}")
    return f"{name[:190]}.pdf"

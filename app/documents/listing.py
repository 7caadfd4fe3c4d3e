"""The documents block of the case page: what can be downloaded now, and what was issued
for earlier versions of the case (kept in the store)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.audience import Reader
from app.cases.models import Case
from app.extensions import db
from app.templating import locale_code

from .kinds import AUDIENCES, KINDS, TITLES, available_kinds
from .models import StoredDocument

LANGUAGES = ("ja", "en")


def _issued(case_id: int, reader: Reader) -> list[tuple[str, int, str]]:
    """(kind, case version, locale) of every stored document of the case the reader may
    download, newest first."""
    rows = db.session.execute(
        select(StoredDocument.kind, StoredDocument.case_version, StoredDocument.locale,
               StoredDocument.audience)
        .where(StoredDocument.case_id == case_id)
        .order_by(StoredDocument.case_version.desc(), StoredDocument.locale)).all()
    return [(kind, version, locale) for kind, version, locale, audience in rows
            if reader.reads(audience)]


def _link(case: Case, kind: str, locale: str, version: int | None = None) -> dict[str, str]:
    return {"locale": locale, "url": url_for("documents.download", case_id=case.id, kind=kind,
                                             lang=locale, version=version)}


def case_documents(case: Case, reader: Reader) -> list[dict[str, object]]:
    """Per kind: links for the current version (when the case has the document now) and the
    earlier versions it was issued for, each with its languages — what the reader may read."""
    issued = _issued(case.id, reader)
    current = {k for k in available_kinds(case) if reader.reads(AUDIENCES[k])}
    found = []
    for kind in KINDS:
        earlier: dict[int, list[str]] = {}
        for k, version, locale in issued:
            if k == kind and version != case.version:
                earlier.setdefault(version, []).append(locale)
        if kind not in current and not earlier:
            continue
        languages = sorted(LANGUAGES, key=lambda loc: loc != locale_code())
        found.append({
            "kind": kind, "title": _(TITLES[kind]), "version": case.version,
            "current": [_link(case, kind, loc) for loc in languages] if kind in current
            else [],
            "earlier": [{"version": v, "links": [_link(case, kind, loc, v) for loc in locs]}
                        for v, locs in earlier.items()],
        })
    return found

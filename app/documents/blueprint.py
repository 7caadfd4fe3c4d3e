"""Download of the printable documents of a case (PDF), per version and language."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.access import allow
from app.cases.audience import reader_for
from app.cases.views import get_visible_case
from app.templating import locale_code
from workflows.base import N_

from .kinds import AUDIENCES
from .listing import LANGUAGES, case_documents
from .models import StoredDocument
from .store import DocumentUnavailable, issued_document, stored_document

UNKNOWN_LANGUAGE = N_("Documents are issued in Japanese (ja) and English (en) only.")
NOT_ISSUED = N_("No such document was issued for version {version} of this case.")
NO_SUCH_DOCUMENT = N_("This document does not exist for this kind of case.")

bp = Blueprint("documents", __name__)
bp.add_app_template_global(case_documents)


@bp.route("/cases/<int:case_id>/documents/<kind>.pdf")
@allow()
def download(case_id: int, kind: str):
    case = get_visible_case(case_id, current_user)
    locale = request.args.get("lang") or locale_code()
    if locale not in LANGUAGES:
        raise DocumentUnavailable(UNKNOWN_LANGUAGE)
    version = request.args.get("version", type=int)
    reader = reader_for(current_user, case)
    if version is None or version == case.version:
        if not reader.reads(AUDIENCES.get(kind)):  # refused before anything is rendered
            raise DocumentUnavailable(NO_SUCH_DOCUMENT)
        row = issued_document(case, kind, locale, current_user)
    else:
        row = _earlier(case.id, kind, version, locale)
    if not reader.reads(row.audience):  # as it was when issued
        raise DocumentUnavailable(NO_SUCH_DOCUMENT)
    return _pdf_response(row)


def _earlier(case_id: int, kind: str, version: int, locale: str) -> StoredDocument:
    """Another version's document exists only as it was issued; it is never rendered now."""
    row = stored_document(case_id, kind, version, locale)
    if row is None:
        raise DocumentUnavailable(NOT_ISSUED, version=version)
    return row


def _pdf_response(row: StoredDocument) -> Response:
    response = Response(row.content, mimetype="application/pdf")
    reference = re.sub(r"[^A-Za-z0-9-]+", "_", row.filename.split("_", 1)[0])
    ascii_name = f"{reference}-{row.kind}-v{row.case_version}-{row.locale}.pdf"
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename, safe='')}")
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(row.sha256)
    return response.make_conditional(request)


@bp.errorhandler(DocumentUnavailable)
def unavailable(exc: DocumentUnavailable):
    detail = _(exc.message).format(**exc.params)
    return render_template("errors.html", status=404, title=_("Not found"), detail=detail), 404

"""Documents coming in with a form or an API call, checked once and turned into Attachments."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from flask import current_app
from marshmallow import ValidationError, fields

from app.input_fields import text_problem
from workflows.base import N_

from .audience import attachment_audience
from .models import Attachment, Case

ALLOWED_TYPES = {
    "application/pdf", "image/png", "image/jpeg", "image/tiff", "text/plain", "application/xml",
    "text/xml", "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


#: how each binary format begins (its "magic bytes"); text, XML and CSV have no fixed start
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "zip": (b"PK\x03\x04",),  # also the container of .docx and .xlsx
}
#: the format a file name's extension or a declared content type claims
CLAIMED_FORMAT = {
    ".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff",
    ".tiff": "tiff", ".zip": "zip", ".docx": "zip", ".xlsx": "zip",
    "application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpeg", "image/tiff": "tiff",
    "application/zip": "zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "zip",
}
CONTENT_MISMATCH = N_("The file's content does not match its name or type (for example a .pdf "
                    "file that is not a PDF). Choose the original file, or save it again in "
                    "the format its name says.")


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    content: bytes

    def to_attachment(self, case: Case, kind: str, user, description: str | None = None):
        return Attachment(case=case, uploaded_by=user,
                          **self._values(case.case_type, kind, description))

    def attachment_row(self, case: Case, kind: str, user,
                       description: str | None = None) -> dict:
        """The attachment as the values of an INSERT (of a case made in this transaction,
        whose attachments nothing reads back before the commit)."""
        return {"case_id": case.id, "uploaded_by_id": user.id,
                **self._values(case.case_type, kind, description)}

    def _values(self, case_type: str, kind: str, description: str | None) -> dict:
        return {"kind": kind, "filename": self.filename, "content_type": self.content_type,
                "size": len(self.content), "sha256": hashlib.sha256(self.content).hexdigest(),
                "content": self.content, "description": description,
                "audience": attachment_audience(case_type, kind)}


def _check(filename: str, content_type: str, content: bytes) -> Upload:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise ValidationError("The file has no name.")
    if problem := text_problem(name, multiline=False):  # e.g. "invoice\u202Efdp.exe"
        raise ValidationError(problem)
    if not content:
        raise ValidationError("The file is empty.")
    if len(content) > current_app.config["MAX_ATTACHMENT_BYTES"]:
        raise ValidationError("The file is larger than the limit for one document.")
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in ALLOWED_TYPES:
        raise ValidationError("This file type is not accepted (PDF, images, Office, text, XML).")
    _check_content(name, kind, content)
    return Upload(name[:255], kind, content)


def _check_content(name: str, content_type: str, content: bytes) -> None:
    """Both the name's extension and the declared type must agree with the first bytes: a
    reviewer opening "contract.pdf" must get a PDF, not whatever was renamed to it."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for claim in (extension, content_type):
        claimed = CLAIMED_FORMAT.get(claim)
        if claimed and not content.startswith(SIGNATURES[claimed]):
            raise ValidationError(CONTENT_MISMATCH)


def from_file_storage(storage) -> Upload | None:
    """A werkzeug FileStorage from a form; None when no file was chosen."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return _check(storage.filename, storage.mimetype, storage.read())


class DocumentField(fields.Field):
    """A document: an uploaded file (forms) or {filename, content_type, content_base64} (API)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, Upload):
            return value
        if hasattr(value, "filename") and hasattr(value, "read"):
            return from_file_storage(value)
        if not isinstance(value, dict):
            raise ValidationError("Expected a file or an object with content_base64.")
        parts = _string_parts(value)
        try:
            content = base64.b64decode(parts["content_base64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError("content_base64 is not valid base64.") from exc
        return _check(parts["filename"], parts["content_type"], content)


def _string_parts(value: dict) -> dict[str, str]:
    """The three parts of an API document, each a string naming itself when it is not."""
    parts = {name: value.get(name, "") for name in ("filename", "content_type",
                                                    "content_base64")}
    errors = {name: ["Not a valid string."] for name, part in parts.items()
              if not isinstance(part, str)}
    if errors:
        raise ValidationError(errors)
    return parts

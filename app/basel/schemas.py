"""Payloads of the export workflow's events, validated at the boundary (forms and API alike)."""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.cases.uploads import DocumentField
from app.input_fields import FreeText, Line

from .completeness import SECTIONS


class EventSchema(Schema):
    """Every event may carry a comment or reason shown on the timeline."""

    reason = FreeText(load_default=None, max_length=4000)
    #: the reason in English, for the partner authority that reads it (Basel Art. 6(1))
    reason_en = FreeText(load_default=None, max_length=4000)
    #: an official's remark for the officials only (app/cases/audience.py); kept in the
    #: event's payload, so the hash chain covers the choice
    internal_remark = fields.Boolean()

    @pre_load
    def blanks(self, data, **kwargs):
        """Forms send empty strings for untouched fields; they mean “not given”."""
        if not isinstance(data, Mapping):
            return data  # marshmallow refuses it as "Invalid input type."
        return {k: v for k, v in dict(data).items() if v not in ("", None)}


class AuthorityAnswerSchema(EventSchema):
    """An answer of a State concerned, recorded from the partner's document."""

    country = Line(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    received_on = fields.Date(required=True)
    document = DocumentField(load_default=None)


class ConsentSchema(AuthorityAnswerSchema):
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    conditions = FreeText(load_default=None, max_length=4000)

    @validates_schema
    def _period(self, data, **kwargs):
        if data["valid_to"] < data["valid_from"]:
            raise ValidationError("The consent cannot end before it begins.", "valid_to")


class ReplySchema(EventSchema):
    document = DocumentField(load_default=None)


class ExportApprovalSchema(EventSchema):
    approval_no = Line(required=True, min_length=1, max_length=40)
    approval_date = fields.Date(required=True)


class TacitConsentSchema(EventSchema):
    country = Line(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    #: the day the objection period ended (the scheduler may run later, e.g. after downtime)
    on = fields.Date(load_default=None)


class ReturnSchema(EventSchema):
    """A return for correction: the reason, and the sections the filer must change."""

    sections = fields.List(fields.String(validate=validate.OneOf(SECTIONS)), load_default=list)


EVENT_SCHEMAS: dict[str, type[Schema]] = {
    "return_for_correction": ReturnSchema,
    "record_acknowledgement": AuthorityAnswerSchema,
    "record_information_request": AuthorityAnswerSchema,
    "record_objection": AuthorityAnswerSchema,
    "record_consent": ConsentSchema,
    "reply_to_request": ReplySchema,
    "record_export_approval": ExportApprovalSchema,
    "tacit_consent": TacitConsentSchema,
}


def schema_for(event: str) -> Schema:
    return EVENT_SCHEMAS.get(event, EventSchema)()

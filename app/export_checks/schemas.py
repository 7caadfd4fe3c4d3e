"""What an exporter files, as marshmallow schemas: one validation for the web forms and the API.

Saving a draft only checks that what is given is well-formed and uses real codes; whether
everything needed is there is the completeness check's job (completeness.py), whether it
adds up the rule check's (rules.py).
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from app.basel.sections import SectionSchema, check_codes
from app.cases.handlers import invalid
from app.cases.uploads import DocumentField
from app.input_fields import FreeText, Line, Name
from app.timeutil import today_in_japan

from .models import CRITERIA, DECISIONS, LOADING

#: a freight container number as ISO 6346 writes it: owner code, category, serial, check digit
CONTAINER = validate.Regexp(r"^[A-Z]{3}[UJZ][0-9]{7}$",
                            error="Write the container number as ISO 6346 does, e.g. "
                                  "MSCU1234565.")


class RequestSchema(SectionSchema):
    """The consignment and the written evidence for the five criteria."""

    destination_country = Line(allow_none=True, metadata={"code_list": "country"},
                               validate=validate.NoneOf(["JP"], error="The destination "
                                                        "must be outside Japan."))
    buyer_name = Name(allow_none=True, max_length=200)
    buyer_address = FreeText(allow_none=True, max_length=1000)
    planned_shipment_date = fields.Date(allow_none=True)
    port_of_loading = Line(allow_none=True, max_length=100)
    container_no = Line(allow_none=True, validate=CONTAINER)
    age_appearance_note = FreeText(allow_none=True)
    working_condition_note = FreeText(allow_none=True)
    loading_method = Line(allow_none=True, validate=validate.OneOf(LOADING))
    packaging_note = FreeText(allow_none=True)
    trade_document_ref = Line(allow_none=True, max_length=100)
    trade_note = FreeText(allow_none=True)
    market_note = FreeText(allow_none=True)

    @validates_schema(skip_on_field_errors=False)  # every problem at once
    def codes(self, data, **kwargs):
        check_codes(self, data)


class LineSchema(SectionSchema):
    """One product line."""

    product_type = Line(required=True, metadata={"code_list": "used_product_type"})
    model = Line(required=True, validate=validate.Length(min=1, max=100))
    year = fields.Integer(required=True, validate=validate.Range(min=1950, max=2100))
    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))

    @validates_schema(skip_on_field_errors=False)  # every problem at once
    def codes(self, data, **kwargs):
        check_codes(self, data)
        if data.get("year", 0) > today_in_japan().year:
            raise invalid("year", "The year of manufacture is in the future.")


class EvidenceSchema(SectionSchema):
    criterion = Line(required=True, validate=validate.OneOf(CRITERIA))


class LineDecisionSchema(SectionSchema):
    """MOE's decision on one line; a refusal says why, or takes the inspection's finding on
    the line as its reason (operations.decide_line)."""

    decision = Line(required=True, validate=validate.OneOf(DECISIONS))
    reason = FreeText(allow_none=True)


#: what a photo may be: a picture a reviewer's browser shows as it is
PHOTO_TYPES = ("image/jpeg", "image/png")


def _is_photo(upload) -> None:
    if upload is not None and upload.content_type not in PHOTO_TYPES:
        raise ValidationError("A photo must be a JPEG or PNG image.")


class FindingSchema(SectionSchema):
    """What the inspection found on one line: units looked at and failing, in words, photos
    (files from a form, or {filename, content_type, content_base64} through the API)."""

    units_inspected = fields.Integer(required=True, validate=validate.Range(min=0, max=100_000))
    units_failing = fields.Integer(required=True, validate=validate.Range(min=0, max=100_000))
    finding = FreeText(allow_none=True)
    photos = fields.List(DocumentField(validate=_is_photo), load_default=list,
                         validate=validate.Length(max=10, error="At most 10 photos at a time."))

    @validates_schema(skip_on_field_errors=True)
    def adds_up(self, data, **kwargs):
        if data["units_failing"] > data["units_inspected"]:
            raise invalid("units_failing", "More units failing than inspected.")
        if data["units_failing"] and not (data.get("finding") or "").strip():
            raise invalid("finding", "Say what was wrong with the failing units.")

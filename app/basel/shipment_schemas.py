"""Movement-document data and the payloads of the shipment workflow's events."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from app.cases.uploads import DocumentField
from app.input_fields import FreeText, Line, Name

from .schemas import EventSchema
from .sections import SectionSchema, check_codes, code_list


class MovementDocumentSchema(SectionSchema):
    """What the exporter enters before announcing (MD blocks 5–7, 16)."""

    actual_quantity = fields.Decimal(required=True, places=3, validate=validate.Range(
        min=0, min_inclusive=False, max=10_000_000))
    quantity_unit = Line(required=True, validate=validate.OneOf(["t", "m3"]))
    shipment_date = fields.Date(required=True)
    expected_arrival = fields.Date(required=True)
    packages = fields.Integer(required=True, validate=validate.Range(min=1, max=100000))
    packaging = code_list("packaging", validate=validate.Length(min=1))
    notes = FreeText(allow_none=True, max_length=4000)

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, **kwargs):
        check_codes(self, data)
        if data.get("shipment_date") and data.get("expected_arrival") and \
                data["expected_arrival"] < data["shipment_date"]:
            raise ValidationError("The arrival cannot be before the shipment date.",
                                  "expected_arrival")


class CustodySchema(EventSchema):
    carrier_name = Name(required=True, min_length=1, max_length=200)
    transport_mode = Line(required=True, metadata={"code_list": "transport_mode"},
                                   validate=validate.OneOf(["R", "T", "S", "A", "W"]))
    transferred_on = fields.Date(required=True)
    signed_by = Name(required=True, min_length=1, max_length=200)


class ReceiptSchema(EventSchema):
    received_on = fields.Date(required=True)
    received_quantity = fields.Decimal(required=True, places=3, validate=validate.Range(
        min=0, min_inclusive=False, max=10_000_000))
    approx_recovery_date = fields.Date(load_default=None)
    document = DocumentField(load_default=None)


class RejectionSchema(EventSchema):
    received_on = fields.Date(required=True)
    document = DocumentField(load_default=None)


class RecoverySchema(EventSchema):
    recovery_completed_on = fields.Date(required=True)
    recovery_operation_code = Line(required=True,
                                            metadata={"code_list": "operation"})
    document = DocumentField(load_default=None)

    @validates_schema(skip_on_field_errors=False)
    def _codes(self, data, **kwargs):
        check_codes(self, data)


class ReturnSchema(EventSchema):
    returned_on = fields.Date(required=True)


EVENT_SCHEMAS = {
    "depart": CustodySchema,
    "transfer_custody": CustodySchema,
    "confirm_receipt": ReceiptSchema,
    "reject": RejectionSchema,
    "confirm_recovery": RecoverySchema,
    "confirm_return": ReturnSchema,
}


def schema_for(event: str):
    return EVENT_SCHEMAS.get(event, EventSchema)()

"""The scrap-yard API's bodies and answers (documented in the OpenAPI from these schemas)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate

from app.api.schemas import DocumentIn, FindingOut
from app.input_fields import FreeText, StoredInt

from .ledger import EntrySchema
from .schemas import BriefingSection, MeasuresSection, OperatorSection, SiteSection
from .schemas import StorageAreaSchema as AreaFields


class YardSectionsIn(Schema):
    """Any sections of the application, each partially; `version` when changing a case."""

    version = StoredInt(load_default=None)
    operator = fields.Nested(OperatorSection, load_default=None)
    site = fields.Nested(SiteSection, load_default=None)
    measures = fields.Nested(MeasuresSection, load_default=None)
    briefing = fields.Nested(BriefingSection, load_default=None)


class YardAreaIn(AreaFields):
    version = StoredInt(required=True)
    #: the area to change; none to add one
    area_id = StoredInt(load_default=None)


class YardAttachmentIn(Schema):
    version = StoredInt(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["site_plan", "photo", "other"]))
    description = FreeText(load_default=None)
    document = fields.Nested(DocumentIn, required=True)


class YardLedgerIn(Schema):
    version = StoredInt(required=True)
    rows = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=20_000))


#: the application's values in the API, as the sections name them
APPLICATION_FIELDS = (
    "operator_name", "corporate_no", "operator_address", "representative_name",
    "representative_title", "contact_email", "contact_tel", "disqualification",
    "site_address", "prefecture_code", "latitude", "longitude", "site_area_m2",
    "housing_distance_m", "enclosure", "enclosure_height_m", "sign_width_cm", "sign_height_cm",
    "drainage", "oil_infiltration", "fire_prevention", "lib_separation_m", "lib_detection",
    "briefing_date", "briefing_radius_m", "briefing_record", "old_notification_no",
    "old_notification_date", "apply_by", "conditions", "inspection_date")


def application_values(application) -> dict:
    """JSON values: decimals as strings (exact), dates as ISO 8601."""
    out = {}
    for name in APPLICATION_FIELDS:
        value = getattr(application, name)
        if isinstance(value, (Decimal, date)):
            value = value.isoformat() if isinstance(value, date) else str(value)
        out[name] = value
    return out


class YardAreaOut(Schema):
    id = fields.Integer()
    label = fields.String()
    material = fields.String()
    area_m2 = fields.Decimal(as_string=True)
    max_pile_height_m = fields.Decimal(as_string=True)
    spacing_m = fields.Decimal(as_string=True)
    capacity_t = fields.Decimal(as_string=True, allow_none=True)


class YardMissingOut(Schema):
    section = fields.String()
    field = fields.String()
    label = fields.String()


class YardOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    number = fields.String(allow_none=True)
    state = fields.String()
    version = fields.Integer()
    application = fields.Dict()
    areas = fields.List(fields.Nested(YardAreaOut))
    missing = fields.List(fields.Nested(YardMissingOut))
    findings = fields.List(fields.Nested(FindingOut))
    standard_set = fields.String(allow_none=True)
    permit_no = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)


class YardStockOut(Schema):
    material = fields.String()
    tonnes = fields.Decimal(as_string=True)
    pieces = fields.Decimal(as_string=True)
    capacity = fields.Decimal(as_string=True, allow_none=True)
    over = fields.Boolean()


class YardLedgerOut(Schema):
    stock = fields.List(fields.Nested(YardStockOut))
    flagged = fields.List(fields.Nested(EntrySchema))

"""What the API sends and accepts, as marshmallow schemas (also the OpenAPI components)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.basel.sections import DeclarationSchema, RouteSchema, ShipmentSchema, WasteSchema
from app.cases.queries import MAX_PAGE
from app.cases.uploads import DocumentField
from app.input_fields import FreeText, Line, StoredInt


class PartyOut(Schema):
    role = fields.String()
    seq = fields.Integer()
    registration_no = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    country_code = fields.String(allow_none=True)
    contact_person = fields.String(allow_none=True)
    tel = fields.String(allow_none=True)
    fax = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    site = fields.String(allow_none=True)
    transport_mode = fields.String(allow_none=True)


class StateOut(Schema):
    role = fields.String()
    seq = fields.Integer()
    country_code = fields.String()
    authority_code = fields.String(allow_none=True)
    entry_point = fields.String(allow_none=True)
    exit_point = fields.String(allow_none=True)


class AuthorityStatusOut(Schema):
    country_code = fields.String()
    role = fields.String()
    acknowledged = fields.Boolean()
    consented = fields.Boolean()
    objected = fields.Boolean()
    information_requested = fields.Boolean()
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    conditions = fields.String(allow_none=True)
    conditions_en = fields.String(allow_none=True)


class AttachmentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()


class NotificationOut(Schema):
    notification_type = fields.String(allow_none=True)
    pre_consented = fields.Boolean()
    intended_shipments = fields.Integer(allow_none=True)
    total_quantity = fields.Decimal(allow_none=True, as_string=True)
    quantity_unit = fields.String(allow_none=True)
    first_departure = fields.Date(allow_none=True)
    last_departure = fields.Date(allow_none=True)
    special_handling = fields.Boolean()
    special_handling_details = fields.String(allow_none=True)
    insurance = fields.String(allow_none=True)
    #: the structured financial guarantee (Basel Convention Art. 6(11)), as filed in the
    #: shipment section: amount in its ISO 4217 currency, guarantor, validity
    guarantee_amount = fields.Decimal(allow_none=True, as_string=True)
    guarantee_currency = fields.String(allow_none=True)
    guarantor = fields.String(allow_none=True)
    guarantee_valid_from = fields.Date(allow_none=True)
    guarantee_valid_to = fields.Date(allow_none=True)
    operation_code = fields.String(allow_none=True)
    technology = fields.String(allow_none=True)
    reason_for_export = fields.String(allow_none=True)
    waste_designation = fields.String(allow_none=True)
    waste_composition = fields.String(allow_none=True)
    generating_process = fields.String(allow_none=True)
    #: the English twins a partner authority reads
    technology_en = fields.String(allow_none=True)
    reason_for_export_en = fields.String(allow_none=True)
    waste_designation_en = fields.String(allow_none=True)
    waste_composition_en = fields.String(allow_none=True)
    generating_process_en = fields.String(allow_none=True)
    un_number = fields.String(allow_none=True)
    un_shipping_name = fields.String(allow_none=True)
    national_code_export = fields.String(allow_none=True)
    national_code_import = fields.String(allow_none=True)
    customs_office_exit = fields.String(allow_none=True)
    customs_office_entry = fields.String(allow_none=True)
    declaration_name = fields.String(allow_none=True)
    declaration_accepted_at = fields.DateTime(allow_none=True)
    contract_confirmed_at = fields.DateTime(allow_none=True)
    approval_no = fields.String(allow_none=True)
    approval_date = fields.Date(allow_none=True)
    codes = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    parties = fields.List(fields.Nested(PartyOut))
    states = fields.List(fields.Nested(StateOut))


class MissingOut(Schema):
    section = fields.String()
    field = fields.String()
    message = fields.String()


class ShipmentOut(Schema):
    seq = fields.Integer()
    actual_quantity = fields.Decimal(allow_none=True, as_string=True)
    quantity_unit = fields.String(allow_none=True)
    shipment_date = fields.Date(allow_none=True)
    expected_arrival = fields.Date(allow_none=True)
    packages = fields.Integer(allow_none=True)
    packaging = fields.List(fields.String())
    due_to_take_back = fields.Boolean()
    received_on = fields.Date(allow_none=True)
    received_quantity = fields.Decimal(allow_none=True, as_string=True)
    recovery_completed_on = fields.Date(allow_none=True)
    recovery_operation_code = fields.String(allow_none=True)


class FindingOut(Schema):
    rule = fields.String()
    field = fields.String()
    severity = fields.String(metadata={"enum": ["warning", "error"]})
    message = fields.String()
    source = fields.String()


class CaseOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    number = fields.String(allow_none=True)
    case_type = fields.String()
    state = fields.String()
    state_label = fields.String()
    version = fields.Integer()
    organisation = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    notification = fields.Nested(NotificationOut, allow_none=True)
    shipment = fields.Nested(ShipmentOut, allow_none=True)
    authorities = fields.List(fields.Nested(AuthorityStatusOut))
    attachments = fields.List(fields.Nested(AttachmentOut))
    missing = fields.List(fields.Nested(MissingOut))
    #: plausibility findings, for the filer while it may edit and for the officials
    findings = fields.List(fields.Nested(FindingOut))
    next_deadline = fields.DateTime(allow_none=True)


class CaseSummaryOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    case_type = fields.String()
    state = fields.String()
    version = fields.Integer()
    updated_at = fields.DateTime()
    next_deadline = fields.DateTime(allow_none=True)


class CaseListOut(Schema):
    items = fields.List(fields.Nested(CaseSummaryOut))
    total = fields.Integer(metadata={"description": (
        "How many cases match; a lower bound when `total_is_lower_bound` is true")})
    total_is_lower_bound = fields.Boolean(metadata={"description": (
        "True when more cases match than are counted (the count stops at 1,000): there "
        "are at least `total`, and further pages while `items` is full")})
    page = fields.Integer()
    page_size = fields.Integer()


class CaseQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    q = Line(load_default="", max_length=100)
    state = Line(load_default="", max_length=40)
    country = Line(load_default="", validate=validate.Regexp(r"^([A-Z]{2})?$"))
    code = Line(load_default="", max_length=40)
    case_type = Line(load_default="", max_length=40)
    needs_action = fields.Boolean(load_default=False)
    page = StoredInt(load_default=1, min_value=1, max_value=MAX_PAGE)


class DraftIn(Schema):
    """Create or change a draft: any of the sections, each partial. `version` on changes."""

    version = StoredInt(load_default=None)
    shipment = fields.Nested(ShipmentSchema(partial=True), load_default=None)
    waste = fields.Nested(WasteSchema(partial=True), load_default=None)
    route = fields.Nested(RouteSchema(partial=True), load_default=None)
    declaration = fields.Nested(DeclarationSchema, load_default=None)


class VersionIn(Schema):
    class Meta:
        unknown = EXCLUDE

    version = StoredInt(required=True)


class PartyIn(Schema):
    class Meta:
        unknown = EXCLUDE

    version = StoredInt(required=True)
    role = fields.String(required=True, validate=validate.OneOf(
        ["exporter", "importer", "generator", "facility", "carrier"]))
    seq = StoredInt(load_default=None)
    party = fields.Dict(required=True)


class DocumentIn(Schema):
    filename = Line(required=True, max_length=255)
    content_type = Line(required=True, max_length=100)
    content_base64 = fields.String(required=True)


class AttachmentIn(Schema):
    version = StoredInt(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(
        ["contract", "esm_info", "insurance", "other"]))
    description = FreeText(load_default=None)
    document = fields.Nested(DocumentIn, required=True)


def upload_of(attachment: dict):
    """The checked Upload in a loaded AttachmentIn; errors name `document.<part>`."""
    try:
        return DocumentField().deserialize(attachment["document"], "document")
    except ValidationError as exc:
        nested = {"document": exc.messages}
        raise ValidationError(nested) from exc


class TransitionIn(Schema):
    """`version` plus the event's fields (country, received_on, valid_from, valid_to,
    conditions, reason, approval_no, approval_date, document) as the event needs them."""

    class Meta:
        unknown = EXCLUDE

    version = StoredInt(required=True)


class TransitionOut(Schema):
    event = fields.String()
    label = fields.String()
    needs_reason = fields.Boolean()


class TransitionsOut(Schema):
    state = fields.String()
    version = fields.Integer()
    events = fields.List(fields.Nested(TransitionOut))
    missing = fields.List(fields.Nested(MissingOut))
    #: plausibility findings, for the filer while it may edit and for the officials
    findings = fields.List(fields.Nested(FindingOut))


class EventOut(Schema):
    seq = fields.Integer()
    occurred_at = fields.DateTime()
    actor = fields.String(attribute="actor_label")
    role = fields.String(attribute="actor_role")
    event = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    reason = fields.String(allow_none=True)
    payload = fields.Dict()
    hash = fields.String()


class ReferenceCodeOut(Schema):
    code = fields.String()
    label_en = fields.String()
    label_ja = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    source = fields.String()
    attributes = fields.Dict()

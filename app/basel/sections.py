"""The notification form's sections as marshmallow schemas: one validation for web and API.

Saving a draft only checks that what is given is well-formed and uses real codes; whether
everything needed is there is the completeness check's job (completeness.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from app.input_fields import FreeText, Line, Name
from app.reference import lookups
from app.timeutil import today_in_japan
from workflows.base import N_


def _blank_to_none(data: dict) -> dict:
    return {k: (None if v == "" else v) for k, v in data.items()}


class SectionSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # forms post buttons and tokens besides the fields

    @pre_load
    def blanks(self, data, **kwargs):
        if not isinstance(data, Mapping):
            return data  # marshmallow refuses it as "Invalid input type." naming the section
        return _blank_to_none(dict(data))


def code_list(list_name: str, **kwargs) -> fields.List:
    """A list of codes from one reference list, each valid today."""
    return fields.List(Line(max_length=40),
                       load_default=list, metadata={"code_list": list_name}, **kwargs)


def check_codes(schema: Schema, data: dict, on: date | None = None) -> None:
    on = on or today_in_japan()
    errors: dict[str, list[str]] = {}
    for name, field in schema.fields.items():
        list_name = field.metadata.get("code_list")
        if list_name is None or name not in data:
            continue
        values = data[name] if isinstance(data[name], list) else [data[name]]
        bad = [v for v in values if v and not lookups.is_valid(list_name, v, on)]
        if bad:
            errors[name] = [f"Unknown or expired code: {', '.join(bad)}."]
    if errors:
        raise ValidationError(errors)


GUARANTEE_FIELDS = ("guarantee_amount", "guarantee_currency", "guarantor",
                    "guarantee_valid_from", "guarantee_valid_to")


class ShipmentSchema(SectionSchema):
    notification_type = Line(allow_none=True,
                                      validate=validate.OneOf(["single", "general"]))
    pre_consented = fields.Boolean(load_default=False)
    intended_shipments = fields.Integer(allow_none=True, validate=validate.Range(min=1,
                                                                                max=10000))
    total_quantity = fields.Decimal(allow_none=True, places=3,
                                    validate=validate.Range(min=0, min_inclusive=False,
                                                            max=10_000_000))
    quantity_unit = Line(allow_none=True, validate=validate.OneOf(["t", "m3"]))
    first_departure = fields.Date(allow_none=True)
    last_departure = fields.Date(allow_none=True)
    special_handling = fields.Boolean(load_default=False)
    special_handling_details = FreeText(allow_none=True, max_length=4000)
    insurance = FreeText(allow_none=True, max_length=4000)
    guarantee_amount = fields.Decimal(allow_none=True, places=2, validate=validate.Range(
        min=0, min_inclusive=False, max=10**13))
    guarantee_currency = Line(allow_none=True, validate=validate.Regexp(
        r"^[A-Z]{3}$", error="Give the currency as its ISO 4217 code, e.g. JPY."))
    guarantor = Name(allow_none=True, max_length=200)
    guarantee_valid_from = fields.Date(allow_none=True)
    guarantee_valid_to = fields.Date(allow_none=True)
    packaging = code_list("packaging")

    @validates_schema(skip_on_field_errors=False)
    def _codes(self, data, **kwargs):
        check_codes(self, data)

    @validates_schema(skip_on_field_errors=True)
    def _guarantee(self, data, **kwargs):
        """The guarantee's particulars go together (Basel Art. 6(11)), its validity forward."""
        given = {name: data.get(name) not in (None, "") for name in GUARANTEE_FIELDS}
        if any(given.values()) and not all(given.values()):
            raise ValidationError({name: ["Give every particular of the guarantee: amount, "
                                          "currency, guarantor and validity."]
                                   for name, present in given.items() if not present})
        if all(given.values()) and data["guarantee_valid_to"] < data["guarantee_valid_from"]:
            raise ValidationError("The guarantee cannot end before it begins.",
                                  "guarantee_valid_to")


class WasteSchema(SectionSchema):
    operation_code = Line(allow_none=True, metadata={"code_list": "operation"})
    technology = FreeText(allow_none=True, max_length=4000)
    reason_for_export = FreeText(allow_none=True, max_length=4000)
    waste_designation = FreeText(allow_none=True, max_length=4000)
    waste_composition = FreeText(allow_none=True, max_length=4000)
    generating_process = FreeText(allow_none=True, max_length=4000)
    #: the English twins a partner authority reads (models.ENGLISH_TWINS)
    technology_en = FreeText(allow_none=True, max_length=4000)
    reason_for_export_en = FreeText(allow_none=True, max_length=4000)
    waste_designation_en = FreeText(allow_none=True, max_length=4000)
    waste_composition_en = FreeText(allow_none=True, max_length=4000)
    generating_process_en = FreeText(allow_none=True, max_length=4000)
    un_number = Line(allow_none=True, validate=validate.Regexp(r"^(UN)?\d{4}$"))
    un_shipping_name = Name(allow_none=True, max_length=200)
    national_code_export = Line(allow_none=True, max_length=40)
    national_code_import = Line(allow_none=True, max_length=40)
    basel_viii = code_list("basel_viii")
    basel_ix = code_list("basel_ix")
    oecd_gc = code_list("oecd_gc")
    y_code = code_list("y_code")
    h_code = code_list("h_code")
    un_class = code_list("un_class")
    hs = code_list("hs")
    physical = code_list("physical")

    @validates_schema(skip_on_field_errors=False)
    def _codes(self, data, **kwargs):
        check_codes(self, data)


class TransitSchema(SectionSchema):
    country_code = Line(required=True, metadata={"code_list": "country"},
                                 validate=validate.Regexp(r"^[A-Z]{2}$"))
    authority_code = Line(allow_none=True, max_length=20)
    entry_point = Line(allow_none=True, max_length=200)
    exit_point = Line(allow_none=True, max_length=200)

    @validates_schema(skip_on_field_errors=False)
    def _codes(self, data, **kwargs):
        check_codes(self, data)


class RouteSchema(SectionSchema):
    transport_mode = code_list("transport_mode")
    exit_point = Line(allow_none=True, max_length=200)
    customs_office_exit = Line(allow_none=True, max_length=200)
    customs_office_entry = Line(allow_none=True, max_length=200)
    import_country = Line(allow_none=True, metadata={"code_list": "country"},
                                   validate=validate.Regexp(r"^[A-Z]{2}$"))
    import_authority = Line(allow_none=True, max_length=20)
    entry_point = Line(allow_none=True, max_length=200)
    #: the foreign State of export's authority (import and transit cases)
    export_authority = Line(allow_none=True, max_length=20)
    transits = fields.List(fields.Nested(TransitSchema), load_default=list)

    @validates_schema(skip_on_field_errors=False)
    def _route(self, data, **kwargs):
        """Checks that hold in every direction; where Japan stands is checked per case type
        when the route is applied (operations._check_japan_role)."""
        check_codes(self, data)
        # a transit whose country was refused (a field error, still reported) has none here
        countries = [t["country_code"] for t in data.get("transits", [])
                     if t.get("country_code")]
        if data.get("import_country") and data.get("import_country") in countries:
            raise ValidationError("A transit State cannot be the State of import.", "transits")
        if len(set(countries)) != len(countries):
            raise ValidationError("Each transit State may appear once.", "transits")


PARTY_ROLES_EDITABLE = ("exporter", "importer", "generator", "facility", "carrier")


class PartySchema(SectionSchema):
    registration_no = Line(allow_none=True, max_length=40)
    name = Name(allow_none=True, max_length=200)
    address = FreeText(allow_none=True, max_length=400)
    country_code = Line(allow_none=True, metadata={"code_list": "country"},
                                 validate=validate.Regexp(r"^[A-Z]{2}$"))
    contact_person = Name(allow_none=True, max_length=200)
    tel = Line(allow_none=True, validate=validate.Regexp(r"^[0-9+()\- ]{4,40}$"))
    fax = Line(allow_none=True, validate=validate.Regexp(r"^[0-9+()\- ]{4,40}$"))
    email = fields.Email(allow_none=True)
    site = Line(allow_none=True, max_length=400)
    transport_mode = Line(allow_none=True, metadata={"code_list": "transport_mode"})
    #: facility: the Annex IV operations its licence covers, e.g. "R4, R12"
    licensed_operations = Line(allow_none=True, max_length=200, validate=validate.Regexp(
        r"^\s*[DR]\d{1,2}\s*(,\s*[DR]\d{1,2}\s*)*$",
        error=N_("List Annex IV codes separated by commas, e.g. R4, R12.")))

    @validates_schema(skip_on_field_errors=False)
    def _codes(self, data, **kwargs):
        check_codes(self, data)


class DeclarationSchema(SectionSchema):
    declaration_name = Name(required=True, min_length=2, max_length=200)
    accept = fields.Boolean(required=True, validate=validate.Equal(
        True, error=N_("Tick the box to make the declaration.")))


SECTION_SCHEMAS = {
    "shipment": ShipmentSchema,
    "waste": WasteSchema,
    "route": RouteSchema,
    "declaration": DeclarationSchema,
}

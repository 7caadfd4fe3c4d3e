"""Payloads of the scrap-yard events and of the application's sections (forms and API)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.basel.schemas import EventSchema
from app.cases.uploads import DocumentField
from app.input_fields import FreeText, Line, Name
from workflows.base import N_

POSITIVE = validate.Range(min=0, min_inclusive=False)
NOT_NEGATIVE = validate.Range(min=0)


def Measure(**kwargs) -> fields.Decimal:  # noqa: N802 - a field factory, read like a class
    """A measured value (m, m², cm, t): a finite decimal, never negative."""
    return fields.Decimal(places=None, allow_nan=False, as_string=False,
                          validate=kwargs.pop("validate", NOT_NEGATIVE), **kwargs)


class InspectionFindingSchema(Schema):
    #: the storage area by its label; none for a finding about the site as a whole
    area = Line(load_default=None, max_length=40)
    measured_height_m = Measure(load_default=None)
    compliant = fields.Boolean(required=True)
    note = FreeText(load_default=None, max_length=4000)


AREA_INPUT = re.compile(r"^area\.(?P<label>[^.]{1,40})\.(?P<part>height|compliant|note)$")


class InspectionSchema(EventSchema):
    inspection_date = fields.Date(load_default=None)
    findings = fields.List(fields.Nested(InspectionFindingSchema), load_default=list)
    #: a photo taken at the inspection, filed with the case
    document = DocumentField(load_default=None)

    @pre_load
    def area_inputs(self, data, **kwargs):
        """The web form's inputs per storage area (area.<label>.height/compliant/note) as
        findings; an area left blank gives none."""
        if not isinstance(data, Mapping):
            return data
        per_area: dict[str, dict] = {}
        rest = {}
        for key, value in dict(data).items():
            if isinstance(key, str) and (match := AREA_INPUT.match(key)):
                per_area.setdefault(match["label"], {})[match["part"]] = value
            else:
                rest[key] = value
        findings = [{"area": label, "measured_height_m": parts.get("height") or None,
                     "compliant": parts.get("compliant") in ("1", "on", True),
                     "note": parts.get("note") or None}
                    for label, parts in per_area.items()
                    if parts.get("height") or parts.get("note") or parts.get("compliant")]
        if findings:
            rest["findings"] = [*rest.get("findings", []), *findings]
        return rest


class ScheduleSchema(EventSchema):
    inspection_date = fields.Date(required=True)


class PermitSchema(EventSchema):
    #: default: the day of the decision and the standard set's term
    valid_from = fields.Date(load_default=None)
    valid_to = fields.Date(load_default=None)
    conditions = FreeText(load_default=None, max_length=4000)

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("valid_from") and data.get("valid_to") and \
                data["valid_to"] <= data["valid_from"]:
            raise ValidationError(N_("The permit cannot end before it begins."), "valid_to")


class ImprovementSchema(EventSchema):
    due_date = fields.Date(required=True)


class ExistingOperatorSchema(EventSchema):
    old_notification_no = Line(required=True, min_length=1, max_length=40)
    old_notification_date = fields.Date(required=True)


class PeriodicReportSchema(EventSchema):
    period = Line(required=True, min_length=1, max_length=40)


SCHEMAS: dict[str, type[Schema]] = {
    "schedule_inspection": ScheduleSchema,
    "record_inspection": InspectionSchema,
    "grant_permit": PermitSchema,
    "grant_renewal": PermitSchema,
    "order_improvement": ImprovementSchema,
    "declare_existing": ExistingOperatorSchema,
    "submit_periodic_report": PeriodicReportSchema,
}


def schema_for(event: str) -> Schema:
    return SCHEMAS.get(event, EventSchema)()


# --- the application's sections -----------------------------------------------------------------
class _Section(Schema):
    @pre_load
    def blanks(self, data, **kwargs):
        """Empty form fields mean "not given yet" (a draft saves at any stage)."""
        if not isinstance(data, Mapping):
            return data
        return {k: (None if v == "" else v) for k, v in dict(data).items()}


class OperatorSection(_Section):
    operator_name = Name(allow_none=True, max_length=200)
    corporate_no = Line(allow_none=True, validate=validate.Regexp(
        r"^\d{13}$", error=N_("A corporate number has 13 digits.")))
    operator_address = Line(allow_none=True, max_length=400)
    representative_name = Name(allow_none=True, max_length=200)
    representative_title = Line(allow_none=True, max_length=100)
    contact_email = Line(allow_none=True, validate=validate.Email(), max_length=200)
    contact_tel = Line(allow_none=True, max_length=40)
    disqualification = fields.Dict(keys=fields.String(), values=fields.Boolean())


class SiteSection(_Section):
    site_address = Line(allow_none=True, max_length=400)
    prefecture_code = Line(allow_none=True, validate=validate.Regexp(
        r"^(0[1-9]|[1-3]\d|4[0-7])$", error=N_("Choose a prefecture.")))
    latitude = Measure(allow_none=True, validate=validate.Range(min=20, max=46))
    longitude = Measure(allow_none=True, validate=validate.Range(min=122, max=154))
    site_area_m2 = Measure(allow_none=True, validate=POSITIVE)
    housing_distance_m = Measure(allow_none=True)


class MeasuresSection(_Section):
    enclosure = FreeText(allow_none=True, max_length=4000)
    enclosure_height_m = Measure(allow_none=True)
    sign_width_cm = Measure(allow_none=True, validate=POSITIVE)
    sign_height_cm = Measure(allow_none=True, validate=POSITIVE)
    drainage = FreeText(allow_none=True, max_length=4000)
    oil_infiltration = FreeText(allow_none=True, max_length=4000)
    fire_prevention = FreeText(allow_none=True, max_length=4000)
    lib_separation_m = Measure(allow_none=True)
    lib_detection = fields.Boolean()


class BriefingSection(_Section):
    briefing_date = fields.Date(allow_none=True)
    briefing_radius_m = Measure(allow_none=True)
    briefing_record = FreeText(allow_none=True, max_length=10_000)


class StorageAreaSchema(_Section):
    label = Line(required=True, min_length=1, max_length=40)
    material = Line(required=True, max_length=40)
    area_m2 = Measure(required=True, validate=POSITIVE)
    max_pile_height_m = Measure(required=True, validate=POSITIVE)
    spacing_m = Measure(required=True)
    capacity_t = Measure(load_default=None, allow_none=True)


SECTIONS: dict[str, type[Schema]] = {"operator": OperatorSection, "site": SiteSection,
                                     "measures": MeasuresSection, "briefing": BriefingSection}

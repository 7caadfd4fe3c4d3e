"""/api/v1/export-checks: the export check for machine clients (bearer tokens).

MOE records the inspection's findings per line at `/{id}/lines/{seq}/finding`; the
workflow's events go through the engine's `/api/v1/cases/{id}/transitions/{event}` (submit,
start_review, request_information, order_inspection, record_inspection, confirm,
confirm_partly, refuse, record_export, withdraw); the timeline through `/cases/{id}/events`.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext
from marshmallow import EXCLUDE, Schema, fields, validate

from app.access import acting_user, allow
from app.api.docs import document
from app.api.json_body import json_object
from app.api.schemas import DocumentIn, upload_of
from app.auth.roles import Role
from app.cases.views import get_visible_case
from app.extensions import csrf
from app.input_fields import FreeText, Line, StoredInt
from app.marshalling import schema
from app.timeutil import today_in_japan

from . import basel_link, border, inspection, operations
from .case_page import page_context
from .models import CRITERIA, DECISIONS
from .procedure import CASE_TYPE
from .schemas import RequestSchema

api = Blueprint("export_checks_api", __name__, url_prefix="/api/v1/export-checks")
csrf.exempt(api)  # token-authenticated: no browser cookies are accepted here


# --- schemas of the API's edge ---------------------------------------------------------------
class CheckVersionIn(Schema):
    class Meta:
        unknown = EXCLUDE

    version = StoredInt(required=True)


class CheckRequestIn(RequestSchema):
    version = StoredInt(load_default=None)


class CheckLineIn(Schema):
    class Meta:
        unknown = EXCLUDE

    version = StoredInt(required=True)
    product_type = Line(required=True, max_length=40)
    model = Line(required=True, max_length=100)
    year = fields.Integer(required=True, strict=True)
    quantity = fields.Integer(required=True, strict=True)


class CheckUnitsIn(CheckVersionIn):
    csv = FreeText(required=True, max_length=2_000_000,
                   metadata={"description": "columns line,serial,power_on,function_test,"
                                            "cosmetic_grade; one row per unit"})


class CheckEvidenceIn(CheckVersionIn):
    criterion = fields.String(required=True, validate=validate.OneOf(CRITERIA))
    document = fields.Nested(DocumentIn, required=True)


class CheckDecisionIn(CheckVersionIn):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = FreeText(load_default=None)


class CheckFindingIn(CheckVersionIn):
    units_inspected = fields.Integer(required=True, strict=True)
    units_failing = fields.Integer(required=True, strict=True)
    finding = FreeText(load_default=None, metadata={
        "description": "what was wrong; required when units are failing"})
    photos = fields.List(fields.Nested(DocumentIn), load_default=list, metadata={
        "description": "JPEG or PNG images (base64), added to the line's photos; at most 10"})


class CheckNumberIn(Schema):
    number = Line(required=True, validate=validate.Length(min=1, max=40))


class CheckUnitOut(Schema):
    serial = fields.String()
    power_on = fields.Boolean()
    function_test = fields.String()
    cosmetic_grade = fields.String()


class ConfirmedLineOut(Schema):
    """A line as the customs verdict shows it: what the consignment holds."""

    seq = fields.Integer()
    product_type = fields.String()
    model = fields.String()
    year = fields.Integer()
    quantity = fields.Integer()


class InspectionPhotoOut(Schema):
    id = fields.Integer(metadata={"description": "download: /cases/{case_id}/attachments/{id}"})
    filename = fields.String()


class LineInspectionOut(Schema):
    units_inspected = fields.Integer()
    units_failing = fields.Integer()
    finding = fields.String(allow_none=True)
    photos = fields.List(fields.Nested(InspectionPhotoOut))


class CheckLineOut(ConfirmedLineOut):
    """A line as the case shows it: also MOE's decision and what the inspection found."""

    decision = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    units = fields.List(fields.Nested(CheckUnitOut))
    inspection = fields.Nested(LineInspectionOut, allow_none=True, metadata={
        "description": "what MOE's inspection found on the line (null until recorded)"})


class CheckOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    state = fields.String()
    version = fields.Integer()
    request = fields.Dict()
    lines = fields.List(fields.Nested(CheckLineOut))
    missing = fields.List(fields.Dict())
    criteria = fields.List(fields.Dict(), metadata={
        "description": "the rule check: per criterion, in force, met, findings, source"})
    inspected_on = fields.Date(allow_none=True)
    inspector = fields.String(allow_none=True)
    inspection_remarks = fields.String(allow_none=True)
    certificate_no = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    basel_case_id = fields.Integer(allow_none=True)


class CheckVerdictOut(Schema):
    status = fields.String(metadata={"description": "valid, expired, used, refused, unknown"})
    number = fields.String()
    check_reference = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    destination_country = fields.String(allow_none=True)
    container_no = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(ConfirmedLineOut))


# --- views ---------------------------------------------------------------------------------------
def _check_case(case_id: int):
    case = get_visible_case(case_id, acting_user())
    if case.case_type != CASE_TYPE:
        abort(404)
    return case


def _out(case_id: int):
    user = acting_user()
    case = _check_case(case_id)
    context = page_context(case, user, False)
    check = context["check"]
    photos = context["finding_photos"]
    return schema(CheckOut).dump({
        "id": case.id, "reference": case.reference, "state": case.state,
        "version": case.version, "lines": [_line_out(line, photos) for line in check.lines],
        "inspected_on": check.inspected_on, "inspector": check.inspector,
        "inspection_remarks": check.inspection_findings,
        "request": {name: getattr(check, name) for name in RequestSchema().fields},
        "missing": [{"field": m["field"], "label": gettext(m["label"])}
                    for m in context["missing"]],
        "criteria": context["criteria"], "certificate_no": check.certificate_no,
        "valid_until": check.valid_until, "basel_case_id": check.basel_case_id})


def _line_out(line, photos: dict[int, list]) -> dict:
    found = line.finding
    inspection = None if found is None else {
        "units_inspected": found.units_inspected, "units_failing": found.units_failing,
        "finding": found.finding, "photos": photos.get(line.seq, [])}
    return {**{name: getattr(line, name) for name in CheckLineOut().fields
               if name != "inspection"}, "inspection": inspection}


def _editing(action):
    try:
        return action()
    except operations.NotEditable:
        abort(409)


@api.route("", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Create a draft used-product export check", body=CheckRequestIn, response=CheckOut,
          status=201)
def create():
    raw = {k: v for k, v in json_object().items() if k != "version"}
    schema(RequestSchema).load(raw, partial=True)  # refuse before anything is created
    user = acting_user()
    case = operations.create_draft(user)
    if raw:
        operations.save_request(case.id, raw, user, case.version)
    return _out(case.id), 201


@api.route("/<int:case_id>")
@allow(api=True)
@document("Read an export check: request, lines, unit records, completeness, rule check",
          response=CheckOut)
def read(case_id: int):
    return _out(case_id)


@api.route("/<int:case_id>", methods=["PATCH"])
@allow(Role.EXPORTER, api=True)
@document("Change the request and the written evidence (any fields)", body=CheckRequestIn,
          response=CheckOut)
def update(case_id: int):
    case = _check_case(case_id)
    body = json_object()
    version = schema(CheckVersionIn).load(body)["version"]
    raw = {k: v for k, v in body.items() if k != "version"}
    _editing(lambda: operations.save_request(case.id, raw, acting_user(), version))
    return _out(case.id)


@api.route("/<int:case_id>/lines", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Add a product line", body=CheckLineIn, response=CheckOut, status=201)
def add_line(case_id: int):
    case = _check_case(case_id)
    body = schema(CheckLineIn).load(json_object())
    version = body.pop("version")
    _editing(lambda: operations.add_line(case.id, body, acting_user(), version))
    return _out(case.id), 201


@api.route("/<int:case_id>/lines/<int:seq>/remove", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Remove a product line (and its unit records)", body=CheckVersionIn, response=CheckOut)
def remove_line(case_id: int, seq: int):
    case = _check_case(case_id)
    version = schema(CheckVersionIn).load(json_object())["version"]
    _editing(lambda: operations.remove_line(case.id, seq, acting_user(), version))
    return _out(case.id)


@api.route("/<int:case_id>/units", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Upload per-unit test records as CSV text (row-level errors, nothing half-stored)",
          body=CheckUnitsIn, response=CheckOut)
def upload_units(case_id: int):
    case = _check_case(case_id)
    body = schema(CheckUnitsIn).load(json_object())
    _editing(lambda: operations.upload_units(case.id, body["csv"].encode(), acting_user(),
                                             body["version"]))
    return _out(case.id)


@api.route("/<int:case_id>/evidence", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Attach evidence for a criterion (base64 content)", body=CheckEvidenceIn,
          response=CheckOut, status=201, errors=(413,))
def add_evidence(case_id: int):
    case = _check_case(case_id)
    body = schema(CheckEvidenceIn).load(json_object())
    upload = upload_of(body)
    _editing(lambda: operations.add_evidence(case.id, {"criterion": body["criterion"]}, upload,
                                             acting_user(), body["version"]))
    return _out(case.id), 201


@api.route("/<int:case_id>/evidence/<int:attachment_id>/remove", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Remove an evidence file", body=CheckVersionIn, response=CheckOut)
def remove_evidence(case_id: int, attachment_id: int):
    case = _check_case(case_id)
    version = schema(CheckVersionIn).load(json_object())["version"]
    _editing(lambda: operations.remove_evidence(case.id, attachment_id, acting_user(),
                                                version))
    return _out(case.id)


@api.route("/<int:case_id>/lines/<int:seq>/decision", methods=["POST"])
@allow(Role.OFFICIAL_MOE, api=True)
@document("MOE: accept or refuse one line (a refusal says why)", body=CheckDecisionIn,
          response=CheckOut)
def decide_line(case_id: int, seq: int):
    case = _check_case(case_id)
    body = schema(CheckDecisionIn).load(json_object())
    version = body.pop("version")
    _editing(lambda: operations.decide_line(case.id, seq, body, acting_user(), version))
    return _out(case.id)


@api.route("/<int:case_id>/lines/<int:seq>/finding", methods=["POST"])
@allow(Role.OFFICIAL_MOE, api=True)
@document("MOE, during the inspection: record what was found on one line (units inspected "
          "and failing, the finding, JPEG/PNG photos)", body=CheckFindingIn, response=CheckOut,
          errors=(413,))
def record_finding(case_id: int, seq: int):
    case = _check_case(case_id)
    raw = json_object()
    version = schema(CheckFindingIn).load(raw)["version"]
    body = {k: v for k, v in raw.items() if k != "version"}
    _editing(lambda: inspection.record_finding(case.id, seq, body, acting_user(), version))
    return _out(case.id)


@api.route("/<int:case_id>/lines/<int:seq>/photos/<int:attachment_id>/remove",
           methods=["POST"])
@allow(Role.OFFICIAL_MOE, api=True)
@document("MOE, during the inspection: remove a photo from one line's finding (the file is "
          "deleted; the timeline keeps its name)", body=CheckVersionIn, response=CheckOut)
def remove_finding_photo(case_id: int, seq: int, attachment_id: int):
    case = _check_case(case_id)
    version = schema(CheckVersionIn).load(json_object())["version"]
    _editing(lambda: inspection.remove_photo(case.id, seq, attachment_id, acting_user(),
                                             version))
    return _out(case.id)


@api.route("/<int:case_id>/basel-notification", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Open a Basel export notification pre-filled from the refused lines",
          response=CheckOut, status=201)
def open_basel(case_id: int):
    case = _check_case(case_id)
    basel_link.open_notification(case.id, acting_user())
    return _out(case.id), 201


@api.route("/certificates/verify", methods=["POST"])
@allow(Role.CUSTOMS, Role.OFFICIAL_MOE, Role.ADMIN, api=True)
@document("Customs: verify a certificate number (recorded in the check's timeline)",
          body=CheckNumberIn, response=CheckVerdictOut)
def verify_certificate():
    number = schema(CheckNumberIn).load(json_object())["number"].strip()
    found = border.verify(number, acting_user(), today_in_japan())
    check = found.check if found.status != border.UNKNOWN else None
    out = schema(CheckVerdictOut).dump({
        "status": found.status, "number": number,
        "check_reference": check.case.reference if check else None,
        "valid_until": check.valid_until if check else None,
        "destination_country": check.destination_country if check else None,
        "container_no": check.container_no if check else None, "lines": found.lines})
    # "unknown" is a verdict like "expired" or "used": the lookup ran and is in no timeline
    # only because no check carries the number; an error status would read as a failed call
    return out, 200


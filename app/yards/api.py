"""/api/v1/yards: the scrap-yard application and ledger for machine clients; the workflow's
events go through the engine's /api/v1/cases/{id}/transitions/{event}."""

from __future__ import annotations

from flask import Blueprint
from marshmallow import ValidationError

from app.access import acting_user, allow
from app.api.docs import document
from app.api.json_body import json_object
from app.api.schemas import upload_of
from app.auth.roles import Role
from app.cases import plausibility
from app.cases.handlers import invalid
from app.cases.views import get_visible_case
from app.extensions import csrf
from app.marshalling import schema
from app.timeutil import today_in_japan

from . import api_schemas as s
from . import ledger, operations
from .completeness import missing_items
from .events import standard_of
from .procedure import CASE_TYPE

bp = Blueprint("yards_api", __name__, url_prefix="/api/v1/yards")
csrf.exempt(bp)  # token-authenticated: no browser cookies are accepted here

OPERATOR = Role.YARD_OPERATOR
READERS = (Role.YARD_OPERATOR, Role.PREFECTURE, Role.ADMIN)


def _yard(case_id: int):
    case = get_visible_case(case_id, acting_user())
    if case.case_type != CASE_TYPE:
        from app.cases.runner import CaseNotFound

        raise CaseNotFound()
    return case


def yard_out(case) -> dict:
    application = operations.application(case)
    on = today_in_japan()
    standard = standard_of(application, on)
    kinds = {a.kind for a in case.attachments}
    findings = plausibility.run(case, on, "save")
    return schema(s.YardOut).dump({
        "id": case.id, "reference": case.reference, "number": case.number,
        "state": case.state, "version": case.version,
        "application": s.application_values(application),
        "areas": application.areas,
        "missing": [{"section": a, "field": b, "label": c}
                    for a, b, c in missing_items(application, kinds)],
        "findings": [{"rule": f.rule, "field": f.field, "severity": f.severity,
                      "source": f.source, "message": f.message.format(**dict(f.params))}
                     for f in findings],
        "standard_set": standard.code if standard else None,
        "permit_no": application.permit_no, "valid_from": application.valid_from,
        "valid_to": application.valid_to})


def _sections(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "version" and v is not None}


@bp.route("", methods=["POST"])
@allow(OPERATOR, api=True)
@document("Create a scrap-yard permit application (draft)", body=s.YardSectionsIn,
          response=s.YardOut, status=201)
def create():
    body = schema(s.YardSectionsIn).load(json_object())
    user = acting_user()
    case = operations.create_draft(user)
    if sections := _sections(body):
        case = operations.save_loaded(case.id, sections, user, case.version)
    return yard_out(case), 201


@bp.route("/<int:case_id>")
@allow(*READERS, api=True)
@document("Read a scrap-yard application: completeness, standards findings, permit",
          response=s.YardOut)
def read(case_id: int):
    return yard_out(_yard(case_id))


@bp.route("/<int:case_id>", methods=["PATCH"])
@allow(OPERATOR, api=True)
@document("Change a draft application (any sections, partially)", body=s.YardSectionsIn,
          response=s.YardOut)
def update(case_id: int):
    case = _yard(case_id)
    body = schema(s.YardSectionsIn).load(json_object())
    if body.get("version") is None:
        raise invalid("version", "Give the version you last read.")
    case = operations.save_loaded(case.id, _sections(body), acting_user(), body["version"])
    return yard_out(case)


@bp.route("/<int:case_id>/areas", methods=["POST"])
@allow(OPERATOR, api=True)
@document("Add a storage area, or change one (area_id)", body=s.YardAreaIn, response=s.YardOut)
def save_area(case_id: int):
    case = _yard(case_id)
    body = json_object()
    meta = schema(s.YardAreaIn).load(body)
    raw = {k: v for k, v in body.items() if k not in ("version", "area_id")}
    case = operations.save_area(case.id, raw, acting_user(), meta["version"], meta["area_id"])
    return yard_out(case)


@bp.route("/<int:case_id>/attachments", methods=["POST"])
@allow(OPERATOR, api=True)
@document("Attach a site plan, photo or other document (base64 content)",
          body=s.YardAttachmentIn, response=s.YardOut, status=201, errors=(413,))
def add_attachment(case_id: int):
    case = _yard(case_id)
    body = schema(s.YardAttachmentIn).load(json_object())
    case = operations.add_attachment(case.id, upload_of(body), body["kind"], acting_user(),
                                     body["version"], body.get("description"))
    return yard_out(case), 201


@bp.route("/<int:case_id>/ledger", methods=["POST"])
@allow(OPERATOR, api=True)
@document("Record ledger rows (receipts, shipments): all rows or none", body=s.YardLedgerIn,
          response=s.YardLedgerOut, status=201)
def record_ledger(case_id: int):
    case = _yard(case_id)
    body = schema(s.YardLedgerIn).load(json_object())
    try:
        rows = schema(ledger.EntrySchema, many=True).load(body["rows"])
    except ValidationError as exc:
        by_row = {"rows": exc.messages}  # rows.<index>.<field>
        raise ValidationError(by_row) from exc
    ledger.record_entries(case.id, rows, acting_user(), body["version"])
    return _ledger_out(case), 201


@bp.route("/<int:case_id>/ledger")
@allow(*READERS, api=True)
@document("Stock per material against capacity, and shipments abroad flagged",
          response=s.YardLedgerOut)
def read_ledger(case_id: int):
    return _ledger_out(_yard(case_id))


def _ledger_out(case) -> dict:
    application = operations.application(case)
    return schema(s.YardLedgerOut).dump({
        "stock": ledger.stock_by_material(case.id, application),
        "flagged": ledger.flagged_shipments(case.id)})

"""/api/v1: the same actions as the web forms, for machine clients with bearer tokens."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from app.access import acting_user, allow, public
from app.auth.roles import Role
from app.basel import operations, shipment_ops
from app.basel.shipment_schemas import MovementDocumentSchema
from app.cases import queries, runner
from app.cases.handlers import invalid
from app.cases.views import available_events, get_visible_case, reason_required
from app.extensions import csrf
from app.marshalling import schema
from app.reference import lookups
from app.templating import event_label

from . import schemas as s
from .docs import document
from .json_body import json_object
from .presenters import case_out, events_out, missing_out

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated: no browser cookies are accepted here


@bp.route("/cases")
@allow(api=True)
@document("Search the cases you may see", query=s.CaseQuery, response=s.CaseListOut)
def list_cases():
    args = schema(s.CaseQuery).load(request.args.to_dict())
    filters = queries.Filters(**args)
    rows, total = queries.page(acting_user(), filters)
    items = [{"id": c.id, "reference": c.reference, "case_type": c.case_type, "state": c.state,
              "version": c.version, "updated_at": c.updated_at, "next_deadline": due}
             for c, due, _alarms in rows]
    return schema(s.CaseListOut).dump({
        "items": items, "total": total.value, "total_is_lower_bound": total.capped,
        "page": filters.page, "page_size": queries.PAGE_SIZE})


@bp.route("/cases", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Create a draft export notification", body=s.DraftIn, response=s.CaseOut, status=201)
def create_case():
    body = schema(s.DraftIn).load(json_object())
    raws = {k: v for k, v in body.items() if k != "version" and v is not None}
    operations.validate_sections(raws, partial=True)  # refuse before anything is created
    user = acting_user()
    case = operations.create_draft(user)
    if raws:
        case = operations.save_sections(case.id, raws, user, case.version, partial=True)
    return case_out(case, user), 201


@bp.route("/cases/<int:case_id>")
@allow(api=True)
@document("Read a case", response=s.CaseOut)
def get_case(case_id: int):
    user = acting_user()
    return case_out(get_visible_case(case_id, user), user)


@bp.route("/cases/<int:case_id>", methods=["PATCH"])
@allow(Role.EXPORTER, api=True)
@document("Change a draft (any sections, partially)", body=s.DraftIn, response=s.CaseOut)
def update_case(case_id: int):
    user = acting_user()
    case = get_visible_case(case_id, user)
    body = schema(s.DraftIn).load(json_object())
    if body.get("version") is None:
        raise invalid("version", "Give the version you last read.")
    raws = {k: v for k, v in body.items() if k != "version" and v is not None}
    case = operations.save_sections(case.id, raws, user, body["version"], partial=True)
    return case_out(case, user)


@bp.route("/cases/<int:case_id>/parties", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Add or change a party (exporter, importer, generator, facility, carrier)",
          body=s.PartyIn, response=s.CaseOut)
def save_party(case_id: int):
    user = acting_user()
    case = get_visible_case(case_id, user)
    body = schema(s.PartyIn).load(json_object())
    case = operations.save_party(case.id, body["role"], body["seq"], body["party"], user,
                                 body["version"])
    return case_out(case, user)


@bp.route("/cases/<int:case_id>/attachments", methods=["POST"])
@allow(Role.EXPORTER, api=True)
@document("Attach a document (base64 content)", body=s.AttachmentIn, response=s.CaseOut,
          status=201, errors=(413,))
def add_attachment(case_id: int):
    user = acting_user()
    case = get_visible_case(case_id, user)
    body = schema(s.AttachmentIn).load(json_object())
    upload = s.upload_of(body)
    case = operations.add_attachment(case.id, body["kind"], upload, user, body["version"],
                                     body.get("description"))
    return case_out(case, user), 201


@bp.route("/cases/<int:case_id>/shipments", methods=["POST"])
@allow(Role.EXPORTER, Role.OFFICIAL_MOE, api=True)
@document("Prepare the next movement document under an active notification",
          body=MovementDocumentSchema, response=s.CaseOut, status=201)
def prepare_shipment(case_id: int):
    user = acting_user()
    case = get_visible_case(case_id, user)
    shipment = shipment_ops.prepare_shipment(case.id, json_object(), user)
    return case_out(shipment, user), 201


@bp.route("/cases/<int:case_id>/transitions")
@allow(api=True)
@document("What you may do with the case now", response=s.TransitionsOut)
def transitions(case_id: int):
    user = acting_user()
    case = get_visible_case(case_id, user)
    needs_reason = reason_required(case)
    events = [{"event": e, "label": event_label(e, case.case_type),
               "needs_reason": e in needs_reason} for e in available_events(case, user)]
    return schema(s.TransitionsOut).dump({"state": case.state, "version": case.version,
                                          "events": events, "missing": missing_out(case)})


@bp.route("/cases/<int:case_id>/transitions/<event>", methods=["POST"])
@allow(api=True)
@document("Fire a workflow event (submit, record_consent, ...)", body=s.TransitionIn,
          response=s.CaseOut)
def fire(case_id: int, event: str):
    user = acting_user()
    case = get_visible_case(case_id, user)
    body = json_object()
    version = schema(s.VersionIn).load(body)["version"]
    payload = {k: v for k, v in body.items() if k != "version"}
    case = runner.fire(case.id, event, actor=user, expected_version=version, payload=payload)
    return case_out(case, user)


@bp.route("/cases/<int:case_id>/events")
@allow(api=True)
@document("The case's audit trail (timeline)", response=s.EventOut(many=True))
def events(case_id: int):
    user = acting_user()
    return jsonify(events_out(get_visible_case(case_id, user), user))


@bp.route("/reference/<list_name>")
@allow(api=True)
@document("A reference code list (valid today, or on ?on=YYYY-MM-DD)",
          response=s.ReferenceCodeOut(many=True))
def reference(list_name: str):
    from marshmallow import fields

    on = fields.Date(allow_none=True).deserialize(request.args.get("on")) \
        if request.args.get("on") else None
    rows = lookups.codes(list_name, on)
    if not rows:
        raise invalid("list_name", "No such code list.")
    return jsonify(schema(s.ReferenceCodeOut, many=True).dump(rows))


@bp.route("/openapi.json")
@public
def openapi():
    from .docs import build_spec

    return jsonify(build_spec(current_app))




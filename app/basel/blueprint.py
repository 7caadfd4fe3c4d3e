"""Filing a Basel export notification: create a draft, fill it section by section."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from app.access import allow
from app.auth.roles import Role
from app.cases import finding_checks
from app.cases.handlers import invalid
from app.cases.ownership import may_edit, require_editor
from app.cases.uploads import from_file_storage
from app.cases.views import get_visible_case
from app.marshalling import schema
from app.reference import lookups
from app.templating import locale_code
from app.timeutil import today_in_japan

from . import operations
from .completeness import SECTIONS, missing_items
from .forms import form_values, section_input
from .procedure import party_label, plug_in

bp = Blueprint("basel", __name__, url_prefix="/basel")
bp.record_once(plug_in)  # the one registration of the Basel procedure with the engine

SECTION_TEMPLATES = {s: f"basel/section_{s}.html" for s in SECTIONS}


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


NOTIFICATION_TYPES = ("basel_export", "basel_import", "basel_transit")
EDITORS = (Role.EXPORTER, Role.OFFICIAL_MOE)


def _editable_case(case_id: int):
    case = get_visible_case(case_id, current_user)
    if case.case_type not in NOTIFICATION_TYPES:
        abort(404)
    return case


@bp.route("/export/new", methods=["POST"])
@allow(Role.EXPORTER)
def new_export():
    case = operations.create_draft(current_user)
    flash(_("Draft %(ref)s created. Fill in each section; it is saved as you go.",
            ref=case.reference), "success")
    return redirect(url_for("basel.edit", case_id=case.id, section="parties"))


@bp.route("/<int:case_id>/edit/<section>", methods=["GET", "POST"])
@allow(*EDITORS)
def edit(case_id: int, section: str):
    if section not in SECTIONS:
        abort(404)
    case = _editable_case(case_id)
    errors: dict = {}
    status = 200
    if request.method == "POST":
        if section not in operations.SECTION_SCHEMAS:
            abort(405)
        try:
            operations.save_section(case.id, section, section_input(section, request.form),
                                    current_user, _version())
            flash(_("Saved."), "success")
            return redirect(url_for("basel.edit", case_id=case.id, section=_next(section)
                                    if request.form.get("next") else section))
        except ValidationError as exc:
            errors, status = exc.messages, 422
            flash(_("Nothing was saved: correct the marked fields."), "error")
        except operations.NotEditable:
            abort(409)
    return _render_section(case, section, errors, status)


def _next(section: str) -> str:
    index = SECTIONS.index(section)
    return SECTIONS[min(index + 1, len(SECTIONS) - 1)]


def _render_section(case, section: str, errors: dict, status: int = 200):
    n = operations.notification(case)
    today = today_in_japan()
    missing = missing_items(n, today)
    values = request.form if errors else form_values(n, section)
    return render_template(
        SECTION_TEMPLATES[section], case=case, n=n, section=section, sections=SECTIONS,
        missing=missing, errors=errors, values=values, lists=_code_lists(section, today),
        editable=_may_edit(case), findings=_section_findings(case, section),
    ), status


def _section_findings(case, section: str) -> list:
    """The plausibility findings whose field is in this section (warnings on save)."""
    shown = finding_checks.page_context(case, current_user).get("findings", [])
    return [s for s in shown if s.finding.field.split(".")[0] == section]


def _may_edit(case) -> bool:
    return may_edit(current_user, case)


def _code_lists(section: str, today):
    wanted = {
        "shipment": ("packaging",),
        "waste": ("operation", "basel_viii", "basel_ix", "oecd_gc", "y_code", "h_code",
                  "un_class", "hs", "physical"),
        "route": ("transport_mode", "country", "competent_authority"),
        "parties": ("country", "transport_mode"),
    }.get(section, ())
    return {name: lookups.countries(locale_code(), today) if name == "country"
            else lookups.codes(name, today) for name in wanted}


@bp.route("/<int:case_id>/parties/<role>", methods=["POST"])
@bp.route("/<int:case_id>/parties/<role>/<int:seq>", methods=["POST"])
@allow(*EDITORS)
def save_party(case_id: int, role: str, seq: int | None = None):
    case = _editable_case(case_id)
    try:
        operations.save_party(case.id, role, seq, dict(request.form), current_user,
                              _version())
        flash(_("Saved."), "success")
    except ValidationError as exc:
        flash(_("Nothing was saved: correct the marked fields."), "error")
        return _render_section(case, "parties", {f"{role}-{seq or 'new'}": exc.messages}, 422)
    except operations.NotEditable:
        abort(409)
    return redirect(url_for("basel.edit", case_id=case.id, section="parties"))


def _confirmed() -> bool:
    return request.form.get("confirm") == "1"


def _ask_to_confirm(case, question: str, back: str):
    """The confirmation step of a removal: a page of its own, so it works without scripts.
    Only an editor of an editable case is asked (others are refused as the removal would)."""
    require_editor(current_user, case)
    if not _may_edit(case):
        abort(409)
    consequence = _("It is deleted from notification %(ref)s and cannot be restored; you would "
                    "have to enter or upload it again.", ref=case.reference)
    return render_template("cases/confirm_remove.html", case=case, question=question,
                           consequence=consequence,
                           back=url_for("basel.edit", case_id=case.id, section=back))


@bp.route("/<int:case_id>/parties/<role>/<int:seq>/remove", methods=["POST"])
@allow(*EDITORS)
def remove_party(case_id: int, role: str, seq: int):
    case = _editable_case(case_id)
    version = _version()
    party = next((p for p in operations.notification(case).parties_in(role) if p.seq == seq),
                 None)
    if party is not None and not _confirmed():
        return _ask_to_confirm(case, _("Remove %(party)s “%(name)s”?", party=party_label(role),
                                       name=party.name or "–"), "parties")
    try:
        operations.remove_party(case.id, role, seq, current_user, version)
    except ValidationError as exc:
        return _render_section(case, "parties", {f"{role}-{seq}": exc.messages}, 422)
    except operations.NotEditable:
        abort(409)
    flash(_("Removed."), "success")
    return redirect(url_for("basel.edit", case_id=case.id, section="parties"))


@bp.route("/<int:case_id>/attachments", methods=["POST"])
@allow(*EDITORS)
def add_attachment(case_id: int):
    case = _editable_case(case_id)
    try:
        upload = from_file_storage(request.files.get("document"))
        if upload is None:
            raise invalid("document", "Choose a file to attach.")
        operations.add_attachment(case.id, request.form.get("kind", ""), upload, current_user,
                                  _version(), request.form.get("description") or None)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"document": exc.messages}
        flash(_("Nothing was saved: correct the marked fields."), "error")
        return _render_section(case, "attachments", messages, 422)
    except operations.NotEditable:
        abort(409)
    flash(_("Document added."), "success")
    return redirect(url_for("basel.edit", case_id=case.id, section="attachments"))


@bp.route("/<int:case_id>/attachments/<int:attachment_id>/remove", methods=["POST"])
@allow(*EDITORS)
def remove_attachment(case_id: int, attachment_id: int):
    case = _editable_case(case_id)
    version = _version()
    row = next((a for a in case.attachments if a.id == attachment_id), None)
    if row is not None and not _confirmed():
        return _ask_to_confirm(case, _("Remove the document “%(name)s”?", name=row.filename),
                               "attachments")
    try:
        operations.remove_attachment(case.id, attachment_id, current_user, version)
    except ValidationError as exc:
        return _render_section(case, "attachments", exc.messages, 422)
    except operations.NotEditable:
        abort(409)
    flash(_("Document removed."), "success")
    return redirect(url_for("basel.edit", case_id=case.id, section="attachments"))


# --- shipments --------------------------------------------------------------------------------
@bp.route("/<int:case_id>/shipments", methods=["POST"])
@allow(Role.EXPORTER, Role.OFFICIAL_MOE)
def prepare_shipment(case_id: int):
    from app.cases.views import case_page_context

    from .forms import shipment_input
    from .shipment_ops import prepare_shipment as prepare

    case = get_visible_case(case_id, current_user)
    try:
        shipment = prepare(case.id, shipment_input(request.form), current_user)
    except ValidationError as exc:
        flash(_("Nothing was saved: correct the marked fields."), "error")
        context = case_page_context(case, current_user, form_event="prepare_shipment",
                                    form_errors=exc.messages, form_values=request.form)
        return render_template("cases/view.html", **context), 422
    flash(_("Movement document %(ref)s prepared. Check it, then announce the shipment.",
            ref=shipment.reference), "success")
    return redirect(url_for("cases.view", case_id=shipment.id))


# --- partner notifications (Japan imports or is a transit State) -------------------------------
@bp.route("/partner-notifications/new", methods=["GET", "POST"])
@allow(Role.OFFICIAL_MOE)
def register_partner():
    from marshmallow import Schema, fields, validate

    from .shipment_ops import register_partner_notification

    class RegistrationSchema(Schema):
        case_type = fields.String(required=True, validate=validate.OneOf(
            ["basel_import", "basel_transit"]))
        number = fields.String(required=True, validate=validate.Regexp(
            r"^[A-Z]{2}[A-Z0-9\-]{3,30}$"))
        export_country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
        received_on = fields.Date(required=True)

    errors: dict = {}
    if request.method == "POST":
        raw = {k: v for k, v in request.form.items() if k in ("case_type", "number",
                                                             "export_country", "received_on")}
        try:
            data = schema(RegistrationSchema).load({k: v.strip().upper() if k in (
                "number", "export_country") else v for k, v in raw.items()})
            document = from_file_storage(request.files.get("document"))
            if document is None:
                raise invalid("document", "Attach the partner authority's notification.")
            case = register_partner_notification(current_user, document=document, **data)
            flash(_("Notification %(ref)s registered. Complete its data, then acknowledge it.",
                    ref=case.reference), "success")
            return redirect(url_for("basel.edit", case_id=case.id, section="parties"))
        except ValidationError as exc:
            errors = exc.messages
    countries = lookups.countries(locale_code(), today_in_japan())
    return render_template("basel/register.html", errors=errors, values=request.form,
                           countries=countries), 422 if errors else 200

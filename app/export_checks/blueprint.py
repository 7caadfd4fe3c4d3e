"""Filing an export check (draft, lines, unit records, evidence), MOE's line decisions, the
Basel notification for refused lines, and the certificate lookup at the border."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from app.access import allow
from app.auth.roles import Role
from app.cases.ownership import may_edit
from app.cases.uploads import from_file_storage
from app.cases.views import case_page_context, get_visible_case
from app.cases.visibility import can_see
from app.reference import lookups
from app.timeutil import today_in_japan

from . import basel_link, border, inspection, operations
from .case_page import page_context
from .models import CRITERIA, LOADING
from .procedure import CASE_TYPE, plug_in
from .schemas import RequestSchema

bp = Blueprint("export_checks", __name__)
bp.record_once(plug_in)  # the one registration of the procedure with the engine


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


def _check_case(case_id: int):
    case = get_visible_case(case_id, current_user)
    if case.case_type != CASE_TYPE:
        abort(404)
    return case


@bp.route("/export-checks/new", methods=["POST"])
@allow(Role.EXPORTER)
def new():
    case = operations.create_draft(current_user)
    flash(_("Draft %(ref)s created. Fill in the consignment, its lines and the evidence.",
            ref=case.reference), "success")
    return redirect(url_for("export_checks.edit", case_id=case.id))


@bp.route("/export-checks/<int:case_id>/edit", methods=["GET", "POST"])
@allow(Role.EXPORTER)
def edit(case_id: int):
    case = _check_case(case_id)
    if request.method == "GET":
        return _render(case)
    return _save(case, "request", lambda: operations.save_request(
        case.id, dict(request.form), current_user, _version()))


@bp.route("/export-checks/<int:case_id>/lines", methods=["POST"])
@allow(Role.EXPORTER)
def add_line(case_id: int):
    case = _check_case(case_id)
    return _save(case, "line", lambda: operations.add_line(
        case.id, dict(request.form), current_user, _version()))


@bp.route("/export-checks/<int:case_id>/lines/<int:seq>/remove", methods=["POST"])
@allow(Role.EXPORTER)
def remove_line(case_id: int, seq: int):
    case = _check_case(case_id)
    if request.form.get("confirm") != "1":
        return _render(case, "remove", {"confirm": [_("Tick the box to confirm.")]}, 422)
    return _save(case, "remove", lambda: operations.remove_line(
        case.id, seq, current_user, _version()))


@bp.route("/export-checks/<int:case_id>/units", methods=["POST"])
@allow(Role.EXPORTER)
def upload_units(case_id: int):
    case = _check_case(case_id)
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        return _render(case, "units", {"file": [_("Choose the CSV file.")]}, 422)
    return _save(case, "units", lambda: operations.upload_units(
        case.id, storage.read(), current_user, _version()))


@bp.route("/export-checks/<int:case_id>/evidence", methods=["POST"])
@allow(Role.EXPORTER)
def add_evidence(case_id: int):
    case = _check_case(case_id)
    return _save(case, "evidence", lambda: operations.add_evidence(
        case.id, dict(request.form), from_file_storage(request.files.get("document")),
        current_user, _version()))


@bp.route("/export-checks/<int:case_id>/evidence/<int:attachment_id>/remove",
          methods=["POST"])
@allow(Role.EXPORTER)
def remove_evidence(case_id: int, attachment_id: int):
    case = _check_case(case_id)
    if request.form.get("confirm") != "1":
        return _render(case, "remove", {"confirm": [_("Tick the box to confirm.")]}, 422)
    return _save(case, "remove", lambda: operations.remove_evidence(
        case.id, attachment_id, current_user, _version()))


def _save(case, form: str, action):
    try:
        action()
    except ValidationError as exc:
        return _render(case, form, exc.messages, 422)
    except operations.NotEditable:
        abort(409)
    flash(_("Saved."), "success")
    return redirect(url_for("export_checks.edit", case_id=case.id))


def _render(case, form: str | None = None, errors: dict | None = None, status: int = 200):
    if errors:
        flash(_("Nothing was saved: correct the marked fields."), "error")
    today = today_in_japan()
    return render_template(
        "export_checks/edit.html", case=case, form=form, errors=errors or {},
        values=request.form if errors else {}, editable=may_edit(current_user, case),
        countries=lookups.codes("country", today),
        product_types=lookups.codes("used_product_type", today), loading=LOADING,
        criteria_codes=CRITERIA, saved=_saved(operations.check_of(case)),
        **page_context(case, current_user, True)), status


def _saved(check) -> dict[str, str]:
    """The request's stored values as the form shows them."""
    return {name: "" if getattr(check, name) is None else str(getattr(check, name))
            for name in RequestSchema().fields}


@bp.route("/export-checks/<int:case_id>/lines/<int:seq>/decision", methods=["POST"])
@allow(Role.OFFICIAL_MOE)
def decide_line(case_id: int, seq: int):
    case = _check_case(case_id)
    return _officials_form(case, f"decide_line_{seq}", _("Line %(seq)d decided.", seq=seq),
                           lambda: operations.decide_line(case.id, seq, dict(request.form),
                                                          current_user, _version()))


@bp.route("/export-checks/<int:case_id>/lines/<int:seq>/finding", methods=["POST"])
@allow(Role.OFFICIAL_MOE)
def record_finding(case_id: int, seq: int):
    case = _check_case(case_id)
    raw = {**request.form, "photos": [f for f in request.files.getlist("photos") if f.filename]}
    return _officials_form(case, f"finding_{seq}",
                           _("Inspection finding for line %(seq)d recorded.", seq=seq),
                           lambda: inspection.record_finding(case.id, seq, raw, current_user,
                                                             _version()))


@bp.route("/export-checks/<int:case_id>/lines/<int:seq>/photos/<int:attachment_id>/remove",
          methods=["POST"])
@allow(Role.OFFICIAL_MOE)
def remove_finding_photo(case_id: int, seq: int, attachment_id: int):
    case = _check_case(case_id)
    if request.form.get("confirm") != "1":
        flash(_("Nothing was changed: tick the box to confirm the removal."), "error")
        return redirect(url_for("cases.view", case_id=case.id, _anchor=f"finding-{seq}"))
    return _officials_form(case, f"finding_{seq}",
                           _("Photo removed from line %(seq)d.", seq=seq),
                           lambda: inspection.remove_photo(case.id, seq, attachment_id,
                                                           current_user, _version()))


def _officials_form(case, form_event: str, done: str, action):
    """An official's form on the case page: done and back, or the page again with what was
    typed and the errors beside the fields."""
    try:
        action()
    except ValidationError as exc:
        flash(_("Nothing was changed: correct the marked fields."), "error")
        return render_template("cases/view.html", **case_page_context(
            case, current_user, form_event=form_event, form_errors=exc.messages,
            form_values=request.form)), 422
    except operations.NotEditable:
        abort(409)
    flash(done, "success")
    return redirect(url_for("cases.view", case_id=case.id))


@bp.route("/export-checks/<int:case_id>/basel-notification", methods=["POST"])
@allow(Role.EXPORTER)
def open_basel(case_id: int):
    case = _check_case(case_id)
    try:
        notification = basel_link.open_notification(case.id, current_user)
    except ValidationError:
        abort(409)
    flash(_("Basel export notification %(ref)s opened from the refused lines.",
            ref=notification.reference), "success")
    return redirect(url_for("cases.view", case_id=notification.id))


@bp.route("/customs/used-products", methods=["GET", "POST"])
@allow(Role.CUSTOMS, Role.OFFICIAL_MOE, Role.ADMIN)
def verify_certificate():
    number = request.form.get("number", "").strip()[:40]
    found = None
    if request.method == "POST" and number:
        found = border.verify(number, current_user, today_in_japan())
    status = 404 if found is not None and found.status == border.UNKNOWN else 200
    # the verdict names the check; its page is linked for a reader who may open it (customs
    # read decided checks, not one that has since expired)
    linked = found is not None and found.check is not None and can_see(current_user,
                                                                         found.check.case)
    return render_template("export_checks/verify.html", number=number, verdict=found,
                           check_linked=linked), status

"""Filing a scrap-yard application (sections, storage areas, documents) and keeping its ledger."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from app.access import allow
from app.auth.roles import Role
from app.cases.handlers import invalid
from app.cases.ownership import is_editor, may_edit, require_editor
from app.cases.uploads import from_file_storage
from app.cases.views import get_visible_case
from app.marshalling import schema
from app.reference import lookups
from app.timeutil import today_in_japan

from . import ledger, operations
from .completeness import DECLARATIONS, missing_items
from .forms import FIELDS, SECTION_LABELS, SECTIONS, form_values, section_input
from .procedure import CASE_TYPE, plug_in

bp = Blueprint("yards", __name__, url_prefix="/yards")
bp.record_once(plug_in)  # the one registration of the scrap-yard procedure with the engine

OPERATOR = Role.YARD_OPERATOR
READERS = (Role.YARD_OPERATOR, Role.PREFECTURE, Role.ADMIN)


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


def _form_fields() -> dict:
    """The form's own fields, without the version and the CSRF token."""
    return {k: v for k, v in request.form.items() if k not in ("version", "csrf_token")}


def _yard(case_id: int):
    case = get_visible_case(case_id, current_user)
    if case.case_type != CASE_TYPE:
        abort(404)
    return case


@bp.route("/new", methods=["POST"])
@allow(OPERATOR)
def new():
    case = operations.create_draft(current_user)
    flash(_("Draft %(ref)s created. Fill in each section; it is saved as you go.",
            ref=case.reference), "success")
    return redirect(url_for("yards.edit", case_id=case.id, section="operator"))


@bp.route("/<int:case_id>/edit/<section>", methods=["GET", "POST"])
@allow(OPERATOR)
def edit(case_id: int, section: str):
    if section not in SECTIONS:
        abort(404)
    case = _yard(case_id)
    errors: dict = {}
    if request.method == "POST":
        if section not in FIELDS:
            abort(405)
        try:
            operations.save_sections(case.id, {section: section_input(section, request.form)},
                                     current_user, _version())
            flash(_("Saved."), "success")
            following = SECTIONS[min(SECTIONS.index(section) + 1, len(SECTIONS) - 1)]
            return redirect(url_for("yards.edit", case_id=case.id,
                                    section=following if request.form.get("next") else section))
        except ValidationError as exc:
            errors = exc.messages.get(section, exc.messages)
            flash(_("Nothing was saved: correct the marked fields."), "error")
        except operations.NotEditable:
            abort(409)
    return _render(case, section, errors)


def _render(case, section: str, errors: dict, values=None):
    application = operations.application(case)
    status = 422 if errors else 200
    if values is None:
        values = request.form if errors and section in FIELDS else form_values(application,
                                                                                section)
    kinds = {a.kind for a in case.attachments}
    return render_template(
        "yards/edit.html", case=case, yard=application, section=section,
        sections=SECTIONS, section_labels=SECTION_LABELS, fields=FIELDS.get(section, ()),
        declarations=DECLARATIONS, missing=missing_items(application, kinds), errors=errors,
        values=values, editable=may_edit(current_user, case),
        prefectures=lookups.codes("jp_prefecture", today_in_japan()),
        materials=lookups.codes("yard_material", today_in_japan()),
    ), status


@bp.route("/<int:case_id>/areas", methods=["POST"])
@bp.route("/<int:case_id>/areas/<int:area_id>", methods=["POST"])
@allow(OPERATOR)
def save_area(case_id: int, area_id: int | None = None):
    case = _yard(case_id)
    try:
        operations.save_area(case.id, _form_fields(), current_user, _version(), area_id)
        flash(_("Saved."), "success")
    except ValidationError as exc:
        flash(_("Nothing was saved: correct the marked fields."), "error")
        return _render(case, "areas", {f"area-{area_id or 'new'}": exc.messages},
                       values=request.form)
    except operations.NotEditable:
        abort(409)
    return redirect(url_for("yards.edit", case_id=case.id, section="areas"))


@bp.route("/<int:case_id>/areas/<int:area_id>/remove", methods=["POST"])
@allow(OPERATOR)
def remove_area(case_id: int, area_id: int):
    case = _yard(case_id)
    version = _version()
    area = next((a for a in operations.application(case).areas if a.id == area_id), None)
    if area is not None and request.form.get("confirm") != "1":
        require_editor(current_user, case)
        consequence = _("It is deleted from application %(ref)s and cannot be restored; you "
                        "would have to enter or upload it again.", ref=case.reference)
        return render_template("cases/confirm_remove.html", case=case, consequence=consequence,
                               question=_("Remove storage area “%(label)s”?", label=area.label),
                               back=url_for("yards.edit", case_id=case.id, section="areas"))
    try:
        operations.remove_area(case.id, area_id, current_user, version)
    except ValidationError as exc:
        return _render(case, "areas", exc.messages)
    except operations.NotEditable:
        abort(409)
    flash(_("Removed."), "success")
    return redirect(url_for("yards.edit", case_id=case.id, section="areas"))


@bp.route("/<int:case_id>/attachments", methods=["POST"])
@allow(OPERATOR)
def add_attachment(case_id: int):
    case = _yard(case_id)
    try:
        upload = from_file_storage(request.files.get("document"))
        if upload is None:
            raise invalid("document", "Choose a file to attach.")
        operations.add_attachment(case.id, upload, request.form.get("kind", ""), current_user,
                                  _version(), request.form.get("description") or None)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"document": exc.messages}
        flash(_("Nothing was saved: correct the marked fields."), "error")
        return _render(case, "attachments", messages, values=request.form)
    except operations.NotEditable:
        abort(409)
    flash(_("Document added."), "success")
    return redirect(url_for("yards.edit", case_id=case.id, section="attachments"))


# --- the ledger ---------------------------------------------------------------------------------
@bp.route("/<int:case_id>/ledger", methods=["GET", "POST"])
@allow(*READERS)
def ledger_page(case_id: int):
    case = _yard(case_id)
    errors: dict = {}
    row_errors: list = []
    if request.method == "POST":
        try:
            row = schema(ledger.EntrySchema).load(_form_fields())
            ledger.record_entries(case.id, [row], current_user, _version())
            flash(_("Recorded."), "success")
            return redirect(url_for("yards.ledger_page", case_id=case.id))
        except ValidationError as exc:
            errors = exc.messages
            flash(_("Nothing was saved: correct the marked fields."), "error")
        except ledger.NotOperating:
            abort(409)
    return _render_ledger(case, errors, row_errors)


@bp.route("/<int:case_id>/ledger/upload", methods=["POST"])
@allow(OPERATOR)
def upload_ledger(case_id: int):
    case = _yard(case_id)
    version = _version()
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        return _render_ledger(case, {}, [ledger.RowError(0, "file", _("Choose a CSV file."))])
    try:
        text = storage.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return _render_ledger(case, {}, [ledger.RowError(0, "file",
                                                         _("The file is not UTF-8 text."))])
    rows, problems = ledger.parse_csv(text)
    if problems:
        flash(_("Nothing was saved: %(n)d row(s) have errors.", n=len({p.line for p in problems})),
              "error")
        return _render_ledger(case, {}, problems)
    try:
        ledger.record_entries(case.id, rows, current_user, version)
    except ledger.NotOperating:
        abort(409)
    flash(_("%(n)d row(s) recorded.", n=len(rows)), "success")
    return redirect(url_for("yards.ledger_page", case_id=case.id))


def _render_ledger(case, errors: dict, row_errors: list):
    application = operations.application(case)
    today = today_in_japan()
    return render_template(
        "yards/ledger.html", case=case, yard=application, errors=errors, row_errors=row_errors,
        values=request.form if errors else {}, entries=ledger.entries(case.id),
        stock=ledger.stock_by_material(case.id, application),
        flagged=ledger.flagged_shipments(case.id), columns=ledger.CSV_COLUMNS,
        may_record=case.state in ledger.OPERATING and current_user.role == OPERATOR
        and may_edit_ledger(case),
        materials=lookups.codes("yard_material", today),
    ), 422 if errors or row_errors else 200


def may_edit_ledger(case) -> bool:
    return is_editor(current_user, case)

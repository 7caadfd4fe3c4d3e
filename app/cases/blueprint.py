"""Case pages shared by every procedure: home, search, work queue, case view, transitions."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from app.access import allow
from app.auth.roles import Role
from app.csv_export import csv_stream
from app.errors import workflow_message
from app.extensions import db
from app.input_fields import searched
from app.templating import event_label, missing_text
from app.timeutil import today_in_japan
from workflows import REGISTRY, Refusal, RoleNotAllowed, WorkflowError
from workflows.base import N_

from . import csv_rows, finding_checks, plausibility, queries, runner
from .audience import reader_for
from .deadlines import open_deadlines
from .diagrams import mermaid_source, transition_rows
from .list_rows import list_rows
from .models import Attachment, Case
from .ownership import may_act
from .procedures import list_columns, unlabelled_types
from .timeline_rows import timeline_rows
from .views import (
    CONFIRMED_EVENTS,
    case_page_context,
    case_page_fields,
    get_visible_case,
    reading_context,
)

bp = Blueprint("cases", __name__)
bp.add_app_template_global(timeline_rows)
bp.add_app_template_global(list_rows)

OFFICIALS = (Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.CUSTOMS, Role.ADMIN)


def _filters() -> queries.Filters:
    args = request.args
    try:
        page = min(max(int(args.get("page", 1)), 1), queries.MAX_PAGE)
    except ValueError:
        page = 1
    return queries.Filters(
        q=searched(args, "q", 100), state=searched(args, "state", 40),
        country=queries.normalised(searched(args, "country", 2)).upper(),
        code=queries.normalised(searched(args, "code", 40)),
        case_type=searched(args, "case_type", 40), needs_action=args.get("needs_action") == "1",
        page=page,
    )


@bp.route("/")
@allow()
def home():
    if current_user.role in (Role.OFFICIAL_MOE, Role.OFFICIAL_METI):
        return redirect(url_for("cases.queue"))
    return redirect(url_for("cases.search"))


@bp.route("/queue")
@allow(Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.PREFECTURE, Role.ADMIN)
def queue():
    rows, total, actions = queries.queue_page(current_user, _filters())
    return _render_list("cases/queue.html", rows, total, _filters(), actions=actions)


@bp.route("/cases")
@allow()
def search():
    return _list_page(_filters(), template="cases/search.html")


def _list_page(filters: queries.Filters, template: str):
    rows, total = queries.page(current_user, filters)
    return _render_list(template, rows, total, filters)


def _render_list(template: str, rows, total: int, filters: queries.Filters,
                 actions: dict[int, list[str]] | None = None):
    """A list page; `actions` (the work queue's): each case's steps waiting for the reader,
    shown in a column of their own."""
    info = queries.summaries([row[0] for row in rows])
    # in the order a case moves through them, procedure by procedure (a state several
    # workflows share is listed where it first comes)
    states = list(dict.fromkeys(s for wf in REGISTRY.values() for s in wf.state_values()))
    return render_template(template, rows=rows, total=total, info=info, filters=filters,
                           states=states, page_size=queries.PAGE_SIZE, columns=list_columns(),
                           unlabelled_types=unlabelled_types(), actions=actions)


@bp.route("/cases.csv")
@allow()
def export_csv():
    columns = list_columns()
    where = queries.conditions(current_user, _filters())
    return csv_stream("cases.csv", csv_rows.header(columns),
                      csv_rows.rows(where, columns, queries.summaries))


@bp.route("/cases/<int:case_id>")
@allow()
def view(case_id: int):
    case = get_visible_case(case_id, current_user)
    return render_template("cases/view.html", **case_page_context(case, current_user))


@bp.route("/cases/<int:case_id>/events/<event>", methods=["POST"])
@allow()
def fire_event(case_id: int, event: str):
    case = get_visible_case(case_id, current_user)
    payload = {k: v for k, v in request.form.items()
               if k not in ("csrf_token", "version", "confirm")}
    for name in _listed_fields(case, event):  # ticked boxes: every value, as a list
        payload[name] = request.form.getlist(name)
    if event in CONFIRMED_EVENTS and request.form.get("confirm") != "1" \
            and may_act(current_user, case, event):
        return _event_failed(case, event, {"confirm": [N_("Tick the box to confirm.")]})
    if (document := request.files.get("document")) and document.filename:
        payload["document"] = document
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    try:
        runner.fire(case.id, event, actor=current_user, expected_version=version,
                    payload=payload)
    except ValidationError as exc:
        return _event_failed(case, event, exc.messages)
    except WorkflowError as exc:
        errors = {getattr(exc, "field", None) or "_schema": [workflow_message(exc)]}
        status = 422 if isinstance(exc, Refusal) else 403 if isinstance(exc, RoleNotAllowed) \
            else 409
        return _event_failed(case, event, errors, status=status)
    flash(_("%(action)s: done.", action=event_label(event, case.case_type)), "success")
    _flash_warnings(case, event)
    return redirect(url_for("cases.view", case_id=case.id))


def _flash_warnings(case: Case, event: str) -> None:
    """A submission with plausibility warnings goes through; the submitter is told what the
    official will read."""
    if event not in plausibility.SUBMISSION_EVENTS:
        return
    for finding in plausibility.warnings(plausibility.run(case, today_in_japan(), "submit")):
        flash(missing_text(finding), "warning")
def _listed_fields(case: Case, event: str) -> list[str]:
    """The event form's fields that send several values (kind "checks")."""
    fields = case_page_fields(case).get(event, [])
    return [f.name for f in fields if f.kind == "checks"]


def _event_failed(case: Case, event: str, errors, status: int = 422):
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    context = case_page_context(case, current_user, form_event=event, form_errors=errors,
                                form_values=request.form)
    flash(_("Nothing was changed: correct the marked fields."), "error")
    return render_template("cases/view.html", **context), status


@bp.route("/cases/<int:case_id>/findings/<fingerprint>/checked", methods=["POST"])
@allow(Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.ADMIN)
def check_finding(case_id: int, fingerprint: str):
    case = get_visible_case(case_id, current_user)
    try:
        finding_checks.mark_checked(case.id, fingerprint[:32], current_user)
    except ValidationError as exc:
        flash(" ".join(_(m) for ms in exc.messages.values() for m in ms), "error")
        return redirect(url_for("cases.view", case_id=case.id) + "#findings")
    flash(_("The finding is marked as checked."), "success")
    return redirect(url_for("cases.view", case_id=case.id) + "#findings")


@bp.route("/cases/<int:case_id>/attachments/<int:attachment_id>")
@allow()
def download(case_id: int, attachment_id: int):
    case = get_visible_case(case_id, current_user)
    row = db.session.scalar(select(Attachment).where(
        Attachment.id == attachment_id, Attachment.case_id == case.id))
    if row is None or not reader_for(current_user, case).reads_attachment(row):
        abort(404)
    return Response(row.content, mimetype=row.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(row.filename)}"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@bp.route("/cases/<int:case_id>/timeline")
@allow()
def timeline(case_id: int):
    case = get_visible_case(case_id, current_user)
    return render_template("cases/timeline.html", case=case, deadlines=open_deadlines(case),
                           **reading_context(case, current_user))


@bp.route("/workflows/<case_type>")
@allow()
def workflow_diagram(case_type: str):
    workflow = REGISTRY.get(case_type)
    if workflow is None:
        abort(404)
    return render_template("cases/workflow.html", case_type=case_type, workflow=workflow,
                           mermaid=mermaid_source(workflow), rows=transition_rows(workflow))

"""/measures: the plan's catalogue, each measure's cases, links by hand, the dashboard;
/api/v1/measures: the catalogue as JSON."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from app.access import allow
from app.auth.roles import Role
from app.cases.models import Case
from app.cases.views import get_visible_case
from app.cases.visibility import visible_to
from app.extensions import csrf, db

from . import links
from .case_page import plug_in
from .catalogue import edition
from .models import CaseMeasure, Measure
from .presenters import measure_out, statement, title

#: who reads the catalogue, each measure's cases and the dashboard
OFFICIALS = (Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.PREFECTURE, Role.ADMIN)

bp = Blueprint("measures", __name__, url_prefix="/measures")
bp.record_once(plug_in)
api = Blueprint("measures_api", __name__, url_prefix="/api/v1/measures")
csrf.exempt(api)


def all_measures() -> list[Measure]:
    return list(db.session.scalars(select(Measure).order_by(Measure.section, Measure.code)))


@api.route("")
@allow(api=True)
def list_measures():
    """The catalogue: every heading of the plan with its targets (public reference data)."""
    return jsonify({"edition": edition(), "items": [measure_out(m) for m in all_measures()]})


@bp.route("")
@allow(*OFFICIALS)
def index():
    return render_template("measures/index.html", measures=all_measures(), title=title,
                           statement=statement, edition=edition())


@bp.route("/<code>")
@allow(*OFFICIALS)
def show(code: str):
    measure = db.session.get(Measure, code) or abort(404)
    cases = db.session.execute(
        select(Case, CaseMeasure).join(CaseMeasure, CaseMeasure.case_id == Case.id)
        .where(CaseMeasure.measure_code == code, CaseMeasure.removed_at.is_(None),
               visible_to(current_user))
        .order_by(Case.id)).all()
    return render_template("measures/show.html", measure=measure, cases=cases, title=title,
                           statement=statement)


@bp.route("/cases/<int:case_id>/links", methods=["GET", "POST"])
@allow(*links.LINK_EDITORS)
def case_links(case_id: int):
    """Link the case to a measure, or remove a link, with a reason for the timeline."""
    case = get_visible_case(case_id, current_user)
    form, errors = request.form, {}
    if request.method == "POST":
        action = links.remove_link if form.get("action") == "remove" else links.add_link
        try:
            action(case.id, form.get("measure", ""), form.get("reason", ""), current_user)
            return redirect(url_for("cases.view", case_id=case.id) + "#plan-measures")
        except ValidationError as exc:
            errors = exc.messages
    choices = [m for m in all_measures() if m.level in ("measure", "sheet")]
    return render_template("measures/links.html", case=case, links=links.links_of(case.id),
                           choices=choices, title=title, form=form, errors=errors,
                           ), 422 if errors else 200

"""/measures: the plan's catalogue, each measure's cases, links by hand, the dashboard;
/api/v1/measures: the catalogue as JSON."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from app.access import allow
from app.api.docs import document
from app.auth.roles import Role
from app.cases.models import Case
from app.cases.views import get_visible_case
from app.cases.visibility import visible_to
from app.csv_export import csv_response, japan_time
from app.documents.fetcher import CSS_URL
from app.documents.formatting import moment_jst
from app.documents.render import html_to_pdf
from app.extensions import csrf, db
from app.marshalling import schema
from app.templating import locale_code
from app.timeutil import utcnow

from . import links
from .basel_report import annual_report
from .case_page import plug_in
from .catalogue import edition
from .dashboard import BadYear, blocks, chosen_year, footnotes, report_year
from .figures import figures
from .models import CaseMeasure, Measure
from .presenters import measure_out, statement, title
from .schemas import MeasureListOut
from .snapshot import indicators, refresh_interval

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
@document("The action plan's measures and their targets", response=MeasureListOut)
def list_measures():
    """The catalogue: every heading of the plan with its targets (public reference data)."""
    return schema(MeasureListOut).dump({"edition": edition(),
                                        "items": [measure_out(m) for m in all_measures()]})


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
    return render_template("measures/links.html", case=case,
                           links=links.links_of(case.id, with_measures=True),
                           choices=choices, title=title, form=form, errors=errors,
                           ), 422 if errors else 200


def _year_or_error() -> tuple[int, str | None]:
    try:
        return chosen_year(request.args.get("year")), None
    except BadYear as exc:
        return chosen_year(None), str(exc)


@bp.route("/dashboard")
@allow(*OFFICIALS)
def dashboard():
    year, error = _year_or_error()
    return render_template("measures/dashboard.html", **_dashboard(year), error=error,
                           typed=request.args.get("year", "")), 422 if error else 200


def _dashboard(year: int) -> dict:
    """What the page and its PDF show of the year: the measures' figures and charts, the
    footnotes, and when the kept indicators were computed (None: for this request)."""
    found = indicators()
    shown = blocks(year, found)
    return {"year": year, "blocks": shown, "title": title, "statement": statement,
            "notes": footnotes([f for b in shown for f in b.figures]),
            "as_of": moment_jst(found.as_of) if found.as_of is not None else None,
            "every": f"{refresh_interval().total_seconds() / 60:g}"}


#: as_of: when the figure was computed (the lead times and tonnage: by the scheduler)
CSV_HEADER = ("fiscal_year", "measure", "key", "label", "value", "unit", "target", "formula",
              "as_of")


@bp.route("/dashboard.csv")
@allow(*OFFICIALS)
def dashboard_csv():
    year, error = _year_or_error()
    if error:
        return _year_problem(error)
    now = utcnow()
    rows = [(f"FY{year}", f.measure, f.key, f.label, f.shown, f.unit, f.target, f.formula,
             japan_time(f.as_of or now)) for f in figures(year)]
    return csv_response(f"plan-progress-FY{year}.csv", CSV_HEADER, rows)


@bp.route("/dashboard.pdf")
@allow(*OFFICIALS)
def dashboard_pdf():
    year, error = _year_or_error()
    if error:
        return _year_problem(error)
    html = render_template("measures/dashboard_pdf.html", **_dashboard(year), css_url=CSS_URL,
                           generated=moment_jst(utcnow()), locale=locale_code())
    return Response(html_to_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename=plan-progress-FY{year}.pdf"})


def _year_problem(message: str):
    return Response(message, status=422, mimetype="text/plain")


REPORT_HEADER = ("direction", "country", "transit_countries", "annex_viii_ix_codes", "y_codes",
                 "h_codes", "operation", "tonnes", "shipments")


@bp.route("/basel-report")
@allow(Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.ADMIN)
def basel_report():
    """Basel Convention Art. 13(3): the year's export and import tables (page, CSV, PDF)."""
    try:
        year = report_year(request.args.get("year"))
        error = None
    except BadYear as exc:
        year, error = report_year(None), str(exc)
    rows, not_in_tonnes = annual_report(year)
    chosen = request.args.get("format")
    if chosen == "csv" and not error:
        return csv_response(f"basel-annual-report-{year}.csv", REPORT_HEADER, [
            (r.direction, r.country, r.transit, r.annex_codes, r.y_codes, r.h_codes, r.operation,
             f"{r.tonnes:.3f}", r.shipments) for r in rows])
    context = {"year": year, "rows": rows, "not_in_tonnes": not_in_tonnes, "error": error,
               "typed": request.args.get("year", "")}
    if chosen == "pdf" and not error:
        html = render_template("measures/basel_report_pdf.html", **context, css_url=CSS_URL,
                               generated=moment_jst(utcnow()), locale=locale_code())
        return Response(html_to_pdf(html), mimetype="application/pdf", headers={
            "Content-Disposition": f"inline; filename=basel-annual-report-{year}.pdf"})
    return render_template("measures/basel_report.html", **context), 422 if error else 200

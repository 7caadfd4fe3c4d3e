"""The public register at /public/scrap-yards: a page, a CSV and a JSON download, no login."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _

from app.access import public
from app.csv_export import csv_response
from app.input_fields import searched
from app.reference import lookups
from app.templating import locale_code
from app.timeutil import today_in_japan
from workflows.base import N_

from . import register

bp = Blueprint("yards_public", __name__, url_prefix="/public")

CSV_HEADER = ("operator", "address", "prefecture", "materials", "permit_no", "valid_from",
              "valid_to", "status")


def _filters() -> tuple[str | None, str | None]:
    prefecture = searched(request.args, "prefecture", 10).strip()
    name = searched(request.args, "q", 100).strip()
    known = prefecture and lookups.is_valid("jp_prefecture", prefecture, today_in_japan())
    return (prefecture if known else None), (name or None)


@bp.route("/scrap-yards")
@public
def yards():
    prefecture, name = _filters()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    prefectures = lookups.codes("jp_prefecture", today_in_japan())
    return render_template(
        "yards/register.html", entries=register.search(prefecture, name, min(page, 10_000)),
        total=register.count(prefecture, name), page=page, page_size=register.PAGE_SIZE,
        prefecture=prefecture or "", q=name or "", prefectures=prefectures,
        labels=_labels(prefectures), status_label=_status_label)


def _labels(prefectures) -> dict[str, dict[str, str]]:
    """Prefecture and material names, read once per page rather than once per row."""
    locale = locale_code()
    materials = lookups.codes("yard_material", today_in_japan())
    return {"prefecture": {p.code: p.label(locale) for p in prefectures},
            "material": {m.code: m.label(locale) for m in materials}}


@bp.route("/scrap-yards.json")
@public
def yards_json():
    prefecture, name = _filters()
    return jsonify({"yards": [e.as_dict() for e in register.search(prefecture, name, None)]})


@bp.route("/scrap-yards.csv")
@public
def yards_csv():
    prefecture, name = _filters()
    names = _labels(lookups.codes("jp_prefecture", today_in_japan()))["prefecture"]
    rows = [(e.operator, e.address, names.get(e.prefecture, e.prefecture),
             " ".join(e.materials), e.permit_no, e.valid_from, e.valid_to, e.status)
            for e in register.search(prefecture, name, None)]
    return csv_response("scrap-yards.csv", CSV_HEADER, rows)


STATUS_LABELS = {"permitted": N_("Permitted"), "suspended": N_("Suspended"),
                 "revoked": N_("Revoked"), "expired": N_("Expired"),
                 "deemed_permitted": N_("Deemed permitted"),
                 "lapsed": N_("Deemed permission lapsed")}


def _status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))

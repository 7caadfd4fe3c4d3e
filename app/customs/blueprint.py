"""Customs verification page: enter a notification or movement-document number."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.access import allow
from app.auth.roles import Role
from app.input_fields import searched
from app.timeutil import today_in_japan

from .coverage import check, find_case

bp = Blueprint("customs", __name__, url_prefix="/customs")


@bp.route("/verify")
@allow(Role.CUSTOMS, Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.ADMIN)
def verify():
    from flask_login import current_user

    number = searched(request.args, "number", 40).strip()
    result, not_found = None, False
    if number:
        case = find_case(number, current_user)
        if case is None or case.case_type not in ("basel_export", "basel_import",
                                                  "basel_shipment"):
            not_found = True
        else:
            result = check(case, today_in_japan())
    return render_template("customs/verify.html", number=number, result=result,
                           not_found=not_found), 404 if not_found else 200

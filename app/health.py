"""GET /healthz: is the process up and does the database answer?"""

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.access import public
from app.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return jsonify(status="ok", database={"state": "ok", "dialect": db.engine.dialect.name,
                                              "revision": revision})
    except Exception as exc:  # the point of a health check is to report, not to raise
        db.session.rollback()
        return jsonify(status="error", database={"state": "unavailable",
                                                 "error": exc.__class__.__name__}), 503

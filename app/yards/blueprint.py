"""Filing a scrap-yard application (sections, storage areas, documents) and its ledger."""

from __future__ import annotations

from flask import Blueprint

from .procedure import plug_in

bp = Blueprint("yards", __name__, url_prefix="/yards")
bp.record_once(plug_in)  # the one registration of the scrap-yard procedure with the engine

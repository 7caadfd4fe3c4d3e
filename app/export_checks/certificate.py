"""The certificate MOE issues for a (partly) confirmed consignment, printed in Japanese and
English through the engine's document store (app/documents): issued once per case version,
served again byte for byte."""

from __future__ import annotations

from flask_babel import gettext as _

from app.cases.audience import CUSTOMS, INTERNAL, NOTIFIER, Audience
from app.documents import formatting as fmt
from app.documents.kinds import DocumentKind, register_kind
from app.extensions import db
from workflows.base import N_

from .models import ExportCheck

CERTIFIED_STATES = ("CONFIRMED", "PARTLY_CONFIRMED", "EXPORTED")


def _unavailable(case) -> str | None:
    if case.state not in CERTIFIED_STATES:
        return N_("The certificate is issued once MOE has confirmed the consignment.")
    return None


def _build(case) -> dict:
    check = db.session.get(ExportCheck, case.id)
    return {"certificate": {
        "number": check.certificate_no, "exporter": case.organisation.name,
        "exporter_address": case.organisation.address or "",
        "decided_on": fmt.day(check.decided_on), "valid_until": fmt.day(check.valid_until),
        "partly": case.state == "PARTLY_CONFIRMED" or any(
            line.decision == "refused" for line in check.lines),
        "destination": fmt.country(check.destination_country),
        "buyer": check.buyer_name or "", "port": check.port_of_loading or "",
        "container": check.container_no or "",
        "planned": fmt.day(check.planned_shipment_date),
        "lines": [{"seq": line.seq, "type": fmt.label("used_product_type", line.product_type),
                   "model": line.model, "year": line.year, "quantity": line.quantity,
                   "accepted": line.decision == "accepted",
                   "reason": line.decision_reason or ""} for line in check.lines],
        "source": _("MOE criteria for distinguishing second-hand goods from waste "
                    "(使用済家電製品等の輸出時における中古品判断基準)"),
    }}


CERTIFICATE = DocumentKind(
    name="export_certificate", title=N_("Used-product export certificate"),
    heading=N_("Certificate of confirmation: used products for reuse"),
    case_types=("export_check",), audience=Audience.of(INTERNAL, NOTIFIER, CUSTOMS),
    unavailable=_unavailable, build=_build)


def install() -> None:
    register_kind(CERTIFICATE)

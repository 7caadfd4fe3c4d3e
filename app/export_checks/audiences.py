"""Who reads what of an export check: the procedure's side of app/cases/audience.py.

The exporter's drafting, the line decisions and MOE's review are for the exporter and the
officials; the decision and the border steps for customs too. Evidence (contracts, invoices,
photos) is for the exporter and the officials; customs read the certificate, not the trade.
"""

from __future__ import annotations

from app.cases.audience import CUSTOMS, DOMESTIC, INTERNAL, NOTIFIER, Audience, Policy

DRAFTING = ("create", "save_request", "add_line", "remove_line", "upload_unit_records",
            "add_evidence", "remove_evidence", "submit", "reply_to_request", "start_review",
            "request_information", "order_inspection", "record_inspection", "decide_line",
            "record_finding", "remove_finding_photo")
BORDER = Audience.of(INTERNAL, NOTIFIER, CUSTOMS)


def parties_of(case, user) -> frozenset[str]:
    return frozenset({NOTIFIER}) if case.organisation_id == user.organisation_id \
        else frozenset()


EXPORT_CHECK = Policy(
    parties=parties_of,
    events={e: DOMESTIC for e in DRAFTING},
    default_event=BORDER,
    default_attachment=Audience.of(INTERNAL, NOTIFIER),
)

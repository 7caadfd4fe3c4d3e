"""What an export check adds to the case page: the draft box, completeness and rule-check
panels, the consignment and its lines (with MOE's line decisions), the certificate, and the
link to a Basel notification opened for refused lines."""

from __future__ import annotations

from typing import Any

from app.cases.audience import attachment_audience, reader_for
from app.cases.ownership import holds_any, may_act
from app.cases.procedures import Field
from app.cases.visibility import visible_case
from app.timeutil import TOKYO, today_in_japan
from workflows.base import N_, NOTIFIER

from . import basel_link, rules
from .completeness import missing_items
from .events import evidence_of
from .inspection import INSPECTING
from .models import ExportCheck
from .operations import DECIDING, check_of

BLOCKS = {"head": ("export_checks/_case_head.html",),
          "details": ("export_checks/_case_details.html",)}
REASON_REQUIRED = frozenset({"request_information"})
NO_COMMENT = frozenset()

_VALIDITY = [Field("valid_until", "date", N_("Certificate valid until"))]
EVENT_FIELDS: dict[str, list[Field]] = {
    "record_inspection": [
        Field("inspected_on", "date", N_("Date of the inspection")),
        Field("inspector", "text", N_("Inspector")),
        Field("findings", "textarea", N_("Overall remarks (the findings per line are "
                                         "recorded with each line)"), required=False),
        Field("document", "file", N_("Inspection report (PDF)"), required=False)],
    "confirm": _VALIDITY,
    "confirm_partly": _VALIDITY,
}


def rule_day(case) -> Any:
    """The day the criteria are applied for: the filing day once filed, else today."""
    if case.submitted_at is not None:
        return case.submitted_at.astimezone(TOKYO).date()
    return today_in_japan()


def page_context(case, user, editable: bool) -> dict[str, Any]:
    check: ExportCheck | None = check_of(case)
    if check is None:
        return {}
    evidence = evidence_of(case.id)
    return {
        "check": check,
        "evidence": evidence,
        "missing": missing_items(check, evidence),
        "criteria": rules.evaluate(case, rule_day(case)) if reads_evidence(user, case) else [],
        "may_decide_lines": case.state in DECIDING and may_act(user, case, "confirm"),
        "may_record_findings": (case.state in INSPECTING
                                and may_act(user, case, "record_inspection")),
        "finding_photos": readable_photos(check, reader_for(user, case)),
        "may_open_basel": basel_link.may_open(case, check) and editable_by_filer(user, case),
        "basel_case": _basel_case_seen(check, user),
    }


def _basel_case_seen(check: ExportCheck, user):
    """The Basel notification opened from the refused lines, when this user may open it: it
    is the exporter's draft until filed, and a link MOE or customs may not follow is none."""
    if check.basel_case_id is None:
        return None
    return visible_case(check.basel_case_id, user)


def readable_photos(check: ExportCheck, reader) -> dict[int, list]:
    """Line seq -> the inspection photos of that line the reader may open."""
    return {line.seq: [p.attachment for p in line.finding.photos
                       if reader.reads_attachment(p.attachment)]
            for line in check.lines if line.finding is not None}


def reads_evidence(user, case) -> bool:
    """The rule check shows the evidence (contract, invoice, photos): only for its readers."""
    return reader_for(user, case).reads(attachment_audience(case.case_type, "other"))


def editable_by_filer(user, case) -> bool:
    """The exporter who filed the check (the Basel notification will be theirs)."""
    return user.role == "exporter" and holds_any(user, case, (NOTIFIER,))

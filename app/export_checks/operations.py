"""Business actions on export checks: the exporter's draft, lines, unit records and evidence;
MOE's decision on each line.

The exporter's changes go through the runner's `act` (lock, version check, editor check, audit
event, one commit); a line decision is MOE's, checked as the party that decides the case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from marshmallow import ValidationError

from app.cases.audit import append_event
from app.cases.handlers import invalid
from app.cases.models import Case
from app.cases.ownership import may_act
from app.cases.runner import StaleCase, act, case_transaction, lock_visible_case
from app.cases.uploads import Upload
from app.database import write_transaction
from app.extensions import db
from app.marshalling import schema
from app.timeutil import utcnow
from workflows import PartyNotAllowed, workflow_for

from .models import ExportCheck, ExportCheckEvidence, ExportCheckLine, ExportCheckUnit
from .schemas import EvidenceSchema, LineDecisionSchema, LineSchema, RequestSchema
from .unit_records import UnitFileError, read_units

CASE_TYPE = "export_check"
#: the states in which MOE decides line by line
DECIDING = ("UNDER_REVIEW", "INSPECTION")


class NotEditable(Exception):
    """The case is not in a state that allows changing it."""


def create_draft(user) -> Case:
    with write_transaction(db.session):
        case = Case(case_type=CASE_TYPE, state="DRAFT", organisation=user.organisation,
                    created_by=user)
        db.session.add_all([case, ExportCheck(case=case)])
        db.session.flush()
        append_event(case, event="create", actor=user, role=user.role, from_state=None,
                     to_state=case.state)
        return case


def check_of(case: Case) -> ExportCheck:
    return db.session.get(ExportCheck, case.id)


def _editable(case: Case) -> ExportCheck:
    if case.state not in workflow_for(case.case_type).EDITABLE:
        raise NotEditable()
    return check_of(case)


def save_request(case_id: int, raw: dict, user, version: int | None) -> Case:
    """Save the consignment and evidence fields given; nothing when one is invalid."""
    data = schema(RequestSchema).load(raw, partial=True)

    def change(case: Case) -> dict[str, Any]:
        check = _editable(case)
        for name, value in data.items():
            setattr(check, name, value)
        return {"fields": sorted(data)}

    return act(case_id, "save_request", change, actor=user, expected_version=version)


def add_line(case_id: int, raw: dict, user, version: int | None) -> Case:
    data = schema(LineSchema).load(raw)

    def change(case: Case) -> dict[str, Any]:
        check = _editable(case)
        seq = max((line.seq for line in check.lines), default=0) + 1
        check.lines.append(ExportCheckLine(seq=seq, **data))
        return {"line": seq, **{k: str(v) for k, v in data.items()}}

    return act(case_id, "add_line", change, actor=user, expected_version=version)


def remove_line(case_id: int, seq: int, user, version: int | None) -> Case:
    def change(case: Case) -> dict[str, Any]:
        check = _editable(case)
        check.lines.remove(line_of(check, seq))
        return {"line": seq}

    return act(case_id, "remove_line", change, actor=user, expected_version=version)


def line_of(check: ExportCheck, seq: int) -> ExportCheckLine:
    for line in check.lines:
        if line.seq == seq:
            return line
    raise invalid("line", "No such product line.")


def upload_units(case_id: int, content: bytes, user, version: int | None) -> Case:
    """Replace the unit records of the lines the file names; a bad row keeps nothing."""

    def change(case: Case) -> dict[str, Any]:
        check = _editable(case)
        try:
            rows = read_units(content, {line.seq: line.quantity for line in check.lines})
        except UnitFileError as exc:
            raise ValidationError(exc.problems) from exc
        by_seq = {line.seq: line for line in check.lines}
        for seq in {row.line for row in rows}:
            by_seq[seq].units.clear()
        db.session.flush()  # the old serials go before the new ones arrive
        for row in rows:
            by_seq[row.line].units.append(ExportCheckUnit(
                serial=row.serial, power_on=row.power_on, function_test=row.function_test,
                cosmetic_grade=row.cosmetic_grade))
        return {"units": len(rows), "lines": sorted({row.line for row in rows})}

    return act(case_id, "upload_unit_records", change, actor=user, expected_version=version)


def add_evidence(case_id: int, raw: dict, upload: Upload | None, user,
                 version: int | None) -> Case:
    """A photo, test record, loading plan, contract, invoice or market study for a criterion."""
    criterion = schema(EvidenceSchema).load(raw)["criterion"]
    if upload is None:
        raise invalid("document", "Choose the file to attach.")

    def change(case: Case) -> dict[str, Any]:
        _editable(case)
        attachment = upload.to_attachment(case, "other", user, description=criterion)
        db.session.add(attachment)
        db.session.flush()
        db.session.add(ExportCheckEvidence(attachment_id=attachment.id, case_id=case.id,
                                           criterion=criterion))
        return {"criterion": criterion, "filename": attachment.filename,
                "sha256": attachment.sha256}

    return act(case_id, "add_evidence", change, actor=user, expected_version=version)


def remove_evidence(case_id: int, attachment_id: int, user, version: int | None) -> Case:
    """Take an evidence file off the request (the draft's, before submission or a reply)."""

    def change(case: Case) -> dict[str, Any]:
        _editable(case)
        row = db.session.get(ExportCheckEvidence, attachment_id)
        if row is None or row.case_id != case.id or row.criterion == "inspection":
            raise invalid("attachment", "No such evidence file.")
        details = {"criterion": row.criterion, "filename": row.attachment.filename}
        attachment = row.attachment
        db.session.delete(row)
        db.session.flush()
        db.session.delete(attachment)
        return details

    return act(case_id, "remove_evidence", change, actor=user, expected_version=version)


def decide_line(case_id: int, seq: int, raw: dict, user, version: int | None) -> Case:
    """MOE accepts or refuses one line, before deciding the consignment. A refusal says why;
    without a reason typed, the inspection's finding on the line is the reason."""
    data = schema(LineDecisionSchema).load(raw)

    def change(case: Case) -> tuple[str | None, dict[str, Any]]:
        line = line_of(check_of(case), seq)
        reason = (data.get("reason") or "").strip() or None
        if data["decision"] == "refused":
            reason = reason or inspection_reason(line)
            if reason is None:
                raise invalid("reason", "Say why this line is not confirmed.")
        line.decision, line.decision_reason = data["decision"], reason
        return reason, {"line": seq, "decision": data["decision"]}

    return moe_act(case_id, user, version, action="decide_line", party_event="confirm",
                   states=DECIDING, change=change)


def inspection_reason(line: ExportCheckLine) -> str | None:
    """The inspection's finding on a line as the reason for refusing it (failing units only)."""
    found = line.finding
    if found is None or not found.units_failing:
        return None
    return gettext("Inspection: %(failing)d of %(inspected)d units failing. %(finding)s",
                   failing=found.units_failing, inspected=found.units_inspected,
                   finding=found.finding or "").strip()


def moe_act(case_id: int, user, version: int | None, *, action: str, party_event: str,
            states: tuple[str, ...], change: Callable[[Case], tuple[str | None, dict]]) -> Case:
    """A change by MOE that is not a transition (a line decision, an inspection finding): by
    the party that fires `party_event`, in `states`, with its audit event, one transaction."""
    with case_transaction():
        case = lock_visible_case(case_id, user)
        if not may_act(user, case, party_event):
            raise PartyNotAllowed(event=action)
        if version is not None and case.version != version:
            raise StaleCase(case.version)
        if case.state not in states:
            raise NotEditable()
        reason, payload = change(case)
        case.updated_at = utcnow()  # bumps the version: the next step sees the change
        append_event(case, event=action, actor=user, role=user.role, from_state=case.state,
                     to_state=case.state, reason=reason, payload=payload)
        return case

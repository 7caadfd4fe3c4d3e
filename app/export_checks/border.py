"""At the border: customs enter a certificate number and read what MOE confirmed.

The answer is one of: valid (lines that may go, quantities, destination, container, validity),
expired, already used, refused (the check was not confirmed), or unknown. Every lookup of a
known check is written to that check's timeline, in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from app.cases.audit import append_event
from app.cases.models import Case
from app.cases.runner import lock_case
from app.database import write_transaction
from app.extensions import db
from app.input_fields import text_problem

from .models import ExportCheck

VALID, EXPIRED, USED, REFUSED, UNKNOWN = "valid", "expired", "used", "refused", "unknown"


@dataclass
class Verdict:
    status: str
    number: str
    check: ExportCheck | None = None
    lines: list = field(default_factory=list)  #: the lines that may go

    @property
    def case(self) -> Case | None:
        return self.check.case if self.check else None


def find(number: str) -> ExportCheck | None:
    """The check with this certificate number, or (for a refusal) this case number."""
    if text_problem(number, multiline=False):  # no number has control characters (and
        return None  # PostgreSQL refuses a NUL in the query): what was typed is none of ours
    return db.session.scalars(
        select(ExportCheck).join(Case, Case.id == ExportCheck.case_id)
        .where(Case.case_type == "export_check",
               or_(ExportCheck.certificate_no == number, Case.number == number))).first()


def verdict(number: str, today: date) -> Verdict:
    check = find(number)
    if check is None or check.case.state in ("DRAFT", "WITHDRAWN"):
        return Verdict(UNKNOWN, number)
    state = check.case.state
    if state == "NOT_CONFIRMED":
        return Verdict(REFUSED, number, check)
    if check.certificate_no is None:  # filed, not decided yet
        return Verdict(UNKNOWN, number)
    accepted = [line for line in check.lines if line.decision == "accepted"]
    if check.used_at is not None or state == "EXPORTED":
        return Verdict(USED, number, check, accepted)
    if state == "EXPIRED" or check.valid_until is None or check.valid_until < today:
        return Verdict(EXPIRED, number, check, accepted)
    return Verdict(VALID, number, check, accepted)


def covers_shipment(number: str, on: date, country: str | None) -> bool | None:
    """For a yard's ledger: whether this certificate covered a consignment leaving on `on` for
    `country`, by the same verdict customs get (a used certificate covered the export it was
    used for, within its validity). None when the number is not an export check's."""
    found = verdict(number, on)
    check = found.check
    if check is None:
        return None if find(number) is None else False
    issued = check.decided_on is not None and check.decided_on <= on
    within = found.status == VALID or (found.status == USED and check.valid_until is not None
                                       and on <= check.valid_until)
    return issued and within and country in (None, check.destination_country)


def verify(number: str, user, today: date) -> Verdict:
    """The verdict, written to the check's timeline (unknown numbers have no timeline)."""
    found = verdict(number, today)
    if found.check is not None:
        with write_transaction(db.session):
            case = lock_case(found.check.case_id)
            append_event(case, event="customs_verification", actor=user, role=user.role,
                         from_state=case.state, to_state=case.state,
                         payload={"number": number, "verdict": found.status})
    return found

"""The official's "checked" mark on a plausibility finding: who looked at it, and when.

A mark is about one finding as it stood (its fingerprint: rule, field and the values found);
when the data change, the finding is new and shows unchecked again. Only the officials read
the marks, the timeline event included (its audience is internal, app/cases/audience.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import write_transaction
from app.extensions import db
from app.timeutil import UTCDateTime, today_in_japan, utcnow

from . import audience, plausibility
from .audit import append_event
from .handlers import invalid
from .runner import lock_visible_case

CHECK_EVENT = "check_finding"


class FindingCheck(db.Model):
    __tablename__ = "finding_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: plausibility.fingerprint of the finding checked
    fingerprint: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(60))
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    checked_by: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "fingerprint"),)


@dataclass(frozen=True)
class ShownFinding:
    finding: plausibility.Finding
    fingerprint: str
    check: FindingCheck | None

    @property
    def text(self) -> str:
        """The message in the reader's language (gettext), without its source."""
        from flask_babel import gettext

        return gettext(self.finding.message).format(**dict(self.finding.params))

    @property
    def source(self) -> str:
        from flask_babel import gettext

        return gettext(self.finding.source) if self.finding.source else ""


def may_check(user) -> bool:
    """Officials of the deciding authorities mark findings (the internal audience)."""
    return audience.ROLE_GROUPS.get(user.role) == audience.INTERNAL


def shown_findings(case) -> list[ShownFinding]:
    """The case's findings today, each with its mark when an official has checked it."""
    marks = {c.fingerprint: c for c in db.session.scalars(
        select(FindingCheck).where(FindingCheck.case_id == case.id))}
    found = plausibility.run(case, today_in_japan(), "review")
    return [ShownFinding(f, fp, marks.get(fp))
            for f in found for fp in [plausibility.fingerprint(f)]]


def mark_checked(case_id: int, fingerprint: str, user) -> None:
    """Record that `user` checked the finding; one transaction, with its audit event."""
    with write_transaction(db.session):
        case = lock_visible_case(case_id, user)
        finding = next((s for s in shown_findings(case) if s.fingerprint == fingerprint), None)
        if finding is None:
            raise invalid("fingerprint", "This finding is no longer there; reload the page.")
        if finding.check is None:
            db.session.add(FindingCheck(case_id=case.id, fingerprint=fingerprint,
                                        rule=finding.finding.rule, checked_by_id=user.id))
            append_event(case, event=CHECK_EVENT, actor=user, role=user.role,
                         from_state=case.state, to_state=case.state,
                         payload={"rule": finding.finding.rule, "field": finding.finding.field})


def page_context(case, user) -> dict[str, Any]:
    """Findings for the case page: officials see them all with their marks; the filer while
    it may edit sees them as warnings to act on."""
    from .ownership import may_edit

    if not (may_check(user) or may_edit(user, case)):
        return {}
    return {"findings": shown_findings(case), "may_check_findings": may_check(user)}

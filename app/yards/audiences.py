"""Who reads what of a scrap-yard case: the operator and the deciding officials read the
procedure; the inspector's notes when starting the review stay with the officials."""

from __future__ import annotations

from app.cases.audience import DOMESTIC, INTERNAL, NOTIFIER, Audience, Policy


def parties_of(case, user) -> frozenset[str]:
    return frozenset({NOTIFIER}) if case.organisation_id == user.organisation_id else frozenset()


YARD = Policy(
    parties=parties_of,
    default_event=DOMESTIC,
    internal_remarks=frozenset({"start_review"}),
    attachments={"site_plan": DOMESTIC, "photo": DOMESTIC,
                 "other": Audience.of(INTERNAL, NOTIFIER)},
    default_attachment=DOMESTIC,
)

"""The plan measures a case serves, on every case page (contributed to the case engine)."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from app.cases.procedures import PageContribution, register_contribution
from app.templating import ACTION_LABELS, DETAIL_LABELS
from workflows.base import N_

from .links import LINK_EDITORS, LINK_EVENT, UNLINK_EVENT, links_of, listen_to_case_events

#: who reads which measures a case serves (the policy link is the officials' business)
READERS = LINK_EDITORS


def case_measures(case, user) -> dict:
    if user.role not in READERS:
        return {"case_measures": None}
    return {"case_measures": links_of(case.id, with_measures=True),
            "may_link_measures": user.role in LINK_EDITORS}


CASE_MEASURES = PageContribution(name="measures", blocks={"end": ("measures/_case_measures.html",)},
                                 context=case_measures)


def plug_in(state: BlueprintSetupState) -> None:
    """Add the block to the case page and keep rule links current, once per app."""
    register_contribution(CASE_MEASURES)
    ACTION_LABELS.setdefault(LINK_EVENT, N_("Linked to a plan measure"))
    ACTION_LABELS.setdefault(UNLINK_EVENT, N_("Link to a plan measure removed"))
    DETAIL_LABELS.setdefault("measure", N_("Plan measure"))
    listen_to_case_events()

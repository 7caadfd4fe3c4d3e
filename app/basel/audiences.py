"""Who reads what of a Basel case by default: the procedure's side of app/cases/audience.py.

The domestic steps (filing, draft saves, MOE's review, the contract confirmation, METI's
approval) are for the parties and the Japanese officials; what the Convention exchanges with
the States concerned (transmission, answers, consents, shipments) is for the partner
authorities too. MOE's remarks when starting a review or confirming the contract stay with
the officials; the exporter's contract with the exporter and the officials.
"""

from __future__ import annotations

from sqlalchemy import select

from app.cases.audience import (
    CUSTOMS,
    DOMESTIC,
    FACILITY,
    IMPORTER,
    INTERNAL,
    INVOLVED,
    NOTIFIER,
    PARTIES,
    PARTNERS,
    Audience,
    Policy,
)
from app.extensions import db

from .models import Party

#: a party role in the notification -> the audience group of the organisation named in it
PARTY_GROUPS = {"importer": IMPORTER, "facility": FACILITY}
#: the filer's drafting, saved section by section: never for partner authorities
DRAFTING = ("create", "save_section", "save_party", "remove_party", "add_attachment",
            "remove_attachment", "save_shipment")
#: METI's approval: customs check it at the border; it is not the partners' business
APPROVAL = Audience.of(DOMESTIC, CUSTOMS)


def parties_of(case, user) -> frozenset[str]:
    """The notifier's organisation files the case; importer and facility are named in it
    (a shipment's parties are its notification's)."""
    top = case.parent or case
    groups = {NOTIFIER} if top.organisation_id == user.organisation_id else set()
    roles = db.session.scalars(select(Party.role).where(
        Party.case_id == top.id, Party.organisation_id == user.organisation_id)).all()
    return frozenset(groups | {PARTY_GROUPS[r] for r in roles if r in PARTY_GROUPS})


def _events(*domestic: str, **special: Audience) -> dict[str, Audience]:
    return {**{e: DOMESTIC for e in (*DRAFTING, *domestic)}, **special}


EXPORT = Policy(
    parties=parties_of,
    events=_events("submit", "start_review", "return_for_correction", "refuse",
                   "confirm_contract", record_export_approval=APPROVAL),
    internal_remarks=frozenset({"start_review", "confirm_contract"}),
    attachments={"contract": Audience.of(INTERNAL, NOTIFIER),
                 "partner_document": INVOLVED},
    default_attachment=Audience.of(INTERNAL, PARTIES, PARTNERS),
)
#: imports and transits are notified by a partner authority: what it sent is its to read
PARTNER_NOTIFIED = Policy(
    parties=parties_of,
    events=_events(record_import_approval=APPROVAL),
    attachments={"contract": Audience.of(INTERNAL, IMPORTER, PARTNERS)},
    default_attachment=INVOLVED,
)
#: a movement document reaches the partners when it is announced (or when they wrote it)
SHIPMENT = Policy(parties=parties_of, events=_events(), default_attachment=INVOLVED)

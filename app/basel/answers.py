"""Reading the answers of the States concerned: who acknowledged, consented, asked, objected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .models import AuthorityResponse, BaselNotification, StateConcerned

DECISIONS = ("consent", "tacit_consent", "objection")


@dataclass(frozen=True)
class AuthorityStatus:
    state: StateConcerned
    acknowledged: bool
    consent: AuthorityResponse | None
    objection: AuthorityResponse | None
    open_request: AuthorityResponse | None

    @property
    def decided(self) -> bool:
        return self.consent is not None or self.objection is not None


def status_of(state: StateConcerned) -> AuthorityStatus:
    responses = list(state.responses)
    kinds = [r.kind for r in responses]
    consent = next((r for r in responses if r.kind in ("consent", "tacit_consent")), None)
    objection = next((r for r in responses if r.kind == "objection"), None)
    return AuthorityStatus(
        state=state,
        acknowledged=any(k in ("acknowledgement", *DECISIONS) for k in kinds),
        consent=consent,
        objection=objection,
        open_request=_open_request(responses),
    )


def _open_request(responses: list[AuthorityResponse]) -> AuthorityResponse | None:
    request = None
    for r in responses:
        if r.kind == "information_request":
            request = r
        elif r.kind == "information_reply":
            request = None
    return request


def statuses(n: BaselNotification) -> list[AuthorityStatus]:
    return [status_of(s) for s in n.authorities]


def all_acknowledged(n: BaselNotification) -> bool:
    found = statuses(n)
    return bool(found) and all(s.acknowledged for s in found)


def all_consented(n: BaselNotification) -> bool:
    found = statuses(n)
    return bool(found) and all(s.consent is not None and s.objection is None for s in found)


def consent_window(n: BaselNotification) -> tuple[date, date] | None:
    """The period in which every consent holds: latest start to earliest end."""
    consents = [s.consent for s in statuses(n)]
    if not consents or any(c is None or c.valid_from is None or c.valid_to is None
                           for c in consents):
        return None
    return max(c.valid_from for c in consents), min(c.valid_to for c in consents)

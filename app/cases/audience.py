"""Who may read an item of a case — a document, a remark, a timeline event.

The audience is chosen when the item is written and stored on its row; `Reader.reads` is the
one rule every page, API response and download applies. Case-level access (may the user see
the case at all) stays with `visibility`; this decides what of a visible case the user reads.

The rule knows no procedure: a procedure registers a `Policy` per case type with its defaults
(by event, by attachment kind) and with how a user is a party to one of its cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from app.auth.roles import Role

#: officials of the deciding authorities (MOE, METI) and administrators
INTERNAL = "internal"
CUSTOMS = "customs"
#: the parties of a case: who files it, the named importer, the named facility
NOTIFIER, IMPORTER, FACILITY = "notifier", "importer", "facility"
#: partner authorities of a country concerned in the case
PARTNERS = "partners"
PUBLIC = "public"
GROUPS = (INTERNAL, CUSTOMS, NOTIFIER, IMPORTER, FACILITY, PARTNERS, PUBLIC)
PARTIES = frozenset({NOTIFIER, IMPORTER, FACILITY})
# the stored form is the names joined by commas; a name inside another would make
# `Audience.column_includes` ambiguous
assert not any(a in b for a in GROUPS for b in GROUPS if a != b)

ROLE_GROUPS = {
    Role.OFFICIAL_MOE: INTERNAL, Role.OFFICIAL_METI: INTERNAL, Role.ADMIN: INTERNAL,
    #: a prefecture's officials decide the cases of their prefecture (scrap-yard permits);
    #: they see no other case, so "internal" reaches them only there
    Role.PREFECTURE: INTERNAL,
    Role.CUSTOMS: CUSTOMS, Role.PARTNER_AGENCY: PARTNERS, Role.PARTNER_SYSTEM: PARTNERS,
}
#: only users of companies can be parties of a case (an authority's own organisation is not)
PARTY_ROLES = (Role.EXPORTER, Role.FACILITY, Role.YARD_OPERATOR)
#: the event field with which an official marks the remark typed with an event internal
INTERNAL_REMARK = "internal_remark"


@dataclass(frozen=True)
class Audience:
    """The groups that read an item."""

    groups: frozenset[str]

    @classmethod
    def of(cls, *groups: str | Iterable[str] | Audience) -> Audience:
        """From group names, sets of names and other audiences."""
        names: set[str] = set()
        for group in groups:
            if isinstance(group, Audience):
                group = group.groups
            names.update({group} if isinstance(group, str) else group)
        unknown = names - set(GROUPS)
        if unknown:
            raise ValueError(f"unknown audience group(s): {sorted(unknown)}")
        return cls(frozenset(names))

    @classmethod
    def parse(cls, text: str | None) -> Audience:
        return cls.of(*(text or "").split(",")) if text else cls(frozenset())

    def __str__(self) -> str:
        return ",".join(sorted(self.groups))

    def __or__(self, other: Audience) -> Audience:
        return Audience(self.groups | other.groups)

    def includes(self, group: str) -> bool:
        return group in self.groups

    @property
    def internal_only(self) -> bool:
        return self.groups == {INTERNAL}

    @staticmethod
    def column_includes(column, group: str):
        """SQL: the stored audience in `column` names `group`."""
        return column.contains(group)


INTERNAL_ONLY = Audience.of(INTERNAL)
#: the case's parties and the officials deciding it: domestic filing and review
DOMESTIC = Audience.of(INTERNAL, PARTIES)
#: everyone the procedure concerns (not the public)
INVOLVED = Audience.of(INTERNAL, CUSTOMS, PARTIES, PARTNERS)


class AudienceType(TypeDecorator):
    """An Audience in a string column ("internal,notifier"); plain strings pass unchanged so
    that SQL comparisons against a group name work."""

    impl = String(120)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value if value is None or isinstance(value, str) else str(value)

    def process_result_value(self, value, dialect):
        return None if value is None else Audience.parse(value)


# --- procedure policies -------------------------------------------------------------------------
@dataclass(frozen=True)
class Policy:
    """A case type's defaults, given by its procedure package."""

    #: the party groups (notifier / importer / facility) `user` belongs to in `case`
    parties: Callable[[Any, Any], frozenset[str]]
    events: Mapping[str, Audience] = field(default_factory=dict)
    default_event: Audience = INVOLVED
    #: events whose remark only officials read, whatever the event's audience
    internal_remarks: frozenset[str] = frozenset()
    attachments: Mapping[str, Audience] = field(default_factory=dict)
    default_attachment: Audience = DOMESTIC


def _notifier_only(case, user) -> frozenset[str]:
    return frozenset({NOTIFIER}) if case.organisation_id == user.organisation_id else frozenset()


#: for case types no procedure registered: nothing beyond the filer and the officials
FALLBACK = Policy(parties=_notifier_only, default_event=DOMESTIC)
POLICIES: dict[str, Policy] = {}


def register_policy(case_type: str, policy: Policy) -> None:
    POLICIES[case_type] = policy


def policy_for(case_type: str) -> Policy:
    return POLICIES.get(case_type, FALLBACK)


#: events the same for every case type, whatever its procedure: an official's "checked" mark on
#: a plausibility finding is the officials' working note; areas that act on every case type
#: (the plan's measure links) add theirs with `register_engine_event`
ENGINE_EVENTS: dict[str, Audience] = {"check_finding": INTERNAL_ONLY}


def register_engine_event(event: str, audience: Audience) -> None:
    ENGINE_EVENTS[event] = audience


def event_audience(case_type: str, event: str, role: str | None) -> Audience:
    """Who reads a timeline event: the case type's default, plus the author's own group."""
    if event in ENGINE_EVENTS:
        return ENGINE_EVENTS[event]
    policy = policy_for(case_type)
    return policy.events.get(event, policy.default_event) | _own_group(role)


def remark_audience(case_type: str, event: str, role: str | None, *,
                    internal: bool = False) -> Audience:
    """Who reads the remark (reason, comment) typed with an event: officials only when the
    event's remarks are internal or its author marked this one internal."""
    if internal or event in policy_for(case_type).internal_remarks:
        return INTERNAL_ONLY
    return event_audience(case_type, event, role)


def remark_for(group: str, case_type: str, event: str, role: str | None,
               data: Mapping[str, Any]) -> str | None:
    """The remark typed with an event, when `group` reads it (for what leaves the system by
    message or mail while the event is written)."""
    internal = bool(data.get(INTERNAL_REMARK))
    if remark_audience(case_type, event, role, internal=internal).includes(group):
        return data.get("reason")
    return None


def attachment_audience(case_type: str, kind: str) -> Audience:
    policy = policy_for(case_type)
    return policy.attachments.get(kind, policy.default_attachment)


def _own_group(role: str | None) -> Audience:
    group = ROLE_GROUPS.get(role)
    return Audience.of(group) if group else Audience(frozenset())


# --- readers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reader:
    """A user as the reader of one case: the groups they belong to for it."""

    user_id: int | None
    groups: frozenset[str]

    def reads(self, audience: Audience | None, author_id: int | None = None) -> bool:
        """THE rule: a user reads an item addressed to one of their groups, or that they wrote."""
        if author_id is not None and author_id == self.user_id:
            return True
        return audience is not None and bool(audience.groups & self.groups)

    def reads_event(self, event) -> bool:
        return self.reads(event.audience, event.actor_id)

    def reads_remark(self, event) -> bool:
        return self.reads_event(event) and self.reads(event.remark_audience, event.actor_id)

    def reads_attachment(self, attachment) -> bool:
        return self.reads(attachment.audience, attachment.uploaded_by_id)


def reader_for(user, case) -> Reader:
    """`user`'s groups for `case` (which the caller has checked the user may see)."""
    groups = {PUBLIC}
    if (group := ROLE_GROUPS.get(user.role)) is not None:
        groups.add(group)
    if user.role in PARTY_ROLES:
        groups |= policy_for(case.case_type).parties(case, user)
    return Reader(user.id, frozenset(groups))


#: what a system reader (partner exchange) of a case is: a partner authority
PARTNER_READER = Reader(None, frozenset({PARTNERS, PUBLIC}))


def readable_attachments(reader: Reader, attachments) -> list:
    return [a for a in attachments if reader.reads_attachment(a)]


def timeline(reader: Reader, events) -> list[tuple[Any, str | None]]:
    """The events `reader` reads, each with its remark when they read that too."""
    return [(ev, ev.reason if reader.reads_remark(ev) else None)
            for ev in events if reader.reads_event(ev)]

"""The case timeline as the page shows it: one row of plain text per event.

A case's timeline runs to hundreds of events that name a few events, states and roles over
and over. Each label is looked up once per timeline here, where the template asked for each
of them per event (a translation lookup through the request context each time, and a Jinja
call): at 200 events that was about a quarter of the case page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.templating import (
    event_label,
    fmt_date,
    labels_once,
    role_label,
    state_label,
    timeline_details,
)


@dataclass(frozen=True, slots=True)
class TimelineRow:
    event: str
    occurred_at: str  # ISO 8601, for <time datetime>
    when: str  # as the reader reads it (the app's time zone)
    label: str
    actor: str
    move: tuple[str, str] | None  # the state before and after, when it changed
    remark: str | None
    internal_remark: bool
    details: str


def timeline_rows(timeline: Iterable[tuple[Any, str | None]], case_type: str
                  ) -> list[TimelineRow]:
    """The rows of `timeline` (events with the remark the reader reads, audience.timeline),
    newest first."""
    label = labels_once()
    return [_row(ev, remark, case_type, label) for ev, remark in reversed(list(timeline))]


def _row(ev, remark: str | None, case_type: str, label: Callable[..., str]) -> TimelineRow:
    role = label(role_label, ev.actor_role)
    moved = ev.from_state and ev.from_state != ev.to_state
    return TimelineRow(
        event=ev.event, occurred_at=ev.occurred_at.isoformat(), when=fmt_date(ev.occurred_at),
        label=label(event_label, ev.event, case_type),
        actor=role if ev.actor_role == "system" else f"{ev.actor_label} · {role}",
        move=((label(state_label, ev.from_state, case_type),
               label(state_label, ev.to_state, case_type)) if moved else None),
        remark=remark or None,
        internal_remark=bool(remark) and ev.remark_audience.internal_only,
        details=timeline_details(ev))


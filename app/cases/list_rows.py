"""The rows of a case list (search, work queue) as the page prints them.

A page lists 50 cases, each with its type, state, next steps, the procedures' columns and
its deadline. The template asked for each label row by row (a translation lookup through
the request context each time, and a Jinja call) and built each link to a case once per
step: about a quarter of the work queue's page. Here each label is looked up once per page
and each case's link built once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from app.templating import (
    case_type_label,
    countdown,
    country_name,
    event_label,
    fmt_date,
    labels_once,
    state_label,
)


@dataclass(frozen=True, slots=True)
class ListRow:
    href: str
    reference: str
    type_label: str | None  # None: a type so common in the lists that it goes without saying
    alarms: str | None  # "2 overdue"
    state: str  # the code, for the row's style
    state_label: str
    todo: tuple[tuple[str, str], ...]  # (link, label) of each step the reader may take now
    cells: tuple[Any, ...]  # the procedures' columns
    countdown: str
    due: str
    updated: str


def list_rows(rows: Sequence, info: Mapping[int, dict], columns: Sequence, unlabelled,
              actions: Mapping[int, list[str]] | None = None) -> list[ListRow]:
    """The page's rows (case, next due, alarms), with the columns' values of each case
    (`info`, queries.summaries) and, in the work queue, the steps waiting for the reader."""
    label = labels_once()
    return [_row(case, due, alarms, info[case.id], columns, unlabelled,
                 (actions or {}).get(case.id, ()), label)
            for case, due, alarms in rows]


def _row(case, due, alarms: int, extra: dict, columns, unlabelled, todo,
         label: Callable[..., str]) -> ListRow:
    href = url_for("cases.view", case_id=case.id)
    return ListRow(
        href=href, reference=case.reference,
        type_label=(None if case.case_type in unlabelled
                    else label(case_type_label, case.case_type)),
        alarms=_("%(n)d overdue", n=alarms) if alarms else None,
        state=case.state, state_label=label(state_label, case.state, case.case_type),
        todo=tuple((f"{href}#event-{e}", label(event_label, e, case.case_type)) for e in todo),
        cells=tuple(_cell(column, extra, label) for column in columns),
        countdown=countdown(due) if due else "", due=fmt_date(due) if due else "",
        updated=fmt_date(case.updated_at))


def _cell(column, extra: dict, label: Callable[..., str]) -> Any:
    value = extra.get(column.key)
    if column.kind == "country":
        return label(country_name, value)
    if column.kind == "quantity" and value is not None:
        return f"{value} {extra.get(column.unit_key) or ''}"
    return value or ""


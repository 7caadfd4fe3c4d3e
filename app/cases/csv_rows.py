"""The columns of the case CSV: what an official sorts and sums in a spreadsheet.

Every row names its case type and, for a case under another (a shipment under its
notification), the case it belongs to; dates are Japan time (named in the header);
a quantity column is followed by its unit column.

An export reads up to every visible case, so its rows are plain columns, not case objects,
and the procedures' columns come a chunk at a time (one query per table per chunk).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from app.csv_export import japan_time, plain_number
from app.extensions import db
from app.templating import case_type_label, state_label

from . import list_order
from .models import Case
from .procedures import Column

#: cases read from the database per chunk (and per summaries query)
CHUNK = 1000


def header(columns: list[Column]) -> list[str]:
    cells = [_("Number"), _("Case type"), _("Part of case"), _("State")]
    for column in columns:
        cells.append(_(column.label))
        if column.kind == "quantity":
            cells.append(_("Unit"))
    return [*cells, _("Next deadline (JST, UTC+09:00)"), _("Updated (JST, UTC+09:00)")]


def query(where: list):
    """The matching cases in the lists' order, as the columns a row needs (the case it
    belongs to by an outer join, not one query per row)."""
    parent = aliased(Case)
    return (list_order.sorted_whole(where, Case.id, Case.number, Case.case_type, Case.state,
                                    Case.updated_at, parent.id.label("parent_id"),
                                    parent.number.label("parent_number"))
            .outerjoin(parent, parent.id == Case.parent_id))


def rows(where: list, columns: list[Column], summaries) -> Iterator[list]:
    """The export's rows, read `CHUNK` cases at a time; `summaries(rows)` gives each case's
    procedure columns by case id."""
    list_order.planned_per_page()
    labels = _Labels()
    result = db.session.execute(query(where).execution_options(yield_per=CHUNK))
    for chunk in result.partitions():
        info = summaries(chunk)
        for case in chunk:
            yield row(case, labels, info[case.id], columns)


def reference(number: str | None, case_id: int | None) -> str:
    """What people call a case (Case.reference): its number, or its draft reference."""
    if case_id is None:
        return ""
    return number or f"DRAFT-{case_id}"


def row(case, labels: _Labels, extra: dict, columns: list[Column]) -> list:
    cells = [reference(case.number, case.id), labels.case_type(case.case_type),
             reference(case.parent_number, case.parent_id),
             labels.state(case.state, case.case_type)]
    for column in columns:
        cells.extend(_cells(column, extra))
    return [*cells, japan_time(case.next_due), japan_time(case.updated_at)]


class _Labels:
    """Case type and state labels, translated once per export (an export is in one
    language) instead of once per row."""

    def __init__(self) -> None:
        self.case_type = cache(case_type_label)
        self.state = cache(state_label)


def _cells(column: Column, extra: dict) -> list:
    value = extra.get(column.key)
    if column.kind == "quantity":
        return [plain_number(value), extra.get(column.unit_key, "") if value is not None else ""]
    return ["" if value is None else value]

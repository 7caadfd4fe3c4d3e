"""The columns of the case CSV: what an official sorts and sums in a spreadsheet.

Every row names its case type and, for a case under another (a shipment under its
notification), the case it belongs to; dates are Japan time (named in the header);
a quantity column is followed by its unit column.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.csv_export import japan_time, plain_number
from app.templating import case_type_label, state_label

from .models import Case
from .procedures import Column


def header(columns: list[Column]) -> list[str]:
    cells = [_("Number"), _("Case type"), _("Part of case"), _("State")]
    for column in columns:
        cells.append(_(column.label))
        if column.kind == "quantity":
            cells.append(_("Unit"))
    return [*cells, _("Next deadline (JST, UTC+09:00)"), _("Updated (JST, UTC+09:00)")]


def row(case: Case, due, extra: dict, columns: list[Column]) -> list:
    parent = case.parent.reference if case.parent is not None else ""
    cells = [case.reference, case_type_label(case.case_type), parent,
             state_label(case.state, case.case_type)]
    for column in columns:
        cells.extend(_cells(column, extra))
    return [*cells, japan_time(due), japan_time(case.updated_at)]


def _cells(column: Column, extra: dict) -> list:
    value = extra.get(column.key)
    if column.kind == "quantity":
        return [plain_number(value), extra.get(column.unit_key, "") if value is not None else ""]
    return ["" if value is None else value]

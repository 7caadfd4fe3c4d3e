"""The yard's ledger: receipts and shipments, by form or CSV upload, all rows or none.

Stock per material is receipts minus shipments, in tonnes (kg converted; pieces are counted
apart). A shipment abroad must carry the Basel notification number (or the export-check
certificate number) that covers it; one without a number that checks out is flagged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema
from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from app.cases.models import Case
from app.cases.runner import act
from app.extensions import db
from app.input_fields import Line, Name
from app.marshalling import schema
from app.reference import lookups
from app.timeutil import today_in_japan
from workflows.base import N_

from .models import LedgerEntry, YardApplication

#: states in which the yard operates and keeps its ledger
OPERATING = frozenset({"PERMITTED", "DEEMED_PERMITTED", "IMPROVEMENT_ORDERED", "SUSPENDED",
                       "CHANGE_DRAFT", "CHANGE_NOTIFIED", "RENEWAL_REQUESTED"})
CSV_COLUMNS = ("date", "kind", "counterparty", "material", "quantity", "unit", "destination",
               "destination_country", "export_reference")
MAX_CSV_ROWS = 20_000
#: case type of the document an export reference names -> whether it covers a shipment on a
#: day (Basel notifications and movement documents, looked up by case number)
REFERENCE_CHECKS: dict[str, Callable[[Case, date], bool]] = {}
#: numbers of other procedures' documents, asked in turn: (number, day, destination country)
#: -> whether that document covers the shipment, or None when the number is not theirs (the
#: export check's certificate, checked by the export-check area's own lookup)
REFERENCE_LOOKUPS: list[Callable[[str, date, str | None], bool | None]] = []


HEADER_WRONG = N_("The first line must name the columns listed on this page, in that order.")
TOO_MANY_ROWS = N_("The file has more than 20,000 rows: split it into smaller files.")
WRONG_FIELDS = N_("This line does not have the same number of fields as the first line.")


class NotOperating(Exception):
    """The yard has no permit (or deemed permission) in force: nothing to record yet."""


class EntrySchema(Schema):
    entry_date = fields.Date(required=True, data_key="date")
    kind = Line(required=True, validate=validate.OneOf(("receipt", "shipment")))
    counterparty = Name(required=True, min_length=1, max_length=200)
    material = Line(required=True, max_length=40)
    quantity = fields.Decimal(required=True, allow_nan=False, places=None,
                              validate=validate.Range(min=0, min_inclusive=False,
                                                      max=Decimal("1e11")))
    unit = Line(required=True, validate=validate.OneOf(("t", "kg", "pcs")))
    destination = Line(load_default=None, max_length=400)
    destination_country = Line(load_default=None, validate=validate.Regexp(r"^[A-Z]{2}$"))
    export_reference = Line(load_default=None, max_length=40)

    @pre_load
    def blanks(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()
                if v not in ("", None)}

    @validates_schema
    def _codes(self, data, **kwargs):
        today = today_in_japan()
        if "material" in data and not lookups.is_valid("yard_material", data["material"], today):
            raise ValidationError(N_("Unknown material."), "material")
        country = data.get("destination_country")
        if country and not lookups.is_valid("country", country, today):
            raise ValidationError(N_("Unknown country code."), "destination_country")
        if data.get("kind") == "shipment" and not data.get("destination"):
            raise ValidationError(N_("A shipment needs its destination."), "destination")
        if data.get("entry_date") and data["entry_date"] > today:
            raise ValidationError(N_("The date is in the future."), "date")


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str


def parse_csv(text: str) -> tuple[list[dict], list[RowError]]:
    """Every row loaded, or the errors of every bad row (line numbers as in the file)."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
        return [], [RowError(1, "header", HEADER_WRONG)]
    rows, problems = [], []
    for record in reader:
        line = reader.line_num
        if len(rows) + len(problems) >= MAX_CSV_ROWS:
            problems.append(RowError(line, "file", TOO_MANY_ROWS))
            break
        if None in record or None in record.values():
            problems.append(RowError(line, "row", WRONG_FIELDS))
            continue
        try:
            rows.append(schema(EntrySchema).load(record))
        except ValidationError as exc:
            problems += [RowError(line, name, " ".join(map(str, msgs)) if isinstance(msgs, list)
                                  else str(msgs)) for name, msgs in exc.messages.items()]
    return rows, problems


def record_entries(case_id: int, rows: list[dict], user, version: int | None = None) -> Case:
    """Store the rows in one transaction, with one audit event for all of them."""
    def change(case: Case) -> dict[str, Any]:
        if case.state not in OPERATING:
            raise NotOperating()
        db.session.add_all(LedgerEntry(case_id=case.id, created_by_id=user.id, **row)
                           for row in rows)
        return {"ledger_rows": len(rows)}

    return act(case_id, "record_ledger", change, actor=user, expected_version=version)


def _tonnes():
    return sql_case((LedgerEntry.unit == "kg", LedgerEntry.quantity / 1000),
                    else_=LedgerEntry.quantity)


def stock_by_material(case_id: int, application: YardApplication | None = None) -> list[dict]:
    """Per material: stock in tonnes (and pieces), against the storage areas' capacity."""
    signed = sql_case((LedgerEntry.kind == "receipt", 1), else_=-1)
    rows = db.session.execute(
        select(LedgerEntry.material, LedgerEntry.unit, func.sum(signed * _tonnes()))
        .where(LedgerEntry.case_id == case_id)
        .group_by(LedgerEntry.material, LedgerEntry.unit))
    stock: dict[str, dict] = {}
    for material, unit, total in rows:
        entry = stock.setdefault(material, {"material": material, "tonnes": Decimal(0),
                                            "pieces": Decimal(0)})
        entry["pieces" if unit == "pcs" else "tonnes"] += Decimal(total or 0)
    capacity = _capacity(application)
    for material in capacity:
        stock.setdefault(material, {"material": material, "tonnes": Decimal(0),
                                    "pieces": Decimal(0)})
    for entry in stock.values():
        entry["capacity"] = capacity.get(entry["material"])
        entry["over"] = entry["capacity"] is not None and entry["tonnes"] > entry["capacity"]
    return sorted(stock.values(), key=lambda e: e["material"])


def _capacity(application: YardApplication | None) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for area in (application.areas if application else []):
        if area.capacity_t is not None:
            out[area.material] = out.get(area.material, Decimal(0)) + area.capacity_t
    return out


def is_abroad(entry: LedgerEntry) -> bool:
    return entry.kind == "shipment" and entry.destination_country not in (None, "JP")


def reference_covers(reference: str | None, on: date, country: str | None = None) -> bool:
    """Whether the number names a notification or certificate that covers a shipment on `on`
    to `country`."""
    if not reference:
        return False
    number = reference.strip().upper()
    for lookup in REFERENCE_LOOKUPS:
        if (answer := lookup(number, on, country)) is not None:
            return answer
    document = db.session.scalar(select(Case).where(Case.number == number))
    check = REFERENCE_CHECKS.get(document.case_type) if document is not None else None
    return bool(check and check(document, on))


def flagged_shipments(case_id: int) -> list[LedgerEntry]:
    """Shipments abroad whose number names no notification or certificate covering them."""
    abroad = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.case_id == case_id, LedgerEntry.kind == "shipment",
        LedgerEntry.destination_country.is_not(None), LedgerEntry.destination_country != "JP")
        .order_by(LedgerEntry.entry_date, LedgerEntry.id))
    return [e for e in abroad if not reference_covers(e.export_reference, e.entry_date,
                                                      e.destination_country)]


def entries(case_id: int, limit: int = 200) -> list[LedgerEntry]:
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case_id)
                                   .order_by(LedgerEntry.entry_date.desc(),
                                             LedgerEntry.id.desc()).limit(limit)))


def _basel_covers(case: Case, on: date) -> bool:
    from app.customs.coverage import check

    return check(case, on).covered


def register_basel_checks() -> None:
    for case_type in ("basel_export", "basel_shipment"):
        REFERENCE_CHECKS[case_type] = _basel_covers


def register_reference_lookup(lookup: Callable[[str, date, str | None], bool | None]) -> None:
    """Add another procedure's number lookup (once: registering again changes nothing)."""
    if lookup not in REFERENCE_LOOKUPS:
        REFERENCE_LOOKUPS.append(lookup)

"""Per-unit test records uploaded as CSV (criterion 2: every unit powered on and tested).

The file is read whole and checked row by row before anything is stored: one bad row and
nothing of the file is kept, and the exporter reads every bad row with its column and why.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from app.input_fields import text_problem

from .models import FUNCTION_RESULTS, GRADES

COLUMNS = ("line", "serial", "power_on", "function_test", "cosmetic_grade")
YES, NO = frozenset({"yes", "y", "true", "1", "はい"}), frozenset({"no", "n", "false", "0",
                                                                   "いいえ"})
MAX_ROWS = 20_000


@dataclass(frozen=True)
class UnitRow:
    line: int
    serial: str
    power_on: bool
    function_test: str
    cosmetic_grade: str


class UnitFileError(ValueError):
    """The file's problems: {"row 3": {"serial": [...]}} or {"file": [...]}."""

    def __init__(self, problems: dict):
        super().__init__("unit records refused")
        self.problems = problems


def read_units(content: bytes, quantities: dict[int, int]) -> list[UnitRow]:
    """The rows of the file, checked against the lines (seq -> quantity) of the case."""
    reader = csv.DictReader(io.StringIO(_text(content)))
    if tuple(h.strip().lower() for h in reader.fieldnames or ()) != COLUMNS:
        raise UnitFileError({"file": [f"The first row must name the columns: "
                                      f"{','.join(COLUMNS)}."]})
    rows, problems = [], {}
    for number, record in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise UnitFileError({"file": [f"At most {MAX_ROWS} units per file."]})
        row, errors = _row(record, quantities)
        if errors:
            problems[f"row {number}"] = errors
        else:
            rows.append(row)
    problems.update(_duplicates(rows), **_too_many(rows, quantities))
    if problems:
        raise UnitFileError(problems)
    if not rows:
        raise UnitFileError({"file": ["The file has no unit rows."]})
    return rows


def _text(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnitFileError({"file": ["Save the file as UTF-8 CSV."]}) from None
    if problem := text_problem(text):
        raise UnitFileError({"file": [problem]})
    return text


def _row(record: dict, quantities: dict[int, int]) -> tuple[UnitRow | None, dict]:
    if None in record or any(v is None for v in record.values()):
        return None, {"row": ["Wrong number of columns."]}
    value = {k.strip().lower(): v.strip() for k, v in record.items()}
    errors: dict[str, list[str]] = {}
    line = _line(value["line"], quantities, errors)
    if not value["serial"] or len(value["serial"]) > 100:
        errors["serial"] = ["Give the unit's serial number (at most 100 characters)."]
    power = value["power_on"].lower()
    if power not in YES | NO:
        errors["power_on"] = ["Write yes or no."]
    if value["function_test"].lower() not in FUNCTION_RESULTS:
        errors["function_test"] = [f"Write one of {', '.join(FUNCTION_RESULTS)}."]
    if value["cosmetic_grade"].upper() not in GRADES:
        errors["cosmetic_grade"] = [f"Write one of {', '.join(GRADES)}."]
    if errors:
        return None, errors
    return UnitRow(line, value["serial"], power in YES, value["function_test"].lower(),
                   value["cosmetic_grade"].upper()), {}


def _line(text: str, quantities: dict[int, int], errors: dict) -> int:
    try:
        line = int(text)
    except ValueError:
        line = 0
    if line not in quantities:
        errors["line"] = [f"No product line {text!r} in this request."]
    return line


def _duplicates(rows: list[UnitRow]) -> dict:
    seen: set[tuple[int, str]] = set()
    problems = {}
    for row in rows:
        key = (row.line, row.serial)
        if key in seen:
            problems[f"line {row.line}"] = {"serial": [f"Serial {row.serial} is listed twice."]}
        seen.add(key)
    return problems


def _too_many(rows: list[UnitRow], quantities: dict[int, int]) -> dict:
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.line] = counts.get(row.line, 0) + 1
    return {f"line {line}": {"quantity": [f"{count} units for a line of {quantities[line]}."]}
            for line, count in counts.items() if count > quantities[line]}

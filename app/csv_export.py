"""The one CSV writer every download uses: cells a spreadsheet shows as text, never runs.

Excel, LibreOffice Calc and Google Sheets treat a cell that starts with = + - @ (and tab or
carriage return, which they skip before looking) as a formula, so a company named
`=HYPERLINK("http://…")` would become a live link, or `+cmd|…` a DDE command, in the
official's spreadsheet. OWASP's "CSV Injection" rule: prefix such a cell with a single quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from flask import Response, stream_with_context

from app.timeutil import TOKYO

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """The cell as text, quoted when a spreadsheet would read it as a formula.

    Negative numbers (`-12.5`) are escaped too: OWASP's rule cannot tell `-2+3+cmd|…` from a
    number without parsing formulas, and a spreadsheet still shows `'-12.5` as -12.5 (it only
    keeps it as text, which "Convert to number" undoes). Our exports hold no negative numbers
    today; quantities and dates never start with '-'.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def japan_time(value: datetime | None) -> str:
    """A timestamp in Japan time, in the form every spreadsheet reads as a date and time.

    The zone (JST, UTC+09:00) is named in the column header, not in the cell: a cell
    "2026-12-08 23:59 JST" would be text to Excel and Calc, not a date one can sort.
    """
    return value.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M") if value else ""


def plain_number(value: Decimal | None) -> str:
    """A quantity as a plain decimal number (`120.5`, `100`), never `1E+2` or `120.5 t`."""
    return "" if value is None else format(value.normalize(), "f")


def _lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV text a few hundred rows at a time, the BOM first."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_stream(filename: str, header: Iterable[object],
               rows: Iterator[Iterable[object]]) -> Response:
    """Like `csv_response`, but sent while the rows are read: an export of 100,000 cases
    starts at once and never sits whole in memory. `rows` runs inside the request."""
    return Response(stream_with_context(_lines(header, rows)),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def csv_response(filename: str, header: Iterable[object],
                 rows: Iterable[Iterable[object]]) -> Response:
    """A UTF-8 CSV download with a BOM (so Excel reads Japanese correctly), every cell safe."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in (header, *rows):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    # content_type, not mimetype: Flask adds "; charset=utf-8" to a text/* mimetype itself,
    # and a second charset parameter makes some clients refuse the download
    return Response(buffer.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})

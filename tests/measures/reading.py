"""Reading the dashboard as its user does: the figures a page shows, the rows of a CSV."""

from __future__ import annotations

import csv
import io
import re

#: a figure's row on the dashboard: its key and the value it shows
FIGURE_ROW = re.compile(r'<tr data-key="([^"]+)" title="[^"]+">\s*<td>[^<]*</td>'
                        r'<td class="num" data-value="([^"]*)"')


def shown_figures(html: str) -> dict[str, str]:
    """Figure key -> the value the page shows."""
    return dict(FIGURE_ROW.findall(html))


def csv_rows(response) -> list[dict[str, str]]:
    """A CSV download's rows by its header (the byte-order mark for spreadsheets dropped)."""
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))

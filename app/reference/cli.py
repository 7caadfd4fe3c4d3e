"""``flask refdata load`` and ``flask refdata show LIST [--on DATE]``."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from . import lookups
from .loader import load

refdata_cli = AppGroup("refdata", help="Versioned reference code lists and regime rules.")

#: ``show`` treats this name as the regime rules rather than a code list
RULES_NAME = "regime_rules"


@refdata_cli.command("load")
def load_command() -> None:
    """Load every CSV under app/reference/data (safe to run again: it only upserts)."""
    for result in load():
        version = "new version recorded" if result.new_version else "unchanged file"
        click.echo(
            f"{result.name}: {result.rows} rows "
            f"({result.inserted} inserted, {result.updated} updated; {version})"
        )


@refdata_cli.command("show")
@click.argument("list_name")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only what is valid on this day (YYYY-MM-DD).",
)
def show_command(list_name: str, on) -> None:
    """Print a code list (or ``regime_rules``), optionally as it stood on one day."""
    day = on.date() if on else None
    lines = _rule_lines(day) if list_name == RULES_NAME else _code_lines(list_name, day)
    if not lines:
        raise click.ClickException(f"nothing in {list_name!r}" + (f" on {day}" if day else ""))
    for line in lines:
        click.echo(line)


def _code_lines(list_name: str, day: date | None) -> list[str]:
    return [
        f"{c.code}\t{_period(c.valid_from, c.valid_to)}\t{c.label_en}\t{c.label_ja or ''}"
        for c in lookups.codes(list_name, day)
    ]


def _rule_lines(day: date | None) -> list[str]:
    return [
        f"{r.regime}\t{r.key}\t{r.amount} {r.unit}\t{r.verification}\t"
        f"{_period(r.valid_from, r.valid_to)}"
        for r in lookups.rules(day)
    ]


def _period(start: date | None, end: date | None) -> str:
    return f"{start or '…'}–{end or '…'}"

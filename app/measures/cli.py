"""``flask measures load`` (the plan's catalogue) and ``flask measures link-all``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db

from .catalogue import edition, load
from .links import sync_rule_links

measures_cli = AppGroup("measures", help="The action plan's measures, targets and case links.")


@measures_cli.command("load")
def load_command() -> None:
    """Load app/measures/data (safe to run again: it only upserts), then link every case."""
    result = load()
    plan = edition()
    click.echo(f"{plan['title_en']} ({plan['issued_on']}): {result.measures} headings, "
               f"{result.targets} targets")
    click.echo(f"cases linked by the rules: {_link_all()}")


@measures_cli.command("link-all")
def link_all_command() -> None:
    """Apply the link rules to every case (after the rules or the catalogue changed)."""
    click.echo(f"cases linked by the rules: {_link_all()}")


def _link_all() -> int:
    ids = db.session.scalars(select(Case.id).where(Case.parent_id.is_(None))).all()
    for case_id in ids:
        sync_rule_links(db.session.get(Case, case_id))
    db.session.commit()
    return len(ids)

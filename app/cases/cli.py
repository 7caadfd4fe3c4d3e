"""`flask audit verify [NUMBER]`: recompute the hash chains and report tampering."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import or_, select

from app.extensions import db

from .audit import verify_chain
from .models import Case

audit_cli = AppGroup("audit", help="The cases' audit trails.")


@audit_cli.command("verify")
@click.argument("reference", required=False)
def verify(reference: str | None) -> None:
    """Check the audit chain of one case (number, DRAFT-id or id) or of every case."""
    query = select(Case).order_by(Case.id)
    if reference:
        ident = reference.removeprefix("DRAFT-")
        query = query.where(or_(Case.number == reference,
                                Case.id == (int(ident) if ident.isdigit() else -1)))
    cases = db.session.scalars(query).all()
    if reference and not cases:
        raise click.ClickException(f"no case {reference}")
    broken = 0
    for case in cases:
        problems = verify_chain(case.id)
        if problems:
            broken += 1
            for p in problems:
                click.echo(f"TAMPERED {case.reference} event {p.seq}: {p.problem}")
    click.echo(f"{len(cases)} case(s) checked, {broken} with a broken audit chain")
    if broken:
        sys.exit(1)

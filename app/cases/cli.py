"""`flask audit verify|checkpoint|seal|new-key`: check, anchor and key the cases' audit trails.

`verify` exits 1 on any problem: a broken chain, a MAC that does not verify, a case deleted or
cut short since a checkpoint, or a forged checkpoint.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from .audit_keys import AuditKeyError, new_key_entry
from .checkpoints import write_checkpoint
from .verification import Finding, NoSuchCase, Verification, seal_legacy, verify_trails

audit_cli = AppGroup("audit", help="The cases' audit trails.")


@audit_cli.command("verify")
@click.argument("reference", required=False)
@click.option("--unsealed", is_flag=True,
              help="Also list the events written before MACs existed (not MAC-protected).")
def verify(reference: str | None, unsealed: bool) -> None:
    """Check the audit trail of one case (number, DRAFT-id or id) or of every case: the hash
    chain, each event's MAC, and every kept checkpoint (deleted or truncated cases)."""
    try:
        result = verify_trails(reference)
    except NoSuchCase:
        raise click.ClickException(f"no case {reference}") from None
    for checkpoint, reason in result.anchors.forged:
        click.echo(f"FORGED checkpoint {checkpoint.id} of "
                   f"{checkpoint.created_at.isoformat(timespec='seconds')}: {reason}")
    for finding in result.findings:
        _echo_finding(finding, unsealed)
    _echo_summary(result)
    if result.broken or result.anchors.forged:
        sys.exit(1)


def _echo_finding(finding: Finding, unsealed: bool) -> None:
    for problem in finding.problems:
        click.echo(f"TAMPERED {finding.reference} event {problem.seq}: {problem.problem}")
    if unsealed and finding.unsealed:
        click.echo(f"UNSEALED {finding.reference} events {_ranges(finding.unsealed)}: "
                   "not MAC-protected (run `flask audit seal`)")


def _echo_summary(result: Verification) -> None:
    click.echo(f"{result.checked} case(s) checked, {len(result.broken)} with a broken "
               "audit chain")
    anchors = result.anchors
    click.echo(f"{anchors.read} checkpoint(s) read, {len(anchors.forged)} forged")
    if anchors.newest is None:
        click.echo("WARNING no valid checkpoint: deleted cases and cut-off events cannot be "
                   "detected (run `flask audit checkpoint`, or the scheduler)")


def _ranges(seqs: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"."""
    runs: list[list[int]] = []
    for seq in seqs:
        if runs and seq == runs[-1][-1] + 1:
            runs[-1].append(seq)
        else:
            runs.append([seq])
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


@audit_cli.command("checkpoint")
def checkpoint() -> None:
    """Record every case's chain head now, MACed (the scheduler does this periodically)."""
    click.echo(write_checkpoint())


@audit_cli.command("seal")
def seal() -> None:
    """MAC the events written before MACs existed (once, after the upgrade); a case whose
    trail shows a problem is refused and listed."""
    sealed, refused = seal_legacy()
    click.echo(f"{sealed} event(s) sealed")
    for reference in refused:
        click.echo(f"REFUSED {reference}: its trail has a problem; see `flask audit verify`")
    if refused:
        sys.exit(1)


@audit_cli.command("new-key")
@click.argument("key_id")
def new_key(key_id: str) -> None:
    """Print a new `id:hexkey` entry to put first in AUDIT_MAC_KEYS (rotation)."""
    try:
        click.echo(new_key_entry(key_id))
    except AuditKeyError as exc:
        raise click.ClickException(str(exc)) from None

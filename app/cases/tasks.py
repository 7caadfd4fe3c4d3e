"""Scheduler jobs of the cases: the periodic signed checkpoint of every audit chain head."""

from __future__ import annotations

from flask import current_app

from .checkpoints import CheckpointReport, write_checkpoint


def checkpoint() -> CheckpointReport:
    """Record every chain head, then keep only the newest AUDIT_CHECKPOINTS_KEPT."""
    return write_checkpoint(current_app.config.get("AUDIT_CHECKPOINTS_KEPT", 48))


def _every_checkpoint_interval(config) -> float:
    return 60 * float(config.get("AUDIT_CHECKPOINT_MINUTES", 60))


JOBS = [("audit.checkpoint", checkpoint, _every_checkpoint_interval)]

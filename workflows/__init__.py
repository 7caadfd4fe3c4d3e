"""One declarative state machine per case type. No Flask, no SQL in this package."""

from .base import (
    SYSTEM,
    CaseWorkflow,
    EventNotAllowed,
    Facts,
    Refusal,
    RoleNotAllowed,
    WorkflowError,
)
from .basel_export import BaselExportWorkflow

#: case_type -> workflow class
REGISTRY: dict[str, type[CaseWorkflow]] = {
    "basel_export": BaselExportWorkflow,
}


def workflow_for(case_type: str) -> type[CaseWorkflow]:
    return REGISTRY[case_type]


__all__ = [
    "REGISTRY",
    "SYSTEM",
    "CaseWorkflow",
    "EventNotAllowed",
    "Facts",
    "Refusal",
    "RoleNotAllowed",
    "WorkflowError",
    "workflow_for",
]

"""One declarative state machine per case type. No Flask, no SQL in this package."""

from .base import (
    SYSTEM,
    CaseWorkflow,
    EventNotAllowed,
    Facts,
    PartyNotAllowed,
    Refusal,
    RoleNotAllowed,
    WorkflowError,
)
from .basel_export import BaselExportWorkflow
from .basel_import import BaselImportWorkflow
from .basel_shipment import BaselShipmentWorkflow
from .basel_transit import BaselTransitWorkflow

#: case_type -> workflow class
REGISTRY: dict[str, type[CaseWorkflow]] = {
    "basel_export": BaselExportWorkflow,
    "basel_import": BaselImportWorkflow,
    "basel_transit": BaselTransitWorkflow,
    "basel_shipment": BaselShipmentWorkflow,
}


def workflow_for(case_type: str) -> type[CaseWorkflow]:
    return REGISTRY[case_type]


__all__ = [
    "REGISTRY",
    "SYSTEM",
    "CaseWorkflow",
    "EventNotAllowed",
    "Facts",
    "PartyNotAllowed",
    "Refusal",
    "RoleNotAllowed",
    "WorkflowError",
    "workflow_for",
]

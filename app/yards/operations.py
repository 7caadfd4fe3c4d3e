"""Filing a scrap-yard application: create the draft, save its sections and storage areas,
attach site plans and photos. Every change goes through the engine's `act` (lock, version,
editor check, audit event) and saves all of it or nothing."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from app.cases.audit import append_event
from app.cases.handlers import invalid
from app.cases.models import Case
from app.cases.runner import act
from app.database import write_transaction
from app.extensions import db
from app.marshalling import schema
from app.reference import lookups
from app.timeutil import today_in_japan
from workflows import workflow_for
from workflows.base import N_

from .completeness import DECLARATIONS
from .models import StorageArea, YardApplication
from .schemas import SECTIONS, StorageAreaSchema

CASE_TYPE = "scrap_yard"
ATTACHMENT_KINDS = ("site_plan", "photo", "other")


class NotEditable(Exception):
    """The case is not in a state that allows changing the application."""


def create_draft(user) -> Case:
    """A new application with the operator's details taken from its organisation."""
    with write_transaction(db.session):
        org = user.organisation
        case = Case(case_type=CASE_TYPE, state="DRAFT", organisation=org, created_by=user)
        application = YardApplication(case=case, operator_name=org.name,
                                      corporate_no=org.registration_no,
                                      operator_address=org.address, disqualification={})
        db.session.add_all([case, application])
        db.session.flush()
        append_event(case, event="create", actor=user, role=user.role, from_state=None,
                     to_state=case.state)
        return case


def application(case: Case) -> YardApplication:
    return db.session.get(YardApplication, case.id)


def _ensure_editable(case: Case) -> None:
    if case.state not in workflow_for(case.case_type).EDITABLE:
        raise NotEditable()


def load_sections(raws: dict[str, dict], partial: bool = True) -> dict[str, dict]:
    """Every given section loaded, or one ValidationError naming section.field."""
    loaded, errors = {}, {}
    for section, raw in raws.items():
        if section not in SECTIONS:
            errors[section] = [N_("Unknown section.")]
            continue
        try:
            loaded[section] = SECTIONS[section]().load(raw, partial=partial)
        except ValidationError as exc:
            errors[section] = exc.messages
    if errors:
        raise ValidationError(errors)
    return loaded


def save_sections(case_id: int, raws: dict[str, dict], user, version: int | None) -> Case:
    return save_loaded(case_id, load_sections(raws), user, version)


def save_loaded(case_id: int, loaded: dict[str, dict], user, version: int | None) -> Case:
    """Save sections already loaded by their schemas, in one transaction."""
    unknown = {k for d in loaded.values() for k in (d.get("disqualification") or {})}
    if unknown - set(DECLARATIONS):
        problem = {"operator": {"disqualification": [N_("Unknown declaration.")]}}
        raise ValidationError(problem)

    def change(case: Case) -> dict[str, Any]:
        _ensure_editable(case)
        app_row = application(case)
        for data in loaded.values():
            for name, value in data.items():
                setattr(app_row, name, value)
        return {"sections": sorted(loaded),
                "fields": sorted(f"{s}.{k}" for s, d in loaded.items() for k in d)}

    return act(case_id, "save_section", change, actor=user, expected_version=version)


def load_area(raw: dict) -> dict:
    data = schema(StorageAreaSchema).load(raw)
    if not lookups.is_valid("yard_material", data["material"], today_in_japan()):
        raise invalid("material", "Choose a material from the list.")
    return data


def save_area(case_id: int, raw: dict, user, version: int | None,
              area_id: int | None = None) -> Case:
    """Add a storage area, or change one (by id); its label is unique in the yard."""
    data = load_area(raw)

    def change(case: Case) -> dict[str, Any]:
        _ensure_editable(case)
        app_row = application(case)
        area = _area(app_row, area_id) if area_id else None
        if any(a.label == data["label"] and a is not area for a in app_row.areas):
            raise invalid("label", "Another storage area has this label.")
        if area is None:
            app_row.areas.append(StorageArea(**data))
        else:
            for name, value in data.items():
                setattr(area, name, value)
        return {"area": data["label"]}

    return act(case_id, "save_storage_area", change, actor=user, expected_version=version)


def remove_area(case_id: int, area_id: int, user, version: int | None) -> Case:
    def change(case: Case) -> dict[str, Any]:
        _ensure_editable(case)
        area = _area(application(case), area_id)
        db.session.delete(area)
        return {"area": area.label}

    return act(case_id, "remove_storage_area", change, actor=user, expected_version=version)


def _area(app_row: YardApplication, area_id: int) -> StorageArea:
    for area in app_row.areas:
        if area.id == area_id:
            return area
    raise invalid("area", "No such storage area in this yard.")


def add_attachment(case_id: int, upload, kind: str, user, version: int | None,
                   description: str | None = None) -> Case:
    if kind not in ATTACHMENT_KINDS:
        raise invalid("kind", "Choose the kind of document.")

    def change(case: Case) -> dict[str, Any]:
        _ensure_editable(case)
        attachment = upload.to_attachment(case, kind, user, description)
        db.session.add(attachment)
        db.session.flush()
        return {"attachment": attachment.id, "filename": attachment.filename,
                "sha256": attachment.sha256}

    return act(case_id, "add_attachment", change, actor=user, expected_version=version)

"""MOE's inspection of the goods, line by line: units inspected and failing, the finding in
words and photos, recorded while the check is in inspection. `record_inspection` (the
transition back to the review) then needs a finding for every line; a line decision refusing
a line takes the finding as its reason when none is typed."""

from __future__ import annotations

from typing import Any

from app.cases.handlers import invalid
from app.cases.models import Case
from app.extensions import db
from app.marshalling import schema

from .models import ExportCheckFinding, ExportCheckFindingPhoto, ExportCheckLine
from .operations import check_of, line_of, moe_act
from .schemas import FindingSchema

#: the states in which the inspection's findings are recorded
INSPECTING = ("INSPECTION",)


def record_finding(case_id: int, seq: int, raw: dict, user, version: int | None) -> Case:
    """Record (or correct) what the inspection found on line `seq`; photos are added to those
    already there. Bad input changes nothing."""
    data = schema(FindingSchema).load(raw)

    def change(case: Case) -> tuple[str | None, dict[str, Any]]:
        line = line_of(check_of(case), seq)
        if data["units_inspected"] > line.quantity:
            raise invalid("units_inspected", "More units inspected than the line holds.")
        found = _finding_of(line)
        found.units_inspected, found.units_failing = (data["units_inspected"],
                                                      data["units_failing"])
        found.finding = data.get("finding")
        db.session.flush()
        names = [_add_photo(case, found, upload, user) for upload in data["photos"]]
        return None, {"line": seq, "units_inspected": found.units_inspected,
                      "units_failing": found.units_failing, "photos": names}

    return moe_act(case_id, user, version, action="record_finding",
                   party_event="record_inspection", states=INSPECTING, change=change)


def remove_photo(case_id: int, seq: int, attachment_id: int, user, version: int | None) -> Case:
    """Take a photo off line `seq`'s finding (a wrong picture), while the inspection lasts; the
    file goes with it. The timeline keeps that it was removed, and its name."""

    def change(case: Case) -> tuple[str | None, dict[str, Any]]:
        found = line_of(check_of(case), seq).finding
        photo = next((p for p in found.photos if p.attachment_id == attachment_id), None) \
            if found is not None else None
        if photo is None:
            raise invalid("attachment", "No such photo on this line.")
        attachment = photo.attachment
        found.photos.remove(photo)
        db.session.flush()
        db.session.delete(attachment)
        return None, {"line": seq, "photo": attachment.filename}

    return moe_act(case_id, user, version, action="remove_finding_photo",
                   party_event="record_inspection", states=INSPECTING, change=change)


def _finding_of(line: ExportCheckLine) -> ExportCheckFinding:
    if line.finding is None:
        line.finding = ExportCheckFinding(units_inspected=0, units_failing=0)
    return line.finding


def _add_photo(case: Case, found: ExportCheckFinding, upload, user) -> str:
    attachment = upload.to_attachment(case, "photo", user,
                                      description=f"inspection, line {found.line.seq}")
    db.session.add(attachment)
    db.session.flush()
    found.photos.append(ExportCheckFindingPhoto(attachment_id=attachment.id))
    return attachment.filename


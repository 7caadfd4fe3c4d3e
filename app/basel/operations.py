"""Business actions on Basel export notifications: create a draft, save its sections.

Each change goes through the runner's `act` (lock, version check, audit event, one commit).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import bindparam, select

from app.auth.models import Organisation
from app.cases.audit import append_event
from app.cases.handlers import invalid
from app.cases.models import Attachment, Case
from app.cases.runner import act
from app.cases.uploads import Upload
from app.database import write_transaction
from app.extensions import db
from app.input_fields import check_free_text
from app.marshalling import schema
from app.timeutil import utcnow
from workflows import workflow_for

from .models import ENGLISH_TWINS, BaselNotification, NotificationCode, Party, StateConcerned
from .sections import GUARANTEE_FIELDS, SECTION_SCHEMAS, PartySchema

CASE_TYPE = "basel_export"
JAPAN_AUTHORITY = "JP-MOE"  # MOE as Japan's competent authority (format unverified)


class NotEditable(Exception):
    """The case is not in a state (or the user not in a role) that allows changing it."""


def create_draft(user) -> Case:
    """A new export notification with the exporter's details filled in from the organisation."""
    with write_transaction(db.session):
        org: Organisation = user.organisation
        case = Case(case_type=CASE_TYPE, state="DRAFT", organisation=org, created_by=user)
        n = BaselNotification(case=case)
        n.parties.append(Party(role="exporter", seq=1, registration_no=org.registration_no,
                               name=org.name, address=org.address, country_code=org.country_code,
                               contact_person=org.contact_person or user.name, tel=org.tel,
                               fax=org.fax, email=org.email or user.email, organisation_id=org.id))
        n.states.append(StateConcerned(role="export", seq=0, country_code="JP",
                                       authority_code=JAPAN_AUTHORITY))
        db.session.add_all([case, n])
        db.session.flush()
        append_event(case, event="create", actor=user, role=user.role, from_state=None,
                     to_state=case.state)
        return case


def notification(case: Case) -> BaselNotification:
    return db.session.get(BaselNotification, case.id)


def _ensure_editable(case: Case, user) -> None:
    """The case's state still allows changes (`act` has checked the user is an editor)."""
    if case.state not in workflow_for(case.case_type).EDITABLE:
        raise NotEditable()


def save_section(case_id: int, section: str, raw: dict, user, version: int | None,
                 partial: bool = False) -> Case:
    """Validate and save one section of the form; nothing is saved if anything is invalid."""
    return save_sections(case_id, {section: raw}, user, version, partial=partial)


def validate_sections(raws: dict[str, dict], partial: bool = False) -> dict[str, dict]:
    """Load every given section; one ValidationError naming section.field for all problems."""
    loaded, errors = {}, {}
    for section, raw in raws.items():
        try:
            loaded[section] = SECTION_SCHEMAS[section]().load(raw, partial=partial)
        except ValidationError as exc:
            errors[section] = exc.messages
    if errors:
        raise ValidationError(errors if len(raws) > 1 else next(iter(errors.values())))
    return loaded


def save_sections(case_id: int, raws: dict[str, dict], user, version: int | None,
                  partial: bool = False) -> Case:
    """Save several sections in one transaction (the API's PATCH), all or nothing."""
    loaded = validate_sections(raws, partial)

    def change(case: Case) -> dict[str, Any]:
        _ensure_editable(case, user)
        n = notification(case)
        for section, data in loaded.items():
            APPLY[section](n, data)
        if set(loaded) - {"declaration"}:
            n.declaration_accepted_at = None  # the declaration covers what was declared
        if case.case_type in ("basel_import", "basel_transit") and n.received_on:
            from .partner_events import set_acknowledgement_deadline

            db.session.flush()
            set_acknowledgement_deadline(case, n, n.received_on)
        return {"sections": sorted(loaded),
                "fields": sorted(f"{s}.{k}" for s, d in loaded.items() for k in d)}

    return act(case_id, "save_section", change, actor=user, expected_version=version)


def _apply_scalars(n: BaselNotification, data: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if name in data:
            setattr(n, name, data[name])


def _apply_codes(n: BaselNotification, data: dict, schemes: tuple[str, ...]) -> None:
    for scheme in schemes:
        if scheme in data:
            _replace_codes(n, scheme, list(dict.fromkeys(filter(None, data[scheme]))))


def _replace_codes(n: BaselNotification, scheme: str, wanted: list[str]) -> None:
    """Make the scheme's rows exactly `wanted`, in order. Rows already there are kept (only
    their seq changes): deleting and re-inserting them in one flush would hit the unique key
    (case_id, scheme, code), as the unit of work inserts before it deletes."""
    kept = {c.code: c for c in n.codes if c.scheme == scheme}
    rows = [kept.get(code) or NotificationCode(scheme=scheme, code=code) for code in wanted]
    for seq, row in enumerate(rows, start=1):
        row.seq = seq
    n.codes[:] = [c for c in n.codes if c.scheme != scheme] + rows


def _apply_shipment(n: BaselNotification, data: dict) -> None:
    _apply_scalars(n, data, ("notification_type", "pre_consented", "intended_shipments",
                             "total_quantity", "quantity_unit", "first_departure",
                             "last_departure", "special_handling", "special_handling_details",
                             "insurance", *GUARANTEE_FIELDS))
    if isinstance(n.total_quantity, float):
        n.total_quantity = Decimal(str(n.total_quantity))
    _apply_codes(n, data, ("packaging",))


def _apply_waste(n: BaselNotification, data: dict) -> None:
    _apply_scalars(n, data, ("operation_code", "technology", "reason_for_export",
                             "waste_designation", "waste_composition", "generating_process",
                             "un_number", "un_shipping_name", "national_code_export",
                             "national_code_import", *ENGLISH_TWINS.values()))
    _apply_codes(n, data, ("basel_viii", "basel_ix", "oecd_gc", "y_code", "h_code", "un_class",
                           "hs", "physical"))


def _apply_route(n: BaselNotification, data: dict) -> None:
    _apply_scalars(n, data, ("customs_office_exit", "customs_office_entry"))
    _apply_codes(n, data, ("transport_mode",))
    export = n.states_in("export")[0]
    if "exit_point" in data:
        export.exit_point = data["exit_point"]
    if data.get("export_authority") and export.country_code != "JP":
        export.authority_code = data["export_authority"]
    if "import_country" in data or "transits" in data:
        _replace_route_states(n, data)


def _check_japan_role(case_type: str, import_country: str | None, transits: list[str]) -> None:
    """Where Japan must (not) be, by direction: export → import abroad and no Japanese
    transit; import → Japan imports; transit → Japan among the transit States."""
    if case_type == "basel_export":
        if import_country == "JP":
            raise invalid("import_country",
                          "Japan is the State of export in an export notification.")
        if "JP" in transits:
            raise invalid("transits", "Japan cannot be a transit State of its own export.")
    elif case_type == "basel_import":
        if import_country not in (None, "JP"):
            raise invalid("import_country", "Japan is the State of import of this case.")
        if "JP" in transits:
            raise invalid("transits", "Japan is the State of import, not of transit.")
    elif case_type == "basel_transit":
        if import_country == "JP":
            raise invalid("import_country", "Japan is a State of transit in this case.")
        if "JP" not in transits:
            raise invalid("transits", "Japan must be among the States of transit.")


def _replace_route_states(n: BaselNotification, data: dict) -> None:
    case_type = n.case.case_type
    current_import = n.import_state
    import_country = data.get("import_country") or (
        current_import.country_code if current_import else None)
    if case_type == "basel_import":
        import_country = "JP"
    transits = data.get("transits", [
        {"country_code": s.country_code, "authority_code": s.authority_code,
         "entry_point": s.entry_point, "exit_point": s.exit_point}
        for s in n.states_in("transit")])
    _check_japan_role(case_type, import_country, [t["country_code"] for t in transits])
    rows = [StateConcerned(role="transit", seq=i, **{
        **t, "authority_code": t.get("authority_code") or ("JP-MOE" if t["country_code"] == "JP"
                                                           else None)})
            for i, t in enumerate(transits, start=1)]
    if import_country:
        rows.append(StateConcerned(
            role="import", seq=len(rows) + 1, country_code=import_country,
            authority_code="JP-MOE" if import_country == "JP" else data.get(
                "import_authority", current_import.authority_code if current_import else None),
            entry_point=data.get("entry_point", current_import.entry_point
                                 if current_import else None)))
    n.states[:] = n.states_in("export")
    db.session.flush()  # old rows go before new ones take their unique (country, role) slot
    n.states.extend(rows)


def _apply_declaration(n: BaselNotification, data: dict) -> None:
    n.declaration_name = data["declaration_name"]
    n.declaration_accepted_at = utcnow()


APPLY = {
    "shipment": _apply_shipment,
    "waste": _apply_waste,
    "route": _apply_route,
    "declaration": _apply_declaration,
}


# --- parties ----------------------------------------------------------------------------------
def save_party(case_id: int, role: str, seq: int | None, raw: dict, user,
               version: int | None) -> Case:
    """Create (seq None) or update a party of the notification."""
    if role not in ("exporter", "importer", "generator", "facility", "carrier"):
        raise invalid("role", "Unknown party role.")
    data = schema(PartySchema).load(raw)

    def change(case: Case) -> dict[str, Any]:
        _ensure_editable(case, user)
        n = notification(case)
        party = _find_party(n, role, seq) if seq is not None else _new_party(n, role)
        for name, value in data.items():
            setattr(party, name, value)
        party.organisation_id = matching_organisation(party)
        n.declaration_accepted_at = None
        return {"party": f"{role}-{party.seq}"}

    return act(case_id, "save_party", change, actor=user, expected_version=version)


def remove_party(case_id: int, role: str, seq: int, user, version: int | None) -> Case:
    def change(case: Case) -> dict[str, Any]:
        _ensure_editable(case, user)
        n = notification(case)
        if role == "exporter":
            raise invalid("role", "The exporter cannot be removed.")
        n.parties.remove(_find_party(n, role, seq))
        n.declaration_accepted_at = None
        return {"party": f"{role}-{seq}", "removed": True}

    return act(case_id, "remove_party", change, actor=user, expected_version=version)


def _find_party(n: BaselNotification, role: str, seq: int) -> Party:
    for party in n.parties_in(role):
        if party.seq == seq:
            return party
    raise invalid("seq", "No such party.")


def _new_party(n: BaselNotification, role: str) -> Party:
    if role in ("exporter", "importer", "facility") and n.parties_in(role):
        raise invalid("role", "The notification has one party in this role.")
    seq = max((p.seq for p in n.parties_in(role)), default=0) + 1
    party = Party(role=role, seq=seq)
    n.parties.append(party)
    return party


def matching_organisation(party) -> int | None:
    """Link a facility/importer to an organisation with accounts here, by registration no.
    `party`: a Party, or any record with its role, registration_no, country_code and
    organisation_id."""
    if party.role not in ("facility", "importer") or not party.registration_no:
        return party.organisation_id if party.role == "exporter" else None
    return db.session.scalar(_ORGANISATION_BY_REGISTRATION, {
        "registration_no": party.registration_no, "country_code": party.country_code})


#: built once: every facility and importer named, on the web and from partners, is matched
_ORGANISATION_BY_REGISTRATION = select(Organisation.id).where(
    Organisation.registration_no == bindparam("registration_no"),
    Organisation.country_code == bindparam("country_code"))


# --- attachments ------------------------------------------------------------------------------
ATTACHMENT_KINDS = ("contract", "esm_info", "insurance", "other")


def add_attachment(case_id: int, kind: str, upload: Upload, user, version: int | None,
                   description: str | None = None) -> Case:
    if kind not in ATTACHMENT_KINDS:
        raise invalid("kind", "Unknown kind of document.")
    check_free_text("description", description)  # the web form's field, not a schema's

    def change(case: Case) -> dict[str, Any]:
        _ensure_editable(case, user)
        row = upload.to_attachment(case, kind, user, description)
        db.session.add(row)
        notification(case).declaration_accepted_at = None
        return {"kind": kind, "filename": row.filename, "sha256": row.sha256}

    return act(case_id, "add_attachment", change, actor=user, expected_version=version)


def remove_attachment(case_id: int, attachment_id: int, user, version: int | None) -> Case:
    def change(case: Case) -> dict[str, Any]:
        _ensure_editable(case, user)
        row = db.session.get(Attachment, attachment_id)
        if row is None or row.case_id != case.id or row.kind not in ATTACHMENT_KINDS:
            raise invalid("attachment_id", "No such document.")
        db.session.delete(row)
        notification(case).declaration_accepted_at = None
        return {"kind": row.kind, "filename": row.filename, "removed": True}

    return act(case_id, "remove_attachment", change, actor=user, expected_version=version)

"""The parties a work queue page reads for fifty cases at once are the parties of each
notification: an official may act on what the queue lists, and a company on nothing it
does not hold."""

from __future__ import annotations

from app.basel.case_parties import hold_notifications, notification_parties
from app.basel.models import BaselNotification, Party
from app.cases.models import Case
from app.demo.samples import complete_export
from tests.factories import make_org, make_user
from workflows.base import CA_IMPORT, FACILITY, IMPORTER


def _export_naming(db, importer, facility) -> int:
    case_id = complete_export(make_user("exporter")).id
    n = db.session.get(BaselNotification, case_id)
    for party in n.parties:
        if party.role == "importer":
            party.organisation_id = importer.id
        if party.role == "facility":
            party.organisation_id = facility.id
    return case_id


def _holders(db, case_id: int, *, held: bool) -> dict[str, set]:
    if held:
        hold_notifications([case_id])
    return notification_parties(db.session.get(Case, case_id), filed_here=True)


def test_party_holders_read_for_a_page_are_those_of_the_notification(db):
    importer, facility = make_org("Importer Inc."), make_org("Recovery K.K.")
    case_id = _export_naming(db, importer, facility)
    db.session.commit()

    one_by_one = _holders(db, case_id, held=False)
    db.session.rollback()
    for_a_page = _holders(db, case_id, held=True)

    assert for_a_page == one_by_one
    assert for_a_page[IMPORTER] == {importer.id} and for_a_page[FACILITY] == {facility.id}
    assert for_a_page[CA_IMPORT]  # the States concerned came with them


def test_a_party_written_after_the_page_read_is_seen(db):
    importer, facility = make_org("Importer Inc."), make_org("Recovery K.K.")
    case_id = _export_naming(db, importer, facility)
    second = make_org("Second Recovery K.K.")  # commits: before the page is read
    hold_notifications([case_id])

    n = db.session.get(BaselNotification, case_id)
    n.parties.append(Party(role="facility", seq=2, name="Second", organisation_id=second.id))
    db.session.flush()

    assert _holders(db, case_id, held=False)[FACILITY] == {facility.id, second.id}

"""Issue 12 §4: the messages a real exchange needs beside the first set — each built by us or
by the partner, valid against its schema, signed and verified with real keys, and applied."""

from __future__ import annotations

from sqlalchemy import select

from app.cases import runner
from app.cases.models import Case
from app.exchange.models import ExchangeMessage
from app.exchange.readers import NS, text, texts
from app.exchange.schemas import validate
from app.exchange.xmlsec import parse_untrusted
from app.extensions import db
from tests.exchange.conftest import our_signature_holds
from tests.exchange.partner_messages import (
    error_of,
    last_out,
    message,
    post_signed,
    received_import,
)
from tests.exchange.test_bad_input import snapshot, target  # noqa: F401
from tests.factories import make_user


def state(case_id: int) -> str:
    db.session.rollback()
    return db.session.get(Case, case_id).state


def signed_and_valid(app, raw: bytes):
    tree = parse_untrusted(raw, max_bytes=10**7, max_depth=64)
    assert validate(tree) == []
    assert our_signature_holds(app, tree)
    return tree


# --- notification incomplete: a request for information before the acknowledgement --------
def test_officials_ask_for_missing_information_before_acknowledging(app, client, usa):
    _partner, sim = usa
    case = received_import(sim)
    moe = make_user("official_moe")
    runner.fire(case.id, "request_information", actor=moe,
                payload={"reason": "Send the facility's permit for R4."})
    assert state(case.id) == "INFO_REQUESTED"
    sent = last_out(case.id, "TMWFurtherNotificationRequest")
    request = signed_and_valid(app, sent.raw)
    assert text(request, "t:RequestText") == "Send the facility's permit for R4."
    assert text(request, "t:NotificationIncomplete") == "true"
    submission = db.session.scalar(select(ExchangeMessage.message_id).where(
        ExchangeMessage.direction == "in", ExchangeMessage.case_id == case.id))
    assert text(request, "t:Header/t:CorrelationID") == submission

    reply = message(sim, "TMWFurtherNotificationReply", case.number,
                    correlation=sent.message_id, body=[("ReplyText", "Permit attached.")])
    response, answer = post_signed(client, sim, reply)
    assert response.status_code == 200, error_of(answer)
    assert text(answer, "t:Status") == "accepted"
    assert state(case.id) == "RECEIVED"  # back where the question found it
    runner.fire(case.id, "acknowledge", actor=moe)
    assert state(case.id) == "ACKNOWLEDGED"


def test_a_request_after_the_acknowledgement_is_not_marked_incomplete(app, client, usa):
    _partner, sim = usa
    case = received_import(sim)
    moe = make_user("official_moe")
    runner.fire(case.id, "acknowledge", actor=moe)
    runner.fire(case.id, "request_information", actor=moe,
                payload={"reason": "Which smelter line?"})
    request = signed_and_valid(app, last_out(case.id, "TMWFurtherNotificationRequest").raw)
    assert request.find("t:NotificationIncomplete", NS) is None
    reply = message(sim, "TMWFurtherNotificationReply", case.number,
                    correlation=text(request, "t:Header/t:MessageID"),
                    body=[("ReplyText", "Line 2.")])
    response, answer = post_signed(client, sim, reply)
    assert response.status_code == 200, error_of(answer)
    assert state(case.id) == "ACKNOWLEDGED"


def test_the_partner_can_tell_us_our_notification_is_incomplete(app, client,
                                                                target):  # noqa: F811
    sim, case = target["sim"], target["case"]
    request = message(sim, "TMWFurtherNotificationRequest", case.number,
                      correlation=target["submission"], body=[
                          ("RequestText", "The notification lacks the facility's permit."),
                          ("NotificationIncomplete", "true"),
                          ("MissingItem", "Block 10: permit of the recovery facility")])
    response, answer = post_signed(client, sim, request)
    assert response.status_code == 200, error_of(answer)
    assert state(case.id) == "INFO_REQUESTED"
    from app.basel.models import AuthorityResponse

    recorded = db.session.scalars(select(AuthorityResponse.text).where(
        AuthorityResponse.case_id == case.id,
        AuthorityResponse.kind == "information_request")).one()
    assert "Block 10: permit of the recovery facility" in recorded


def test_missing_items_travel_with_the_request(app, client, usa):
    _partner, sim = usa
    case = received_import(sim)
    from app.basel.models import BaselNotification

    n = db.session.get(BaselNotification, case.id)
    n.technology = None  # MOE finds block 11 incomplete
    db.session.commit()
    runner.fire(case.id, "request_information", actor=make_user("official_moe"),
                payload={"reason": "Complete block 11."})
    request = signed_and_valid(app, last_out(case.id, "TMWFurtherNotificationRequest").raw)
    assert any("Technology employed (block 11)" in item
               for item in texts(request, "t:MissingItem"))


__all__ = ["snapshot"]


# --- status query and its answer ----------------------------------------------------------
def status_query(sim, number: str, sequence=None):
    return message(sim, "TMWStatusQueryMessage", number, sequence=sequence)


def test_a_partner_asks_the_status_of_a_notification_and_gets_it_signed(app, client,
                                                                       target):  # noqa: F811
    sim, case = target["sim"], target["case"]
    query = status_query(sim, case.number)
    before = snapshot(case.id)
    response, answer = post_signed(client, sim, query)
    assert response.status_code == 200, error_of(answer)
    assert our_signature_holds(app, answer) and validate(answer) == []
    assert answer.tag.endswith("TMWStatusAnswerMessage")
    asked = text(query, "t:Header/t:MessageID")
    assert text(answer, "t:Header/t:CorrelationID") == text(answer, "t:ReceivedMessageID") \
        == asked
    assert (text(answer, "t:Header/t:NotificationID"), text(answer, "t:Notification/t:Status")) \
        == (case.number, "TRANSMITTED")
    assert snapshot(case.id) == before  # asking changes nothing


def test_the_status_answer_lists_the_consent_and_the_movements(app, client, usa):
    from datetime import timedelta

    from app.timeutil import today_in_japan
    from tests.exchange.partner_messages import active_import

    _partner, sim = usa
    case = active_import(sim)
    today = today_in_japan()
    sent = sim.send(sim.announcement(case.number, (1, 4), "10", today + timedelta(days=1),
                                     today + timedelta(days=9)))
    assert sent.status == 200, sim.error_codes(sent)
    response, answer = post_signed(client, sim, status_query(sim, case.number))
    assert response.status_code == 200, error_of(answer)
    assert text(answer, "t:Notification/t:Status") == "ACTIVE"
    assert text(answer, "t:Notification/t:Consent/t:ValidFrom") == today.isoformat()
    assert [(text(m, "t:Number"), text(m, "t:Status"))
            for m in answer.findall("t:Movement", NS)] == [("1", "ANNOUNCED")]


def test_a_status_query_about_another_states_notification_is_refused(app, client,
                                                                     target):  # noqa: F811
    from tests.exchange.conftest import make_partner

    _korea, korean = make_partner(client, code="KR-ME", country="KR")
    response, answer = post_signed(client, korean, status_query(korean, target["case"].number))
    assert response.status_code == 403
    assert error_of(answer)[0] == "NOT_PARTY"


def test_a_status_query_about_an_unknown_notification_is_refused(app, client, usa):
    _partner, sim = usa
    response, answer = post_signed(client, sim, status_query(sim, "JP2026999999"))
    assert response.status_code == 404
    assert error_of(answer)[0] == "UNKNOWN_NOTIFICATION"


def test_a_status_answer_sent_to_us_is_not_supported(app, client, target):  # noqa: F811
    sim, case = target["sim"], target["case"]
    answer_to_nobody = message(sim, "TMWStatusAnswerMessage", case.number,
                               correlation=target["submission"], body=[
                                   ("ReceivedMessageID", target["submission"]),
                                   ("Notification", [("Status", "ACTIVE"), (
                                       "StatusSince", "2026-01-05T10:00:00+09:00")])])
    before = snapshot(case.id)
    response, answer = post_signed(client, sim, answer_to_nobody)
    assert response.status_code == 422
    assert error_of(answer)[0] == "NOT_SUPPORTED"
    assert snapshot(case.id) == before


# --- take-back / alternative arrangement (Basel Art. 8 and 9) -----------------------------
def received_import_shipment(sim):
    """A shipment of an active import, received at the Japanese facility."""
    from datetime import timedelta

    from app.timeutil import today_in_japan
    from tests.exchange.partner_messages import active_import

    case, today = active_import(sim), today_in_japan()
    for tree in (sim.announcement(case.number, (1, 4), "10", today + timedelta(days=1),
                                  today + timedelta(days=9)),):
        sent = sim.send(tree)
        assert sent.status == 200, sim.error_codes(sent)
    shipment = db.session.scalar(select(Case).where(Case.parent_id == case.id))
    moe = make_user("official_moe")
    runner.fire(shipment.id, "depart", actor=moe, payload={
        "carrier_name": "Pacific Line", "transport_mode": "S",
        "transferred_on": (today + timedelta(days=1)).isoformat(), "signed_by": "Capt. Lee"})
    runner.fire(shipment.id, "confirm_receipt", actor=moe, payload={
        "received_on": (today + timedelta(days=1)).isoformat(), "received_quantity": "10"})
    return case, shipment


def test_japan_asks_the_state_of_export_to_take_back_what_cannot_be_recovered(app, client,
                                                                              usa):
    _partner, sim = usa
    case, shipment = received_import_shipment(sim)
    runner.fire(shipment.id, "cannot_complete", actor=make_user("official_moe"),
                payload={"reason": "The smelter's permit was suspended."})
    sent = last_out(shipment.id, "TMWTakeBackRequestMessage")
    request = signed_and_valid(app, sent.raw)
    assert (text(request, "t:Situation"), text(request, "t:Reason")) == (
        "cannot_complete", "The smelter's permit was suspended.")
    assert text(request, "t:Header/t:MovementSequence/t:Number") == "1"
    assert text(request, "t:TakeBackDueDate") > text(request, "t:NoticeDate")

    arrangement = message(sim, "TMWTakeBackArrangementMessage", case.number,
                          correlation=sent.message_id, sequence=(1, 4), body=[
                              ("Arrangement", "alternative"),
                              ("Description", "Recovery at the Naoshima smelter instead."),
                              ("OperationCode", "R4", {"scheme": "OPERATION"})])
    response, answer = post_signed(client, sim, arrangement)
    assert response.status_code == 200, error_of(answer)
    db.session.rollback()
    shipment = db.session.get(Case, shipment.id)
    assert shipment.state == "TAKE_BACK"
    recorded = [e for e in shipment.events if e.event == "record_take_back_arrangement"]
    assert recorded and recorded[0].payload["arrangement"] == "alternative"
    assert "Naoshima" in recorded[0].reason


def test_an_arrangement_for_a_shipment_not_being_taken_back_is_refused(app, client, usa):
    _partner, sim = usa
    case, shipment = received_import_shipment(sim)
    own_start = message(sim, "TMWTakeBackArrangementMessage", case.number, sequence=(1, 4),
                        body=[("Arrangement", "take_back"), ("Description", "Returning.")])
    before = snapshot(shipment.id)
    response, answer = post_signed(client, sim, own_start)
    assert response.status_code == 409
    assert error_of(answer)[0] == "STATE_CONFLICT"
    assert snapshot(shipment.id) == before


def test_the_state_of_import_tells_us_our_export_cannot_be_completed(app, client, usa):
    from datetime import timedelta
    from decimal import Decimal

    from app.basel.shipment_ops import prepare_shipment
    from app.timeutil import today_in_japan
    from tests.exchange.test_flow import transmitted_export

    _partner, sim = usa
    case, exporter, _moe = transmitted_export()
    sim.answer_all()
    today = today_in_japan()
    runner.fire(case.id, "record_export_approval", actor=make_user("official_meti"),
                payload={"approval_no": "M-1", "approval_date": today.isoformat()})
    shipment = prepare_shipment(case.id, {
        "actual_quantity": "20", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=10)).isoformat(), "packages": 5,
        "packaging": ["4"]}, exporter)
    runner.fire(shipment.id, "announce", actor=exporter)
    runner.fire(shipment.id, "depart", actor=exporter, payload={
        "carrier_name": "Ocean Line", "transport_mode": "S",
        "transferred_on": today.isoformat(), "signed_by": "Capt. Ito"})
    sent = sim.send(sim.receipt(case.number, (1, 2), today, Decimal("20")))
    assert sent.status == 200, sim.error_codes(sent)
    request = message(sim, "TMWTakeBackRequestMessage", case.number, sequence=(1, 2), body=[
        ("Situation", "cannot_complete"), ("Reason", "The facility closed."),
        ("NoticeDate", sim.today().isoformat()),
        ("TakeBackDueDate", (sim.today() + timedelta(days=90)).isoformat())])
    response, answer = post_signed(client, sim, request)
    assert response.status_code == 200, error_of(answer)
    db.session.rollback()
    shipment = db.session.get(Case, shipment.id)
    assert shipment.state == "TAKE_BACK"
    assert [d.kind for d in shipment.deadlines if d.is_open] == ["take_back"]


# --- tacit consent deemed (Basel Art. 6(4)) -----------------------------------------------
def test_a_tacit_transit_consent_is_sent_as_deemed_with_its_legal_basis(app, client, usa):
    _partner, sim = usa
    case = received_import(sim, "US2026000888", japan_role="transit")
    runner.fire(case.id, "acknowledge", actor=make_user("official_moe"))
    runner.fire(case.id, "tacit_consent")  # the scheduler, when the window closed in silence
    decision = signed_and_valid(app, last_out(case.id, "TMWNotificationDecisionMessage").raw)
    tacit = decision.find("t:Consent/t:Tacit", NS)
    assert tacit is not None
    from app.timeutil import today_in_japan

    assert text(tacit, "t:DeemedOn") == today_in_japan().isoformat()
    # the provision only (US to Korea, recovery: the OECD Decision), not how it was verified
    assert text(tacit, "t:Basis") == "OECD Decision C(2001)107/FINAL"


def test_a_written_consent_carries_no_tacit_mark(app, client, usa):
    from datetime import timedelta

    from app.timeutil import today_in_japan

    _partner, sim = usa
    case = received_import(sim, "US2026000889", japan_role="transit")
    moe, today = make_user("official_moe"), today_in_japan()
    runner.fire(case.id, "acknowledge", actor=moe)
    runner.fire(case.id, "consent", actor=moe, payload={
        "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=100)).isoformat()})
    decision = signed_and_valid(app, last_out(case.id, "TMWNotificationDecisionMessage").raw)
    assert decision.find("t:Consent", NS) is not None
    assert decision.find("t:Consent/t:Tacit", NS) is None


# --- amendment of a consented notification, and its consent -------------------------------
def amendment(sim, number: str, *, last: str | None = None, quantity: str | None = "60"):
    from datetime import timedelta

    body = [("Reason", "A second carrier and more material from the same generator.")]
    if quantity:
        body.append(("TotalQuantity", quantity, {"unit": "t"}))
    if last:
        first = (sim.today() + timedelta(days=1)).isoformat()
        body.append(("Period", [("FirstDeparture", first), ("LastDeparture", last)]))
    body.append(("Carrier", [("Name", "Trans-Pacific Reefer Co."), ("Address", "9 Pier Rd"),
                             ("CountryCode", "US"), ("ContactPerson", "Sam Roe"),
                             ("Telephone", "+1 555 0199"), ("Email", "ops@tpr.example"),
                             ("TransportMode", "S")]))
    return message(sim, "TMWNotificationAmendmentMessage", number, body=body)


def notification_of(case_id: int):
    from app.basel.models import BaselNotification

    db.session.rollback()
    return db.session.get(BaselNotification, case_id)


def test_an_amendment_waits_for_moe_and_applies_on_its_consent(app, client, usa):
    from decimal import Decimal

    from tests.exchange.partner_messages import active_import

    _partner, sim = usa
    case = active_import(sim)
    sent = amendment(sim, case.number)
    response, answer = post_signed(client, sim, sent)
    assert response.status_code == 200, error_of(answer)
    n = notification_of(case.id)
    assert n.total_quantity == Decimal("40")  # nothing changes before MOE consents
    assert state(case.id) == "ACTIVE"

    runner.fire(case.id, "consent_amendment", actor=make_user("official_moe"),
                payload={"reason": "Agreed; no new notification needed."})
    n = notification_of(case.id)
    assert n.total_quantity == Decimal("60")
    assert [p.name for p in n.parties_in("carrier")] == ["Trans-Pacific Reefer Co."]
    assert state(case.id) == "ACTIVE"
    decision = signed_and_valid(app, last_out(case.id, "TMWAmendmentDecisionMessage").raw)
    assert text(decision, "t:AmendmentMessageID") == text(sent, "t:Header/t:MessageID")
    assert decision.find("t:Consent", NS) is not None


def test_moe_is_offered_a_decision_on_an_amendment_only_while_one_waits(app, client, usa):
    from tests.exchange.partner_messages import active_import
    from tests.factories import login

    _partner, sim = usa
    case = active_import(sim)
    moe = make_user("official_moe")
    login(client, moe)

    def offered() -> set[str]:
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
        return {e for e in ("consent_amendment", "object_amendment")
                if f"/events/{e}" in page}

    assert offered() == set()
    response, answer = post_signed(client, sim, amendment(sim, case.number))
    assert response.status_code == 200, error_of(answer)
    assert offered() == {"consent_amendment", "object_amendment"}
    runner.fire(case.id, "consent_amendment", actor=moe, payload={"reason": "Agreed."})
    assert offered() == set()


def test_an_objected_amendment_changes_nothing(app, client, usa):
    from decimal import Decimal

    from tests.exchange.partner_messages import active_import

    _partner, sim = usa
    case = active_import(sim)
    response, answer = post_signed(client, sim, amendment(sim, case.number))
    assert response.status_code == 200, error_of(answer)
    runner.fire(case.id, "object_amendment", actor=make_user("official_moe"),
                payload={"reason": "An essential change: submit a new notification."})
    assert notification_of(case.id).total_quantity == Decimal("40")
    decision = signed_and_valid(app, last_out(case.id, "TMWAmendmentDecisionMessage").raw)
    assert text(decision, "t:Objection/t:Reasons") == \
        "An essential change: submit a new notification."


def test_an_amendment_with_an_impossible_period_is_refused(app, client, usa):
    from tests.exchange.partner_messages import active_import

    _partner, sim = usa
    case = active_import(sim)
    before = snapshot(case.id)
    response, answer = post_signed(client, sim, amendment(sim, case.number,
                                                          last="2020-01-01"))
    assert response.status_code == 422
    assert error_of(answer)[:2] == ("INVALID_PERIOD", "/tmw:TMWNotificationAmendmentMessage/"
                                                      "tmw:Period/tmw:LastDeparture")
    assert snapshot(case.id) == before


def test_a_notification_not_yet_consented_cannot_be_amended(app, client, usa):
    _partner, sim = usa
    case = received_import(sim)
    before = snapshot(case.id)
    response, answer = post_signed(client, sim, amendment(sim, case.number))
    assert response.status_code == 409
    assert error_of(answer)[0] == "STATE_CONFLICT"
    assert snapshot(case.id) == before


# --- interim operations, then the final recovery certificate -------------------------------
def shipped_export(sim):
    """Our export consented by XML, its first shipment received at the foreign facility."""
    from datetime import timedelta
    from decimal import Decimal

    from app.basel.shipment_ops import prepare_shipment
    from app.timeutil import today_in_japan
    from tests.exchange.test_flow import transmitted_export

    case, exporter, _moe = transmitted_export()
    sim.answer_all()
    today = today_in_japan()
    runner.fire(case.id, "record_export_approval", actor=make_user("official_meti"),
                payload={"approval_no": "M-1", "approval_date": today.isoformat()})
    shipment = prepare_shipment(case.id, {
        "actual_quantity": "20", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=10)).isoformat(), "packages": 5,
        "packaging": ["4"]}, exporter)
    runner.fire(shipment.id, "announce", actor=exporter)
    runner.fire(shipment.id, "depart", actor=exporter, payload={
        "carrier_name": "Ocean Line", "transport_mode": "S",
        "transferred_on": today.isoformat(), "signed_by": "Capt. Ito"})
    sent = sim.send(sim.receipt(case.number, (1, 2), today, Decimal("20")))
    assert sent.status == 200, sim.error_codes(sent)
    return case, shipment


def received_day():
    """The day shipped_export's shipment was received (Japan's date): recovery cannot be
    certified before it, whatever the partner's own date is."""
    from app.timeutil import today_in_japan

    return today_in_japan()


def test_an_interim_operation_waits_for_the_final_recovery_certificate(app, client, usa):
    from app.basel.shipments import Shipment
    from app.timeutil import today_in_japan

    _partner, sim = usa
    case, shipment = shipped_export(sim)
    interim = sim.send(sim.recovery(case.number, (1, 2), received_day(), operation="R13"))
    assert interim.status == 200, sim.error_codes(interim)
    assert state(shipment.id) == "INTERIM_COMPLETED"  # not closed: the final step is due
    final = sim.send(sim.recovery(case.number, (1, 2), received_day(), operation="R4"))
    assert final.status == 200, sim.error_codes(final)
    assert state(shipment.id) == "RECOVERED"
    row = db.session.get(Shipment, shipment.id)
    assert row.recovery_operation_code == "R4"
    events = [(e.event, e.to_state) for e in db.session.get(Case, shipment.id).events]
    assert events[-2:] == [("confirm_recovery", "INTERIM_COMPLETED"),
                           ("confirm_recovery", "RECOVERED")]
    assert today_in_japan()


def test_a_second_interim_certificate_is_a_state_conflict(app, client, usa):
    _partner, sim = usa
    case, shipment = shipped_export(sim)
    assert sim.send(sim.recovery(case.number, (1, 2), received_day(), operation="R13")).status \
        == 200
    before = snapshot(shipment.id)
    again = sim.send(sim.recovery(case.number, (1, 2), received_day(), operation="R12"))
    assert (again.status, sim.error_codes(again)) == (409, ["STATE_CONFLICT"])
    assert snapshot(shipment.id) == before


# --- the movement document carries every block of Basel Annex V B -------------------------
def test_our_movement_announcement_carries_every_block_of_annex_v_b(app, client, usa):
    _partner, sim = usa
    _case, shipment = shipped_export(sim)
    sent = signed_and_valid(app, last_out(shipment.id, "TMWMovementAnnouncementMessage").raw)
    blocks = {  # Annex V B item -> where it is
        1: "t:Exporter/t:Name", 2: "t:Generator/t:Site", 3: "t:Facility/t:Site",
        4: "t:Carrier/t:Name", 5: "t:Header/t:NotificationID", 6: "t:ShipmentDate",
        7: "t:TransportMode", 8: "t:Waste/t:Designation", 10: "t:Packages",
        11: "t:ActualQuantity", 12: "t:Declaration/t:Name", 13: "t:Declaration/t:NoObjection"}
    assert {item: bool(text(sent, path)) for item, path in blocks.items()} == \
        dict.fromkeys(blocks, True)
    route = [(text(s, "t:Role"), text(s, "t:CountryCode")) for s in sent.findall("t:State", NS)]
    assert route[0] == ("export", "JP") and route[-1] == ("import", "US")
    assert texts(sent, "t:Waste/t:Identification")  # Basel, Y and H codes, UN class (item 8)


# --- texts carry xml:lang ------------------------------------------------------------------
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_our_texts_say_their_language(app, client, usa):
    _partner, sim = usa
    case = received_import(sim)
    moe = make_user("official_moe")
    runner.fire(case.id, "acknowledge", actor=moe)
    runner.fire(case.id, "request_information", actor=moe,
                payload={"reason": "施設の許可証の写しを送付してください。"})
    request = signed_and_valid(app, last_out(case.id, "TMWFurtherNotificationRequest").raw)
    assert request.find("t:RequestText", NS).get(XML_LANG) == "ja"
    runner.fire(case.id, "object", actor=moe, payload={"reason": "The permit has expired."})
    decision = signed_and_valid(app, last_out(case.id, "TMWNotificationDecisionMessage").raw)
    assert decision.find("t:Objection/t:Reasons", NS).get(XML_LANG) == "en"


def test_a_partner_may_say_the_language_of_its_texts(app, client, target):  # noqa: F811
    sim, case = target["sim"], target["case"]
    request = message(sim, "TMWFurtherNotificationRequest", case.number,
                      correlation=target["submission"],
                      body=[("RequestText", "Merci d'envoyer le contrat signé.",
                             {XML_LANG: "fr"})])
    response, answer = post_signed(client, sim, request)
    assert response.status_code == 200, error_of(answer)
    assert state(case.id) == "INFO_REQUESTED"


def test_the_message_log_names_every_message_type(app):
    """Officials read the log in Japanese or English, never a bare XML root name."""
    from app.exchange.schemas import MESSAGE_TYPES
    from app.templating import MESSAGE_TYPE_LABELS

    assert set(MESSAGE_TYPES) <= set(MESSAGE_TYPE_LABELS)


def test_moe_answers_a_take_back_request_for_our_export(app, client, usa):
    from datetime import timedelta

    _partner, sim = usa
    case, shipment = shipped_export(sim)
    request = message(sim, "TMWTakeBackRequestMessage", case.number, sequence=(1, 2), body=[
        ("Situation", "cannot_complete"), ("Reason", "The facility closed."),
        ("NoticeDate", sim.today().isoformat()),
        ("TakeBackDueDate", (sim.today() + timedelta(days=90)).isoformat())])
    response, answer = post_signed(client, sim, request)
    assert response.status_code == 200, error_of(answer)
    runner.fire(shipment.id, "arrange_take_back", actor=make_user("official_moe"),
                payload={"reason": "Returned by sea to Yokohama within 60 days."})
    assert state(shipment.id) == "TAKE_BACK"
    arrangement = signed_and_valid(app, last_out(shipment.id,
                                                 "TMWTakeBackArrangementMessage").raw)
    assert (text(arrangement, "t:Arrangement"), text(arrangement, "t:Description")) == (
        "take_back", "Returned by sea to Yokohama within 60 days.")
    assert text(arrangement, "t:Header/t:MovementSequence/t:Number") == "1"


def test_a_waiting_amendment_puts_the_import_in_moes_queue_with_the_decision_named(
        app, client, usa):
    from tests.exchange.partner_messages import active_import
    from tests.factories import login

    _partner, sim = usa
    case = active_import(sim)
    login(client, make_user("official_moe"))
    assert case.number not in client.get("/queue").get_data(as_text=True)
    response, answer = post_signed(client, sim, amendment(sim, case.number))
    assert response.status_code == 200, error_of(answer)
    queue = client.get("/queue").get_data(as_text=True)
    assert case.number in queue and "#event-consent_amendment" in queue

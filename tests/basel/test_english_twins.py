"""A partner authority reads English: every free text it reads has an English twin.

The exporter types the waste's designation, composition, generating process, technology and
reason for export in Japanese and in English; the English notification PDF and the XML sent
to the partner use the English; submitting without it warns. Japan's own consent conditions
and objection reasons travel to the partner in English too.
"""

from __future__ import annotations

from datetime import timedelta

from lxml import etree
from markupsafe import escape
from sqlalchemy import select

from app.basel import operations
from app.basel.models import BaselNotification
from app.cases import plausibility, runner
from app.demo.samples import complete_export
from app.exchange.models import ExchangeMessage
from app.exchange.schemas import NAMESPACE, validate
from app.extensions import db
from app.timeutil import today_in_japan
from tests.documents.conftest import download, signed_in
from tests.documents.pdfs import missing, text_of
from tests.exchange.conftest import make_partner
from tests.factories import login, make_user

T = f"{{{NAMESPACE}}}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"

JAPANESE = {
    "technology": "銅製錬による貴金属の回収",
    "reason_for_export": "輸入国の施設での再生利用の原料",
    "waste_designation": "パソコン及びサーバーの廃プリント基板",
    "waste_composition": "銅20%、鉄8%、エポキシ樹脂",
    "generating_process": "使用済みIT機器の解体",
}
ENGLISH = {
    "technology_en": "Copper smelting with precious metal recovery",
    "reason_for_export_en": "Raw material for recycling at the facility",
    "waste_designation_en": "Waste printed circuit boards from PCs and servers",
    "waste_composition_en": "Cu 20%, Fe 8%, epoxy resin",
    "generating_process_en": "Dismantling of used IT equipment",
}


def bilingual_export(exporter, english=ENGLISH):
    case = complete_export(exporter, country="US", english=False)
    version = db.session.get(type(case), case.id).version
    operations.save_section(case.id, "waste", {**JAPANESE, **english}, exporter, version,
                            partial=True)
    operations.save_section(case.id, "declaration", {"declaration_name": exporter.name,
                                                     "accept": True}, exporter, version + 1)
    db.session.commit()
    return case


def notification(case) -> BaselNotification:
    db.session.rollback()
    return db.session.get(BaselNotification, case.id)


def sent_xml(case_id, message_type):
    db.session.rollback()
    message = db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.case_id == case_id, ExchangeMessage.direction == "out",
        ExchangeMessage.message_type == message_type)).first()
    return etree.fromstring(message.raw)


def texts(parent, tag) -> dict[str | None, str]:
    return {e.get(LANG): e.text for e in parent.iter(T + tag)}


def test_the_waste_form_takes_english_beside_japanese_and_keeps_it(app, client):
    exporter = make_user("exporter")
    case = complete_export(exporter)
    login(client, exporter)
    page = client.get(f"/basel/{case.id}/edit/waste").get_data(as_text=True)
    for name in ENGLISH:
        assert f'name="{name}"' in page
    version = db.session.get(type(case), case.id).version
    response = client.post(f"/basel/{case.id}/edit/waste", data={
        "version": version, "operation_code": "R4", **JAPANESE, **ENGLISH,
        "basel_viii": "A1181", "physical": "2", "h_code": "H11", "hs": "8549.21"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    saved = notification(case)
    for name, value in {**JAPANESE, **ENGLISH}.items():
        assert getattr(saved, name) == value
    page = client.get(f"/basel/{case.id}/edit/waste").get_data(as_text=True)
    assert ENGLISH["technology_en"] in page


def test_a_failed_save_keeps_the_english_typed(app, client):
    exporter = make_user("exporter")
    case = complete_export(exporter)
    login(client, exporter)
    version = db.session.get(type(case), case.id).version
    response = client.post(f"/basel/{case.id}/edit/waste", data={
        "version": version, "operation_code": "R4", "un_number": "not a number",
        "technology_en": "Smelting, typed before the error"})
    assert response.status_code == 422
    assert "Smelting, typed before the error" in response.get_data(as_text=True)


def test_the_api_takes_and_returns_the_english_twins(app, client):
    exporter = make_user("exporter")
    case = complete_export(exporter, english=False)
    from app.auth.tokens import create_token
    token = create_token(exporter, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    version = client.get(f"/api/v1/cases/{case.id}", headers=headers).get_json()["version"]
    response = client.patch(f"/api/v1/cases/{case.id}", headers=headers, json={
        "version": version, "waste": {"waste_designation_en": "Waste PCBs"}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["notification"]["waste_designation_en"] == "Waste PCBs"
    body = response.get_json()
    warned = {f["field"] for f in body["findings"] if f["severity"] == "warning"}
    assert "waste.technology_en" in warned and "waste.waste_designation_en" not in warned
    assert "warnings" not in body  # the findings carry them, once
    too_long = client.patch(f"/api/v1/cases/{case.id}", headers=headers, json={
        "version": response.get_json()["version"], "waste": {"technology_en": "x" * 4001}})
    assert too_long.status_code == 422
    assert too_long.mimetype == "application/problem+json"
    assert "waste.technology_en" in {e["field"] for e in too_long.get_json()["errors"]}


def test_submission_warns_when_the_english_is_missing(app, client):
    exporter = make_user("exporter")
    case = bilingual_export(exporter, english={"technology_en": ENGLISH["technology_en"]})
    found = plausibility.run(case, today_in_japan(), "submit")
    english = [f for f in found if f.rule == "basel.english_text_missing"]
    assert {f.field for f in english} == {"waste." + n for n in ENGLISH} - {"waste.technology_en"}
    assert all(f.severity == "warning" and "Basel Convention" in f.source for f in english)
    login(client, exporter)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "English" in page and "Designation of the waste" in page
    # each missing English text is listed once, in the findings, not again in the draft box
    composition = [f for f in english if f.field == "waste.waste_composition_en"][0]
    shown = page.count(finding_text(composition))
    assert shown == 1, f"the warning is shown {shown} times"
    version = db.session.get(type(case), case.id).version
    response = client.post(f"/cases/{case.id}/events/submit", data={"version": version},
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "flash warning" in body
    assert notification(case).case.state == "SUBMITTED"  # a warning, not a refusal
    official_client = app.test_client()
    login(official_client, make_user("official_moe"))
    review = official_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Composition of the waste" in review and "Basel Convention Art. 6(1)" in review


def test_no_warning_when_every_english_text_is_given(app):
    exporter = make_user("exporter")
    case = bilingual_export(exporter)
    found = plausibility.run(case, today_in_japan(), "submit")
    assert [f for f in found if f.rule == "basel.english_text_missing"] == []


def test_the_notification_sent_to_the_partner_carries_both_languages(app, client):
    make_partner(client)
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = bilingual_export(exporter)
    for event, actor in (("submit", exporter), ("start_review", moe),
                         ("confirm_contract", moe), ("approve_transmission", moe)):
        runner.fire(case.id, event, actor=actor)
    root = sent_xml(case.id, "TMWNotificationSubmissionMessage")
    assert validate(root) == []
    assert texts(root, "Designation") == {"ja": JAPANESE["waste_designation"],
                                          "en": ENGLISH["waste_designation_en"]}
    assert texts(root, "Technology") == {"ja": JAPANESE["technology"],
                                         "en": ENGLISH["technology_en"]}
    for tag in ("Composition", "GeneratingProcess", "ReasonForExport"):
        assert set(texts(root, tag)) == {"ja", "en"}


def test_the_english_pdf_prints_the_english_and_the_japanese_pdf_the_japanese(app):
    exporter = make_user("exporter")
    case = bilingual_export(exporter)
    runner.fire(case.id, "submit", actor=exporter)
    english = text_of(download(signed_in(app, exporter, "en"), case.id, "notification",
                               lang="en").data)
    assert missing(english, [ENGLISH["waste_designation_en"], ENGLISH["technology_en"],
                             ENGLISH["reason_for_export_en"], ENGLISH["waste_composition_en"],
                             ENGLISH["generating_process_en"]]) == []
    assert JAPANESE["waste_designation"] not in english
    japanese = text_of(download(signed_in(app, exporter, "ja"), case.id, "notification",
                                lang="ja").data)
    assert missing(japanese, [JAPANESE["waste_designation"], JAPANESE["technology"]]) == []


def imported_case(client):
    from app.cases.models import Case
    from tests.factories import make_org

    _partner, sim = make_partner(client)
    make_org("Kanto Smelting & Refining Co.", registration_no="0300-01-777777")
    assert sim.send(sim.notification("US2026000777")).status == 200
    case = db.session.scalar(select(Case).where(Case.number == "US2026000777"))
    moe = make_user("official_moe")
    runner.fire(case.id, "acknowledge", actor=moe)
    return case, moe


def test_japans_consent_conditions_go_to_the_partner_in_english(app, client):
    case, moe = imported_case(client)
    today = today_in_japan()
    runner.fire(case.id, "consent", actor=moe, payload={
        "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=200)).isoformat(),
        "conditions": "小名浜製錬所に限る", "conditions_en": "Onahama smelter only"})
    root = sent_xml(case.id, "TMWNotificationDecisionMessage")
    assert validate(root) == []
    assert texts(root, "Conditions") == {"ja": "小名浜製錬所に限る", "en": "Onahama smelter only"}


def test_japans_objection_reasons_go_to_the_partner_in_english(app, client):
    case, moe = imported_case(client)
    runner.fire(case.id, "object", actor=moe, payload={
        "reason": "施設の許可が対象の廃棄物を含まない",
        "reason_en": "The facility's licence does not cover this waste"})
    root = sent_xml(case.id, "TMWNotificationDecisionMessage")
    assert validate(root) == []
    assert texts(root, "Reasons")["en"] == "The facility's licence does not cover this waste"


def test_the_consent_form_asks_for_the_english_conditions(app, client):
    case, moe = imported_case(client)
    login(client, moe)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'name="conditions_en"' in page and 'name="reason_en"' in page


def test_the_english_reason_follows_the_remark_not_the_event_payload(app, client):
    """Whoever reads an event reads its payload; the English of a remark that may be
    internal must not ride along there."""
    case, moe = imported_case(client)
    runner.fire(case.id, "object", actor=moe, payload={
        "reason": "理由", "reason_en": "The facility's licence does not cover this waste"})
    db.session.rollback()
    from app.cases.models import Case
    last = db.session.get(Case, case.id).events[-1]
    assert "reason_en" not in (last.payload or {})


def test_a_partners_notification_in_two_languages_keeps_both(app, client):
    from app.cases.models import Case
    from tests.factories import make_org

    _partner, sim = make_partner(client)
    make_org("Kanto Smelting & Refining Co.", registration_no="0300-01-777777")
    tree = sim.notification("US2026000779")
    designation = next(tree.iter(T + "Designation"))
    english = designation.text
    designation.set(LANG, "en")
    own = etree.Element(T + "Designation")
    own.set(LANG, "es")
    own.text = "Placas de circuito impreso de desecho"
    designation.addprevious(own)
    assert sim.send(tree).status == 200
    case = db.session.scalar(select(Case).where(Case.number == "US2026000779"))
    saved = notification(case)
    assert (saved.waste_designation, saved.waste_designation_en) == (
        "Placas de circuito impreso de desecho", english)


def finding_text(finding) -> str:
    """A finding's message as an English page shows it (escaped)."""
    return str(escape(finding.message.format(**dict(finding.params))))

"""Delivery over a real SMTP server (aiosmtpd): who receives what, in which language, retries,
backoff, giving up, and never twice."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa
import time_machine

from app.cases.models import Case
from app.extensions import db
from app.notices.delivery import DeliveryReport, deliver_pending, failed_notices
from app.notices.messages import rendered
from app.notices.models import Notice
from app.timeutil import today_in_japan, utcnow
from tests.threads import at_once

from .conftest import BASE_URL, smtp_server
from .flows import consent, fire, in_review, notices, submitted, transmitted

MOE, MOE_EN = "moe@env.example.go.jp", "moe-en@env.example.go.jp"
EXPORTER, COLLEAGUE = "exporter@tokyo-escrap.example", "colleague@tokyo-escrap.example"
REASON = "第14欄：UN番号を記入してください。 & check the H-codes"


def test_the_people_who_must_act_receive_their_notice_in_their_language(people, smtp):
    case_id = in_review(people)
    fire(case_id, "return_for_correction", people.moe, reason=REASON)
    number = db.session.get(Case, case_id).number
    link = f"{BASE_URL}/cases/{case_id}"

    report = deliver_pending()

    assert report == DeliveryReport(sent=4)
    # MOE got "submitted", the filing company "returned"; the inactive colleague, the other
    # company's exporter, the inactive official and METI got nothing
    assert smtp.recipients == sorted([MOE, MOE_EN, EXPORTER, COLLEAGUE])
    assert all(len(e.rcpt_tos) == 1 for e in smtp.envelopes)

    [submitted_ja] = smtp.to(MOE)
    assert submitted_ja["Subject"] == f"【{number}】通告が提出されました"
    body = submitted_ja.get_content()
    assert body.startswith("佐藤 花子 様\n")
    assert f"案件：{number}（バーゼル法に基づく輸出の通告）" in body
    assert "実施者：山田 太郎（輸出者／輸入者）" in body
    assert "状態：提出済み" in body and link in body

    [submitted_en] = smtp.to(MOE_EN)
    assert submitted_en["Subject"] == f"{number}: a notification was submitted"
    body = submitted_en.get_content()
    assert "Action: Submit to MOE" in body and "State: Submitted" in body and link in body
    assert not re.search(r"[\u3040-\u30ff]", body.replace("山田 太郎", ""))  # no Japanese

    [returned_ja] = smtp.to(EXPORTER)
    assert returned_ja["Subject"] == f"【{number}】補正のため差し戻されました"
    body = returned_ja.get_content()
    assert f"補正を要する事項：\n{REASON}\n" in body  # the reason as written, "&" and all
    assert "上記のとおり通告を補正し、再度提出してください。" in body and link in body

    [returned_en] = smtp.to(COLLEAGUE)
    assert returned_en["Subject"] == f"{number}: returned for correction"
    body = returned_en.get_content()
    assert f"What must be corrected:\n{REASON}\n" in body
    assert "State: Returned for correction" in body and "Acted by: 佐藤 花子 (MOE official)" in body


def test_messages_are_utf8_with_encoded_headers_and_a_stable_message_id(people, smtp):
    submitted(people)
    before = utcnow().replace(microsecond=0)
    deliver_pending()

    by_address = {e.rcpt_tos[0]: e for e in smtp.envelopes}
    raw = by_address[MOE].content
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert head.isascii() and payload.isascii()  # 7-bit on the wire: RFC 2047 + base64
    assert b"Subject: =?utf-8?" in head
    message = smtp.to(MOE)[0]
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Content-Transfer-Encoding"] == "base64"
    assert message["From"] == "e-procedures <noreply@eproc.test.example.go.jp>"
    assert message["To"] == MOE
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "ja"
    assert parsedate_to_datetime(message["Date"]) >= before
    notice = next(n for n in notices() if n.recipient_email == MOE)
    assert re.fullmatch(rf"<notice-{notice.id}\.\d+@eproc\.test\.example\.go\.jp>",
                        message["Message-ID"])
    assert (notice.attempts, notice.last_error) == (1, None)
    assert notice.sent_at is not None


def test_nothing_is_sent_twice(people, smtp):
    case_id = submitted(people)
    assert deliver_pending().sent == 2
    assert deliver_pending() == DeliveryReport()
    with time_machine.travel(utcnow() + timedelta(days=30), tick=False):
        assert deliver_pending() == DeliveryReport()

    fire(case_id, "withdraw", people.exporter)  # new notices go; the old ones do not again
    assert deliver_pending().sent == 2
    number = db.session.get(Case, case_id).number
    assert sorted((e.rcpt_tos[0], m["Subject"]) for e, m in zip(
        smtp.envelopes, smtp.messages, strict=True)) == [
        (MOE_EN, f"{number}: a notification was submitted"),
        (MOE_EN, f"{number}: the notification was withdrawn"),
        (MOE, f"【{number}】通告が取り下げられました"),
        (MOE, f"【{number}】通告が提出されました"),
    ]


def test_two_delivery_runs_at_once_send_each_notice_once(app, people, smtp):
    for _ in range(4):
        submitted(people)  # 8 notices
    reports = at_once(app, [deliver_pending, deliver_pending], timeout=60)

    db.session.rollback()  # this thread's read transaction predates the runs
    assert sum(r.sent for r in reports) == 8 and all(r.failed == 0 for r in reports)
    assert len(smtp.envelopes) == 8
    assert len({m["Message-ID"] for m in smtp.messages}) == 8
    assert [(n.sent_at is not None, n.attempts) for n in notices()] == [(True, 1)] * 8


def test_a_row_locked_by_another_process_is_skipped_not_waited_for(people, smtp, is_postgres):
    if not is_postgres:
        pytest.skip("row locks with SKIP LOCKED: PostgreSQL")
    submitted(people)
    locked = notices()[0]
    with db.engine.connect() as other:
        other.execute(sa.text("SELECT id FROM notices WHERE id = :id FOR UPDATE"),
                      {"id": locked.id})
        assert deliver_pending().sent == 1  # the other row; this one is someone else's now
        other.rollback()
    assert smtp.recipients == sorted({MOE, MOE_EN} - {locked.recipient_email})
    assert deliver_pending().sent == 1
    assert smtp.recipients == sorted([MOE, MOE_EN])


def test_an_unreachable_server_costs_one_attempt_then_delivery_resumes(people, mail_config):
    submitted(people)  # two notices, to MOE and MOE_EN
    start = utcnow().replace(microsecond=0) + timedelta(seconds=1)

    with time_machine.travel(start, tick=False):
        report = deliver_pending()  # nothing listens on MAIL_PORT
    assert (report.sent, report.failed, report.given_up, report.pending) == (0, 1, 0, 1)
    assert report.stopped.startswith(f"cannot connect to 127.0.0.1:{mail_config['MAIL_PORT']}")
    tried, untouched = sorted(notices(), key=lambda n: -n.attempts)
    assert (tried.attempts, tried.sent_at) == (1, None)
    assert tried.last_error.startswith("ConnectionRefusedError")
    assert tried.next_attempt_at == start + timedelta(minutes=5)  # the first backoff
    assert (untouched.attempts, untouched.last_error, untouched.sent_at) == (0, None, None)

    with smtp_server(mail_config["MAIL_PORT"]) as smtp:
        with time_machine.travel(start + timedelta(minutes=1), tick=False):
            assert deliver_pending() == DeliveryReport(sent=1)  # the other waits its backoff
        assert smtp.recipients == [untouched.recipient_email]
        with time_machine.travel(start + timedelta(minutes=5), tick=False):
            assert deliver_pending() == DeliveryReport(sent=1)
        assert smtp.recipients == sorted([MOE, MOE_EN])  # nothing lost, nothing doubled

    resent = db.session.get(Notice, tried.id)
    assert (resent.attempts, resent.sent_at) == (2, start + timedelta(minutes=5))
    assert resent.last_error.startswith("ConnectionRefusedError")  # the history stays


def test_a_refused_recipient_fails_alone_and_the_session_goes_on(people, smtp):
    fire(in_review(people), "return_for_correction", people.moe, reason="Block 9.")
    smtp.refuse.add(MOE)  # the first notice in the queue

    report = deliver_pending()

    assert (report.sent, report.failed, report.stopped) == (3, 1, None)
    assert smtp.recipients == sorted([MOE_EN, EXPORTER, COLLEAGUE])
    refused = next(n for n in notices() if n.recipient_email == MOE)
    assert refused.sent_at is None and refused.attempts == 1
    assert refused.last_error.startswith("SMTPRecipientsRefused") and "550" in refused.last_error


def test_a_row_no_message_can_be_built_from_fails_alone(people, smtp):
    submitted(people)
    broken = notices()[0]
    broken.recipient_email = "moe@env.example.go.jp\r\nBcc: everyone@example.com"
    db.session.commit()

    report = deliver_pending()

    assert (report.sent, report.failed) == (1, 1)
    assert len(smtp.envelopes) == 1 and "everyone@example.com" not in smtp.recipients
    row = db.session.get(Notice, broken.id)
    assert row.attempts == 1 and row.sent_at is None and row.last_error.startswith("ValueError")


def test_backoff_doubles_and_the_notice_is_given_up_but_kept(people, mail_config):
    mail_config["NOTICE_MAX_ATTEMPTS"] = 4
    people.moe_en.active = False  # one notice: to MOE
    db.session.commit()
    submitted(people)
    moment, waits = utcnow() + timedelta(seconds=1), []
    for _ in range(8):  # more runs than attempts
        with time_machine.travel(moment, tick=False):
            deliver_pending()
        due = min((n.next_attempt_at for n in notices() if n.attempts < 4), default=None)
        if due is None:
            break
        waits.append(round((due - moment).total_seconds() / 60))
        moment = due

    [notice] = notices()
    assert (notice.attempts, notice.sent_at) == (4, None)
    assert notice.last_error.startswith("ConnectionRefusedError")
    assert list(db.session.scalars(failed_notices())) == [notice]  # kept, visible as failed
    assert waits == [5, 10, 20]
    with time_machine.travel(moment + timedelta(days=10), tick=False):
        assert deliver_pending() == DeliveryReport()


def test_the_backoff_is_capped(app):
    from app.notices.delivery import backoff

    with_defaults = [backoff(n) for n in range(1, 12)]
    assert with_defaults[:4] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert max(with_defaults) == timedelta(hours=6) == with_defaults[-1]


def test_without_mail_server_notices_stay_queued(people, mail_config):
    mail_config["MAIL_SERVER"] = ""
    submitted(people)
    report = deliver_pending()
    assert report == DeliveryReport(disabled=True, pending=2)
    assert "disabled" in str(report)
    assert all(n.attempts == 0 and n.sent_at is None for n in notices())


def test_a_notice_is_written_without_text_and_rendered_at_delivery_in_its_language(
        people, smtp):
    case_id = transmitted(people)
    consent(case_id, people, conditions="Only via the Port of Long Beach.")
    written = notices(kind="consented")
    # the transition stored what to say, not the words: those are chosen at delivery
    assert {(n.locale, n.body) for n in written} == {("ja", None), ("en", None)}

    deliver_pending()

    valid_from = today_in_japan().isoformat()
    valid_to = (today_in_japan() + timedelta(days=300)).isoformat()
    [english] = smtp.to(COLLEAGUE)
    body = english.get_content()
    assert body.startswith("Dear Colleague,\n") and "Only via the Port of Long Beach." in body
    # the dates and the deadline's moment come back as dates, formatted for the reader
    assert f"Valid from: {valid_from}\nValid until: {valid_to}\n" in body
    assert not re.search(r"[\u3040-\u30ff]", body)
    [japanese] = smtp.to(EXPORTER)
    assert japanese.get_content().startswith("山田 太郎 様\n")
    assert "【" in japanese["Subject"] and "同意" in japanese.get_content()
    # the row keeps the words it was sent with
    kept = {n.recipient_email: rendered(n) for n in notices(kind="consented")}
    assert kept[COLLEAGUE].body == body and kept[COLLEAGUE].subject == english["Subject"]
    assert all(n.body is not None for n in notices(kind="consented"))


def test_a_template_error_on_one_row_is_that_rows_failure_alone(people, smtp):
    submitted(people)
    broken, intact = notices()
    # a value the template cannot format (a date that is not one)
    broken.values = {**broken.values, "valid_from": "not a date"}
    db.session.commit()

    report = deliver_pending()

    assert (report.sent, report.failed, report.stopped) == (1, 1, None)
    assert smtp.recipients == [intact.recipient_email]
    row = db.session.get(Notice, broken.id)
    assert row.attempts == 1 and row.sent_at is None and row.last_error
    assert row.body is None  # nothing half-rendered is kept; the next attempt renders again


def test_every_attempt_of_a_notice_sends_the_same_message_id_and_words(people, smtp):
    people.moe_en.active = False  # one notice: to MOE
    db.session.commit()
    submitted(people)
    assert deliver_pending().sent == 1
    # the acceptance window: the server took the message, the outcome was never recorded
    [notice] = notices()
    notice.sent_at, notice.next_attempt_at = None, utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert deliver_pending().sent == 1

    first, again = smtp.messages
    assert first["Message-ID"] == again["Message-ID"]
    assert (first["Subject"], first.get_content()) == (again["Subject"], again.get_content())

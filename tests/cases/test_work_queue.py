"""The officials' work queue lists what the viewer must do, naming the action; deadlines say
their time zone; a submitted case shows MOE its review deadline."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.cases import runner
from app.cases.models import Deadline
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.extensions import db
from app.timeutil import today_in_japan, utcnow
from tests.factories import login, make_user


@pytest.fixture
def people(app):
    return {"exporter": make_user("exporter"), "moe": make_user("official_moe"),
            "meti": make_user("official_meti")}


def fire(case, event, actor, **payload):
    return runner.fire(case.id, event, actor=actor, payload=payload)


def submitted(people):
    case = complete_export(people["exporter"])
    fire(case, "submit", people["exporter"])
    return case


def consent_complete(people):
    moe, today = people["moe"], today_in_japan()
    case = submitted(people)
    fire(case, "start_review", moe)
    fire(case, "confirm_contract", moe)
    fire(case, "approve_transmission", moe)
    fire(case, "record_acknowledgement", moe, country="US", received_on=today.isoformat())
    fire(case, "record_consent", moe, country="US", received_on=today.isoformat(),
         valid_from=(today + timedelta(days=10)).isoformat(),
         valid_to=(today + timedelta(days=300)).isoformat(),
         document=Upload("consent.pdf", "application/pdf", PDF))
    assert case.state == "CONSENT_COMPLETE"
    return case


def queue_rows(client) -> dict[str, str]:
    """case reference -> the text of its row."""
    html = client.get("/queue").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    return {m.group(1): row for row in rows
            if (m := re.search(r'href="/cases/\d+">([^<]+)</a>', row))}


def test_moe_queue_names_the_action_and_leaves_out_cases_moe_only_could_revoke(
        client, people):
    waiting = submitted(people)
    approved = consent_complete(people)
    fire(approved, "record_export_approval", people["meti"], approval_no="METI-9",
         approval_date=today_in_japan().isoformat())
    assert approved.state == "EXPORT_AUTHORISED"  # MOE could only revoke it now
    login(client, people["moe"])
    rows = queue_rows(client)
    assert waiting.reference in rows
    assert "Start review" in rows[waiting.reference]
    assert approved.reference not in rows


def test_meti_queue_holds_only_the_approval_it_must_record(client, people):
    waiting = submitted(people)
    complete = consent_complete(people)
    login(client, people["meti"])
    rows = queue_rows(client)
    assert waiting.reference not in rows
    assert "Record export approval (METI)" in rows[complete.reference]


def test_a_submitted_case_shows_moe_its_review_deadline_in_jst(client, people):
    case = submitted(people)
    login(client, people["moe"])
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    deadlines = html.split('class="deadlines"', 1)[1].split("</ul>", 1)[0]
    assert "Review due" in deadlines
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d JST", deadlines)
    assert re.search(r"\d\d:\d\d JST", queue_rows(client)[case.reference])


def test_the_review_deadline_ends_when_moe_returns_the_case(client, people):
    case = submitted(people)
    fire(case, "return_for_correction", people["moe"], reason="Block 12 is empty.")
    login(client, people["moe"])
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Review due" not in html


def raise_alarm(case) -> None:
    """An overdue receipt the sweep has raised an alarm for (it stays until cleared)."""
    late = utcnow() - timedelta(days=2)
    db.session.add(Deadline(case_id=case.id, kind="receipt_overdue", due_at=late,
                            fired_at=late, outcome="alarm"))
    db.session.commit()


def test_overdue_cases_come_first_saying_so_and_each_action_links_to_its_form(client, people):
    quiet = submitted(people)
    late = submitted(people)
    raise_alarm(late)
    done = consent_complete(people)
    fire(done, "record_export_approval", people["meti"], approval_no="METI-9",
         approval_date=today_in_japan().isoformat())
    raise_alarm(done)  # nothing left for MOE to do in it, but a deadline is overdue
    login(client, people["moe"])
    rows = queue_rows(client)
    assert set(list(rows)[:2]) == {late.reference, done.reference}
    assert quiet.reference in rows
    assert "⚠ 1 overdue" in rows[late.reference]
    assert f'href="/cases/{late.id}#event-start_review">Start review</a>' \
        in rows[late.reference]
    assert "Follow up the overdue deadline" in rows[done.reference]
    assert "Follow up the overdue deadline" not in rows[late.reference]
    assert re.search(r"\d+ day\(s\) left|due today", rows[quiet.reference])
    assert "⚠" not in rows[quiet.reference]

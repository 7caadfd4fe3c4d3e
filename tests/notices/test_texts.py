"""Every notice kind has a template, renders in Japanese and English, and reads as plain text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.notices.messages import case_url, render
from app.notices.recipients import RULES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notices"
KINDS = sorted(p.stem for p in TEMPLATES.glob("*.html") if not p.stem.startswith("_"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

VALUES = {
    "recipient_name": "Dana Miller", "ref": "JP2026000042", "case_type": "basel_export",
    "procedure": "Basel export notification", "event": "record_consent",
    "state": "CONSENT_COMPLETE", "actor_name": "Kim <kim@example.com>",
    "actor_role": "official_moe", "reason": "A & B < C", "reason_label": "Reason",
    "conditions": "Ship via Busan only.", "country": "KR", "approval_no": None,
    "valid_from": date(2027, 1, 1), "valid_to": date(2027, 12, 31),
    "deadline": {"kind": "acknowledgement", "country": "KR",
                 "due": datetime(2027, 1, 5, 14, 59, tzinfo=UTC)},
    "link": "https://eproc.example.go.jp/cases/42",
}


def test_every_kind_a_rule_or_deadline_writes_has_a_template():
    #: written by a procedure's own receiver (scrap-yard renewal reminders), not by RULES
    own = {"yard_renewal_reminder"}
    assert {r.kind for r in RULES} | {"deadline_overdue", "deadline_approaching"} | own == \
        set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_in_both_languages(app, kind):
    subject_en, body_en = render(kind, "en", **VALUES)
    subject_ja, body_ja = render(kind, "ja", **VALUES)

    assert subject_en.startswith("JP2026000042: ") and not JAPANESE.search(subject_en)
    assert subject_ja.startswith("【JP2026000042】") and JAPANESE.search(subject_ja)
    assert body_en.startswith("Dear Dana Miller,\n\n") and not JAPANESE.search(body_en)
    assert body_ja.startswith("Dana Miller 様\n\n")
    for body in (body_en, body_ja):
        assert "https://eproc.example.go.jp/cases/42\n" in body
        assert "\n\n\n" not in body and body.endswith("\n")
        assert "&amp;" not in body and "&lt;" not in body  # plain text, not HTML
    # every sentence of the Japanese text is translated: no English line but the values
    values = {"Dana Miller", "JP2026000042", "A & B < C", "Ship via Busan only.",
              "https://eproc.example.go.jp/cases/42", "--"}
    english = [line for line in body_ja.splitlines()
               if line and line not in values and not JAPANESE.search(line)]
    assert english == []


def test_transition_details_appear_with_their_labels(app):
    _subject, body = render("consented", "en", **VALUES)
    assert "Acted by: Kim <kim@example.com> (MOE official)\n" in body
    assert "Authority: Korea" in body
    assert "Valid from: 2027-01-01\nValid until: 2027-12-31\n" in body
    assert "Reason:\nA & B < C\n" in body and "Conditions:\nShip via Busan only.\n" in body
    # the deadline in Japan's time, with its zone spelt out
    assert "Next deadline: Acknowledgement due (" in body
    assert ", 2027-01-05 23:59 Japan Standard Time\n" in body


def test_the_link_is_absolute_from_public_base_url(app):
    saved = app.config.get("PUBLIC_BASE_URL")
    try:
        app.config["PUBLIC_BASE_URL"] = None  # not configured: the default
        assert case_url(7) == "http://127.0.0.1:5000/cases/7"
        app.config["PUBLIC_BASE_URL"] = "https://eproc.env.go.jp/app/"
        assert case_url(7) == "https://eproc.env.go.jp/app/cases/7"
    finally:
        app.config["PUBLIC_BASE_URL"] = saved

"""The case timeline as its readers see it: newest first, each event with its time, label,
actor, the change of state, and the remark its reader may read (an internal one marked)."""

from __future__ import annotations

import re

import pytest

from app.cases import runner
from app.demo.samples import complete_export
from tests.factories import login, make_user

REVIEW_REMARK = "Two earlier refusals on file"
RETURN_REMARK = "Box 9: the operation code is missing"


@pytest.fixture
def returned(app):
    """An export submitted, taken into review with a remark (internal by policy) and
    returned to the exporter with one the exporter reads."""
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter)
    runner.fire(case.id, "start_review", actor=moe, payload={"reason": REVIEW_REMARK})
    runner.fire(case.id, "return_for_correction", actor=moe,
                payload={"reason": RETURN_REMARK})
    return {"case": case, "exporter": exporter, "moe": moe}


def timeline_items(client, case_id: int, lang: str = "en") -> list[str]:
    """Each timeline item's text, blanks folded, newest first as the page lists them."""
    html = client.get(f"/cases/{case_id}", headers={"Accept-Language": lang}
                      ).get_data(as_text=True)
    items = re.findall(r"<li data-event=\"[^\"]+\">(.*?)</li>",
                       re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_the_official_reads_every_step_newest_first_with_the_internal_remark_marked(
        client, returned):
    moe = returned["moe"]
    login(client, moe)
    items = timeline_items(client, returned["case"].id)
    returned_item, review_item, submitted_item = items[:3]
    _when, text = re.fullmatch(r"(\d{4}-\d\d-\d\d \d\d:\d\d JST) (.*)", returned_item).groups()
    assert text == (f"Return for correction {moe.name} ({moe.organisation.name}) · MOE "
                    f"official Under review (MOE) → Returned for correction {RETURN_REMARK}")
    assert review_item.endswith(f"Submitted → Under review (MOE) Internal remark {REVIEW_REMARK}")
    assert "Draft → Submitted" in submitted_item and "number JP" in submitted_item
    assert items[-1].split(" JST ")[1].startswith("Draft created")


def test_the_exporter_reads_the_return_but_not_the_internal_remark(client, returned):
    login(client, returned["exporter"])
    items = timeline_items(client, returned["case"].id)
    assert items[0].endswith(f"Under review (MOE) → Returned for correction {RETURN_REMARK}")
    assert "Submitted → Under review (MOE)" in items[1]
    assert REVIEW_REMARK not in " ".join(items) and "Internal remark" not in " ".join(items)


def test_the_timeline_speaks_the_readers_language(client, returned):
    login(client, returned["exporter"])
    item = timeline_items(client, returned["case"].id, lang="ja")[0]
    assert " JST 補正のため差戻し " in item and "→ 補正のため差戻し" in item, item
    assert "Return for correction" not in item and "MOE official" not in item

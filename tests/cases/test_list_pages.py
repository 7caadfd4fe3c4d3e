"""Case lists read a page at a time: the order holds across pages (alarms, then the nearest
deadline, then cases without one), the count says "or more" beyond its cap, and a search by
part of a Japanese company name still finds the case."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.basel.models import Party
from app.cases import list_order, queries, runner
from app.cases.models import Deadline
from app.demo.samples import complete_export
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import login, make_user


@pytest.fixture
def people(app):
    return {"exporter": make_user("exporter"), "moe": make_user("official_moe")}


def submitted(people, count: int) -> list:
    cases = []
    for _ in range(count):
        case = complete_export(people["exporter"])
        runner.fire(case.id, "submit", actor=people["exporter"], payload={})
        cases.append(case)
    return cases


def listed(client, **params) -> tuple[list[str], str]:
    """The case references in list order, and the count line."""
    html = client.get("/cases", query_string=params).get_data(as_text=True)
    count = re.search(r'<p class="count">(.*?)</p>', html, re.S).group(1)
    return re.findall(r'href="/cases/\d+">([^<]+)</a>', html), count


def set_deadlines(case, *, due_in_days: int | None, alarm: bool = False) -> None:
    """Leave the case one open deadline due in that many days (or none), and an alarm."""
    for deadline in db.session.query(Deadline).filter_by(case_id=case.id):
        deadline.cleared_at = utcnow()
    now = utcnow()
    if due_in_days is not None:
        db.session.add(Deadline(case_id=case.id, kind="acknowledgement",
                                due_at=now + timedelta(days=due_in_days)))
    if alarm:
        db.session.add(Deadline(case_id=case.id, kind="receipt", due_at=now - timedelta(days=1),
                                fired_at=now, outcome="alarm"))
    db.session.commit()


def test_the_order_holds_across_pages(client, people, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    late, none, alarmed, soon, later = submitted(people, 5)
    set_deadlines(late, due_in_days=30)
    set_deadlines(none, due_in_days=None)
    set_deadlines(alarmed, due_in_days=40, alarm=True)
    set_deadlines(soon, due_in_days=2)
    set_deadlines(later, due_in_days=20)
    login(client, people["moe"])
    pages = [listed(client, page=p)[0] for p in (1, 2, 3, 4)]
    assert pages == [[alarmed.number, soon.number], [later.number, late.number],
                     [none.number], []]


def test_a_long_list_says_or_more_and_still_offers_the_next_page(client, people,
                                                                   monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    monkeypatch.setattr(list_order, "COUNT_CAP", 2)
    submitted(people, 3)
    login(client, people["moe"])
    first, count = listed(client)
    assert len(first) == 2
    assert "2 or more cases" in count
    assert ">Next<" in client.get("/cases").get_data(as_text=True)
    last, count = listed(client, page=2)
    assert len(last) == 1 and "3 case(s)" in count  # the last page knows the length


def test_part_of_a_japanese_company_name_finds_the_case(client, people):
    case, other = submitted(people, 2)
    party = db.session.query(Party).filter_by(case_id=case.id, role="facility").one()
    party.name = "大阪リサイクル株式会社"
    db.session.commit()
    login(client, people["moe"])
    assert listed(client, q="大阪")[0] == [case.number]
    assert listed(client, q="リサイクル株式")[0] == [case.number]


def test_a_code_typed_whole_counts_or_more_and_a_rarer_one_exactly(client, people,
                                                                     monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    monkeypatch.setattr(list_order, "COUNT_CAP", 2)
    boards = submitted(people, 3)  # printed circuit boards: A1181
    battery = complete_export(people["exporter"], waste="battery")  # A1160
    runner.fire(battery.id, "submit", actor=people["exporter"], payload={})
    login(client, people["moe"])

    found, count = listed(client, q="a1181")
    assert "2 or more cases" in count
    rest, count = listed(client, q="A1181", page=2)
    assert set(found) | set(rest) == {c.number for c in boards} and "3 case(s)" in count
    assert listed(client, q="A1160") == ([battery.number], "1 case(s)")


def test_a_chosen_code_counts_or_more_and_exactly_behind_drafts_no_official_sees(
        client, people, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    monkeypatch.setattr(list_order, "COUNT_CAP", 2)
    drafts = [complete_export(people["exporter"]) for _ in range(7)]  # A1181, not submitted
    boards = submitted(people, 1)
    login(client, people["moe"])
    # the first ids the codes give are drafts the official does not see: counted exactly
    assert listed(client, code="A1181") == ([boards[0].number], "1 case(s)")

    boards += submitted(people, 2)
    found, count = listed(client, code="A1181")
    assert "2 or more cases" in count
    rest, count = listed(client, code="A1181", page=2)
    assert set(found) | set(rest) == {c.number for c in boards} and "3 case(s)" in count
    assert not {d.number for d in drafts} & set(found + rest)


def test_a_whole_number_finds_its_case_only(client, people):
    case, _other = submitted(people, 2)
    login(client, people["moe"])
    assert listed(client, q=case.number.lower()) == ([case.number], "1 case(s)")


def test_a_number_another_organisation_filed_stays_hidden(client, people):
    case = submitted(people, 1)[0]
    stranger = make_user("exporter")
    login(client, stranger)
    assert listed(client, q=case.number) == ([], "0 case(s)")


def test_the_csv_streams_every_matching_case(client, people):
    cases = submitted(people, 3)
    login(client, people["moe"])
    response = client.get("/cases.csv")
    assert response.is_streamed
    text = response.get_data(as_text=True)
    assert all(case.number in text for case in cases)
    assert len(text.strip().splitlines()) == 4  # the header and one row per case


def test_the_country_filter_keeps_the_chosen_country_named_in_the_readers_language(
        client, people):
    login(client, people["moe"])

    def offered(**headers) -> list[tuple[str, str, str]]:
        html = client.get("/cases", query_string={"country": "CA"}, headers=headers
                          ).get_data(as_text=True)
        return re.findall(r'<option value="([A-Z]{2})"( selected)?>([^<]*)</option>', html)

    english = offered(**{"Accept-Language": "en"})
    assert [o for o in english if o[1]] == [("CA", " selected", "Canada")]
    assert ("CI", "", "Côte d&#39;Ivoire") in english  # the apostrophe escaped
    names = [name for _, _, name in english]
    assert names.index("Canada") < names.index("Japan") < names.index("United States")
    japanese = offered(**{"Accept-Language": "ja"})
    assert [o for o in japanese if o[1]] == [("CA", " selected", "カナダ")]
    assert len(japanese) == len(english) > 200

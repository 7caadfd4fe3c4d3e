"""The dashboard's whole-history indicators (lead times, e-scrap tonnage) as the scheduler
keeps them: shown with their time, the same figures as computed live, and never when the
scheduler has stopped long enough for them to be old."""

from __future__ import annotations

import threading
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.measures import snapshot
from app.measures.models import IndicatorSnapshot
from app.measures.tonnage import escrap_tonnage
from app.scheduler import jobs
from app.timeutil import TOKYO, utcnow
from tests.documents.pdfs import text_of
from tests.threads import at_once

from .reading import csv_rows, shown_figures

DASHBOARD = "/measures/dashboard?year=2026"


def _shown(client) -> tuple[dict[str, str], str]:
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return shown_figures(html), html


def _csv(client) -> dict[str, dict[str, str]]:
    return {row["key"]: row for row in csv_rows(client.get("/measures/dashboard.csv?year=2026"))}


def _refresh(app) -> str:
    job = next(j for j in jobs.registered_jobs(app.config) if j.name == "measures.indicators")
    db.session.rollback()
    return str(jobs.run_job(app, job))


def _one_more_consent(data) -> None:
    # a consent 3 days after submission (with the shipments' KR export: 0, 27, 30, 70 kept)
    data.pic("basel_export", "2026-09-01 09:00", {"EXPORT_AUTHORISED": "2026-09-04 10:00"})
    db.session.commit()


def test_the_dashboard_shows_the_kept_figures_and_says_as_of_when(app, client, official,
                                                                  data, pic_cases, shipments):
    live, html = _shown(client)
    assert 'id="as-of"' not in html  # nothing kept yet: computed for the page

    assert _refresh(app).startswith("lead times of 2 fiscal year(s), tonnage of 2")
    kept, html = _shown(client)
    assert kept == live  # the same figures, the kilograms of the tonnage included
    assert kept["escrap_import_tonnes:TW:A1181"] == "22.750"
    as_of = db.session.scalar(select(IndicatorSnapshot.computed_at))
    assert 'id="as-of"' in html and "recomputed every 10 minutes" in html
    printed = text_of(client.get("/measures/dashboard.pdf?year=2026").data)
    assert "recomputed every 10 minutes" in " ".join(printed.split())  # the PDF says it too

    _one_more_consent(data)
    shown, _html = _shown(client)
    assert shown["pic_cases_consented"] == live["pic_cases_consented"] == "4"  # as of then
    rows = _csv(client)
    assert rows["pic_cases_consented"]["value"] == "4"
    assert rows["pic_cases_consented"]["as_of"] == as_of.astimezone(TOKYO).strftime(
        "%Y-%m-%d %H:%M")

    _refresh(app)
    shown, _html = _shown(client)
    assert shown["pic_cases_consented"] == "5"
    assert shown["pic_japan_consent_median_calendar_days"] == "27.0"  # 0 3 27 30 70
    assert db.session.scalar(select(db.func.count()).select_from(IndicatorSnapshot)) == 2


def test_kept_figures_twice_the_interval_old_are_not_shown(app, client, official, data,
                                                           pic_cases, monkeypatch):
    monkeypatch.setitem(app.config, "MEASURES_REFRESH_MINUTES", 15)
    _refresh(app)
    _one_more_consent(data)
    with time_machine.travel(utcnow() + timedelta(minutes=29)):
        shown, html = _shown(client)
    assert shown["pic_cases_consented"] == "3" and "every 15 minutes" in html
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        shown, html = _shown(client)
    assert shown["pic_cases_consented"] == "4"  # computed for the page: the scheduler stopped
    assert 'id="as-of"' not in html


def test_the_scheduler_keeps_the_last_two(app, data, pic_cases, monkeypatch):
    monkeypatch.setitem(app.config, "MEASURES_REFRESH_MINUTES", 5)
    job = next(j for j in jobs.registered_jobs(app.config) if j.name == "measures.indicators")
    assert job.seconds == 300
    for _ in range(4):
        _refresh(app)
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(IndicatorSnapshot)) == 2


def test_a_write_committed_while_the_job_reads_does_not_fail_it(app, data, pic_cases,
                                                               monkeypatch):
    # a second scheduler (or any writer) commits between the job's reads and its write: on
    # SQLite the write must not be refused as "database is locked"
    def tonnage_then_another_writer():
        found = escrap_tonnage()
        with db.engine.connect() as other:
            other.execute(IndicatorSnapshot.__table__.insert().values(
                computed_at=utcnow(), body={"lead_times": {}, "tonnage": {}}))
            other.commit()
        return found

    monkeypatch.setattr(snapshot, "escrap_tonnage", tonnage_then_another_writer)
    assert _refresh(app).startswith("lead times of 2 fiscal year(s)")
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(IndicatorSnapshot)) == 2


def test_two_schedulers_refreshing_at_once_both_succeed(app, data, pic_cases, monkeypatch):
    # two scheduler processes (one per host) run the job at the same moment: both reach the
    # write together; neither fails, and what is kept is complete
    both_computed = threading.Barrier(2, timeout=30)

    def tonnage_then_wait():
        found = escrap_tonnage()
        both_computed.wait()
        return found

    monkeypatch.setattr(snapshot, "escrap_tonnage", tonnage_then_wait)
    db.session.rollback()
    assert len(at_once(app, [snapshot.refresh, snapshot.refresh])) == 2
    kept = db.session.scalars(select(IndicatorSnapshot)).all()
    assert 1 <= len(kept) <= 2
    assert all(row.body["lead_times"]["2026"]["cases"] == 3 for row in kept)

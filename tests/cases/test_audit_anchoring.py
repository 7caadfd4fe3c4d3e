"""The audit trail resists more than edits: truncation, deletion, reordering, recomputation
without the MAC key and forged checkpoints are each reported by `flask audit verify` with the
case and the first bad event, through the real CLI on both databases."""

from __future__ import annotations

import hashlib
import json
import secrets

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select, text

from app import create_app
from app.cases import runner
from app.cases.audit import compute_hash
from app.cases.audit_keys import AuditKeyError
from app.cases.models import AuditCheckpoint, Case, CaseEvent
from app.demo.samples import complete_export
from app.extensions import db
from app.scheduler import jobs
from tests.factories import make_user


@pytest.fixture
def cli(app):
    runner_ = app.test_cli_runner()

    def invoke(*args):
        db.session.rollback()  # the CLI reads what is committed
        result = runner_.invoke(args=["audit", *args])
        db.session.rollback()
        return result

    return invoke


@pytest.fixture
def submitted(app):
    """Two submitted cases (numbers given), then a checkpoint of their chains."""
    exporter = make_user("exporter")
    cases = []
    for _ in range(2):
        case = complete_export(exporter)
        runner.fire(case.id, "submit", actor=exporter)
        cases.append((case.id, case.number))
    return cases


def checkpoint(cli):
    result = cli("checkpoint")
    assert result.exit_code == 0, result.output
    return result


def last_seq(case_id: int) -> int:
    return db.session.scalar(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case_id))


def assert_tampered(result, number: str, seq: int, words: str) -> None:
    assert result.exit_code == 1, result.output
    assert f"TAMPERED {number} event {seq}: {words}" in result.output, result.output


def test_an_untouched_database_verifies_clean(app, cli, submitted):
    checkpoint(cli)
    exporter = db.session.get(Case, submitted[0][0]).created_by
    runner.fire(submitted[0][0], "withdraw", actor=exporter, payload={"reason": "plans"})
    checkpoint(cli)  # the case moved on between the two checkpoints
    result = cli("verify")
    assert result.exit_code == 0, result.output
    assert "2 case(s) checked, 0 with a broken audit chain" in result.output
    assert "2 checkpoint(s) read, 0 forged" in result.output


def test_an_edited_event_is_reported(app, cli, submitted):
    case_id, number = submitted[0]
    checkpoint(cli)
    db.session.execute(text("UPDATE case_events SET reason = 'x' WHERE case_id = :c AND seq = 2"),
                       {"c": case_id})
    db.session.commit()
    assert_tampered(cli("verify"), number, 2, "content changed")


def test_cutting_off_the_last_events_is_reported(app, cli, submitted):
    case_id, number = submitted[0]
    checkpoint(cli)
    head = last_seq(case_id)
    db.session.execute(text("DELETE FROM case_events WHERE case_id = :c AND seq >= :s"),
                       {"c": case_id, "s": head - 1})
    db.session.commit()
    assert_tampered(cli("verify"), number, head - 1, "truncated")


def test_deleting_a_whole_case_with_its_events_is_reported(app, cli, submitted):
    case_id, number = submitted[1]
    checkpoint(cli)
    delete_case_everywhere(case_id)
    result = cli("verify")
    assert_tampered(result, number, 1, "deleted")
    assert "1 case(s) checked" in result.output
    assert_tampered(cli("verify", number), number, 1, "deleted")  # asked for by its number


def test_reordered_events_are_reported(app, cli, submitted):
    case_id, number = submitted[0]
    checkpoint(cli)
    swap = "UPDATE case_events SET seq = :new WHERE case_id = :c AND seq = :old"
    for old, new in ((2, -1), (3, 2), (-1, 3)):
        db.session.execute(text(swap), {"c": case_id, "old": old, "new": new})
    db.session.commit()
    assert_tampered(cli("verify"), number, 2, "out of order")


def test_a_chain_recomputed_without_the_key_is_reported(app, cli, submitted):
    """The attacker knows the hash recipe (SHA-256 over the content) but not the MAC key."""
    case_id, number = submitted[0]
    checkpoint(cli)
    recompute_from(case_id, 2, reason="approved by nobody")
    result = cli("verify")
    assert_tampered(result, number, 2, "MAC does not verify")
    assert f"TAMPERED {number} event {last_seq(case_id)}: differs from the checkpoint" \
        in result.output


def test_a_recomputed_chain_is_caught_even_after_the_last_checkpoint(app, cli, submitted):
    case_id, number = submitted[0]
    recompute_from(case_id, 3, reason="rewritten before any checkpoint")
    assert_tampered(cli("verify"), number, 3, "MAC does not verify")


def test_stripping_the_macs_of_new_events_is_reported(app, cli, submitted):
    case_id, number = submitted[0]
    checkpoint(cli)
    db.session.execute(text("UPDATE case_events SET mac = NULL, mac_key_id = NULL "
                            "WHERE case_id = :c"), {"c": case_id})
    exporter = db.session.get(Case, case_id).created_by
    db.session.commit()
    runner.fire(case_id, "withdraw", actor=exporter, payload={"reason": "changed plans"})
    head = last_seq(case_id)
    db.session.execute(text("UPDATE case_events SET mac = NULL, mac_key_id = NULL "
                            "WHERE case_id = :c AND seq = :s"), {"c": case_id, "s": head})
    db.session.commit()
    assert_tampered(cli("verify"), number, head, "no MAC")


def test_a_forged_checkpoint_is_reported_and_not_trusted(app, cli, submitted):
    case_id, number = submitted[0]
    checkpoint(cli)
    row = db.session.scalars(select(AuditCheckpoint)).one()
    heads = json.loads(row.heads)
    heads = [h for h in heads if h[0] != submitted[1][0]]  # hide the other case from it
    forged = json.dumps(heads, separators=(",", ":"))
    db.session.execute(text("UPDATE audit_checkpoints SET heads = :h, heads_digest = :d, "
                            "case_count = :n WHERE id = :id"),
                       {"h": forged, "d": hashlib.sha256(forged.encode()).hexdigest(),
                        "n": len(heads), "id": row.id})
    db.session.commit()
    result = cli("verify")
    assert result.exit_code == 1, result.output
    assert f"FORGED checkpoint {row.id}" in result.output
    assert "1 checkpoint(s) read, 1 forged" in result.output


def test_legacy_events_are_reported_only_when_asked_and_sealed_once(app, cli, submitted):
    case_id, number = submitted[0]
    db.session.execute(text("UPDATE case_events SET mac = NULL, mac_key_id = NULL"))
    db.session.commit()  # as the rows written before the MAC existed
    plain = cli("verify")
    assert plain.exit_code == 0 and "not MAC-protected" not in plain.output
    asked = cli("verify", "--unsealed")
    assert asked.exit_code == 0, asked.output
    assert f"UNSEALED {number} events 1-{last_seq(case_id)}: not MAC-protected" in asked.output

    sealed = cli("seal")
    total = db.session.scalar(select(func.count()).select_from(CaseEvent))
    assert sealed.exit_code == 0 and f"{total} event(s) sealed" in sealed.output
    assert "not MAC-protected" not in cli("verify", "--unsealed").output
    assert "0 event(s) sealed" in cli("seal").output
    recompute_from(case_id, 2, reason="sealed events are protected now")
    assert_tampered(cli("verify"), number, 2, "MAC does not verify")


def test_the_key_can_be_rotated(app, cli, submitted, monkeypatch):
    case_id, number = submitted[0]
    old = app.config["AUDIT_MAC_KEYS"]
    new_key = f"k2026:{secrets.token_hex(32)}"
    monkeypatch.setitem(app.config, "AUDIT_MAC_KEYS", f"{new_key},{old}")
    exporter = db.session.get(Case, case_id).created_by
    runner.fire(case_id, "withdraw", actor=exporter, payload={"reason": "rotated"})
    checkpoint(cli)
    assert cli("verify").exit_code == 0
    key_ids = db.session.scalars(select(CaseEvent.mac_key_id).where(CaseEvent.case_id == case_id)
                                 .order_by(CaseEvent.seq)).all()
    assert key_ids[-1] == "k2026" and key_ids[0] == old.split(":")[0]

    monkeypatch.setitem(app.config, "AUDIT_MAC_KEYS", new_key)  # the old key dropped too soon
    assert_tampered(cli("verify"), number, 1, "unknown MAC key")


def test_the_scheduler_job_writes_checkpoints_and_keeps_the_last_n(app, submitted, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINTS_KEPT", 3)
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_MINUTES", 15)
    job = next(j for j in jobs.registered_jobs(app.config) if j.name == "audit.checkpoint")
    assert job.seconds == 15 * 60
    db.session.rollback()
    reports = [str(jobs.run_job(app, job)) for _ in range(5)]
    assert reports[-1].startswith("checkpoint of 2 case(s) written")
    db.session.rollback()
    kept = db.session.scalars(select(AuditCheckpoint.id).order_by(AuditCheckpoint.id)).all()
    assert len(kept) == 3
    assert kept[-1] == db.session.scalar(select(func.max(AuditCheckpoint.id)))


def test_a_checkpoint_takes_the_same_statements_for_any_number_of_cases(app, cli, submitted):
    from app.cases.checkpoints import write_checkpoint

    def statements_of_one_checkpoint() -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            write_checkpoint()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return sum(s.lstrip().upper().startswith("SELECT") for s in seen)

    with_two = statements_of_one_checkpoint()
    exporter = make_user("exporter")
    for _ in range(3):
        complete_export(exporter)
    assert statements_of_one_checkpoint() == with_two


def test_production_does_not_start_without_a_usable_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "production-secret")
    monkeypatch.delenv("AUDIT_MAC_KEYS", raising=False)
    with pytest.raises(RuntimeError, match="AUDIT_MAC_KEYS is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("AUDIT_MAC_KEYS", "k1:00ff")
    with pytest.raises(AuditKeyError, match="shorter than 32 bytes"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("AUDIT_MAC_KEYS", f"k1:{secrets.token_hex(32)}")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["APP_ENV"] == "production"


# --- what an attacker with database access does ----------------------------------------------

def recompute_from(case_id: int, seq: int, **changes) -> None:
    """Rewrite event `seq` and recompute every hash after it with the public recipe (SHA-256),
    leaving the MACs as they were: the attacker has the database, not the key."""
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                .order_by(CaseEvent.seq)).all()
    for name, value in changes.items():
        setattr(events[seq - 1], name, value)
    for previous, event in zip(events[seq - 2:], events[seq - 1:], strict=False):
        event.prev_hash = previous.hash
        event.hash = compute_hash(event)
    db.session.commit()


def delete_case_everywhere(case_id: int) -> None:
    """Every row that points at the case (or at such a row), children first, then the case."""
    tables = [t for t in db.metadata.sorted_tables if t.name != "cases"]
    referenced = {(fk.column.table.name, fk.column.name)
                  for table in db.metadata.sorted_tables for fk in table.foreign_keys}
    doomed: dict[tuple[str, str], set] = {("cases", "id"): {case_id}}
    matches = []
    for table in tables:  # parents before children: collect what points at doomed rows
        for fk in table.foreign_keys:
            values = doomed.get((fk.column.table.name, fk.column.name))
            if not values:
                continue
            condition = fk.parent.in_(values)
            matches.append((table, condition))
            for row in db.session.execute(select(table).where(condition)).mappings():
                for name in row.keys() & {column for owner, column in referenced
                                          if owner == table.name}:
                    doomed.setdefault((table.name, name), set()).add(row[name])
    for table, condition in reversed(matches):
        db.session.execute(sa.delete(table).where(condition))
    db.session.execute(sa.delete(Case).where(Case.id == case_id))
    db.session.commit()

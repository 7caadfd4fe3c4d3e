"""The audit chain detects tampering; the CLI entry points others rely on work."""

from __future__ import annotations

from sqlalchemy import select, text

from app.auth.models import ApiToken
from app.cases import runner
from app.cases.models import CaseEvent
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import make_user


def test_audit_verify_reports_an_edited_event(app):
    exporter = make_user("exporter")
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter)
    cli = app.test_cli_runner()
    intact = cli.invoke(args=["audit", "verify", case.number])
    assert intact.exit_code == 0 and "0 with a broken audit chain" in intact.output

    third = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                      CaseEvent.seq == 3))
    db.session.execute(text("UPDATE case_events SET reason = 'nothing to see' WHERE id = :id"),
                       {"id": third.id})
    db.session.commit()
    broken = cli.invoke(args=["audit", "verify", case.number])
    assert broken.exit_code == 1
    assert f"TAMPERED {case.number} event 3: content changed" in broken.output


def test_audit_verify_reports_a_removed_event(app):
    exporter = make_user("exporter")
    case = complete_export(exporter)
    db.session.execute(text("DELETE FROM case_events WHERE case_id = :c AND seq = 2"),
                       {"c": case.id})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify", case.reference])
    assert result.exit_code == 1 and "sequence gap" in result.output


def test_tokens_create_prints_a_working_token_stored_only_as_hash(app, client):
    user = make_user("official_moe")
    result = app.test_cli_runner().invoke(args=["tokens", "create", user.email])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("jpe_")
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token not in (stored.token_hash, stored.prefix)
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_tokens_create_for_unknown_user_fails_clearly(app):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "nobody@example.com"])
    assert result.exit_code != 0 and "no user" in result.output

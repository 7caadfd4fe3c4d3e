"""The people who must act hear of it: MOE when a check is filed, the exporter when MOE asks
or decides."""

from __future__ import annotations

from sqlalchemy import select

from app.cases import runner
from app.extensions import db
from app.notices.models import Notice

from .conftest import confirmed, file_check, review, submit, version


def _kinds(user) -> list[str]:
    return list(db.session.scalars(select(Notice.kind)
                                   .where(Notice.recipient_user_id == user.id)))


def test_moe_is_told_of_a_filed_check(people):
    submit(file_check(people["exporter"]), people["exporter"])
    assert _kinds(people["moe"]) == ["check_submitted"]
    assert _kinds(people["exporter"]) == []  # not for one's own action


def test_exporter_is_told_of_questions_and_the_decision(people):
    case = review(submit(file_check(people["exporter"]), people["exporter"]), people["moe"])
    runner.fire(case.id, "request_information", actor=people["moe"],
                expected_version=version(case.id), payload={"reason": "The invoice, please."})
    assert "check_information_requested" in _kinds(people["colleague"])
    confirmed(people)
    assert "check_decided" in _kinds(people["exporter"])

"""The export check's side of each transition: payloads, domain rows, facts, numbers."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import Schema, fields
from sqlalchemy import false, true

from app.calendars.working_days import add_period, end_of_day
from app.cases import deadlines
from app.cases.handlers import TransitionContext, invalid
from app.cases.models import Case
from app.cases.numbering import next_number
from app.cases.plausibility import run
from app.cases.uploads import DocumentField
from app.extensions import db
from app.input_fields import FreeText, Name
from app.reference import lookups
from app.timeutil import today_in_japan, utcnow
from workflows.base import CA_JAPAN, NOTIFIER

from .completeness import missing_items
from .models import ExportCheck, ExportCheckEvidence

VALIDITY_RULE = ("JP-UEC", "certificate_max_validity")
DECISIONS = ("confirm", "confirm_partly")
#: export checks are numbered in a series of their own per year, apart from the Basel
#: notifications' JP numbers (the sequence row "UE" per year)
NUMBER_PREFIX, NUMBER_TEMPLATE = "UE", "UE{year}{serial:06d}"
#: the deadline row that ends a certificate's validity (the `expire` system event)
CERTIFICATE_EXPIRY = "certificate_expiry"


def _schema(**extra) -> Schema:
    return Schema.from_dict({"reason": FreeText(load_default=None, allow_none=True),
                             "internal_remark": fields.Boolean(load_default=False), **extra},
                            name="ExportCheckEvent")()


SCHEMAS = {
    "record_inspection": lambda: _schema(
        inspected_on=fields.Date(required=True), inspector=Name(required=True, max_length=200),
        findings=FreeText(load_default=None, allow_none=True),
        document=DocumentField(load_default=None, allow_none=True)),
    "confirm": lambda: _schema(valid_until=fields.Date(required=True)),
    "confirm_partly": lambda: _schema(valid_until=fields.Date(required=True)),
}


def check_of(ctx: TransitionContext) -> ExportCheck:
    if "check" not in ctx.loaded:
        ctx.loaded["check"] = db.session.get(ExportCheck, ctx.case.id)
    return ctx.loaded["check"]


def evidence_of(case_id: int) -> list[ExportCheckEvidence]:
    return db.session.query(ExportCheckEvidence).filter_by(case_id=case_id).all()


class ExportCheckHandler:
    def schema_for(self, event: str) -> Schema:
        return SCHEMAS.get(event, _schema)()

    def before(self, ctx: TransitionContext) -> None:
        check = check_of(ctx)
        if ctx.event == "record_inspection":
            self._record_inspection(ctx, check)
        elif ctx.event in DECISIONS:
            self._check_validity(ctx.data["valid_until"])

    def _record_inspection(self, ctx: TransitionContext, check: ExportCheck) -> None:
        if ctx.data["inspected_on"] > today_in_japan():
            raise invalid("inspected_on", "The inspection date is in the future.")
        check.inspected_on = ctx.data["inspected_on"]
        check.inspector = ctx.data["inspector"]
        check.inspection_findings = ctx.data.get("findings")
        if (document := ctx.data.get("document")) is not None:
            attachment = document.to_attachment(ctx.case, "other", ctx.actor,
                                                description="inspection")
            db.session.add(attachment)
            db.session.flush()
            db.session.add(ExportCheckEvidence(attachment_id=attachment.id,
                                               case_id=ctx.case.id, criterion="inspection"))
            ctx.audit["document"] = {"filename": attachment.filename,
                                     "sha256": attachment.sha256}

    def _check_validity(self, valid_until) -> None:
        today = today_in_japan()
        rule = lookups.rule(*VALIDITY_RULE, today)
        if valid_until <= today:
            raise invalid("valid_until", "The certificate must be valid after today.")
        if valid_until > add_period(today, rule.amount, rule.unit, "JP"):
            raise invalid("valid_until", gettext(
                "A certificate is valid for at most %(amount)s months.", amount=rule.amount))

    def facts(self, ctx: TransitionContext) -> dict[str, Any]:
        check = check_of(ctx)
        decisions = [line.decision for line in check.lines]
        return {"missing": missing_items(check, evidence_of(ctx.case.id)),
                "accepted_lines": decisions.count("accepted"),
                "refused_lines": decisions.count("refused"),
                "undecided_lines": decisions.count(None),
                "lines_without_findings": sum(1 for line in check.lines
                                              if line.finding is None)}

    def after(self, ctx: TransitionContext) -> None:
        check = check_of(ctx)
        if ctx.event in ("submit", "reply_to_request"):
            self._after_submit(ctx)
        elif ctx.event in DECISIONS:
            self._issue_certificate(ctx, check)
        elif ctx.event == "refuse":
            check.decided_on = today_in_japan()
        elif ctx.event == "record_export":
            check.used_at = utcnow()

    def _issue_certificate(self, ctx: TransitionContext, check: ExportCheck) -> None:
        """The certificate and its expiry as a deadline row: the sweep fires `expire` once the
        last day of validity (JST) has passed."""
        check.certificate_no = f"UC-{ctx.case.number}"
        check.decided_on, check.valid_until = today_in_japan(), ctx.data["valid_until"]
        deadlines.set_deadline(ctx.case, CERTIFICATE_EXPIRY, end_of_day(check.valid_until, "JP"),
                               regime=VALIDITY_RULE[0], rule_key=VALIDITY_RULE[1])
        ctx.audit.update(certificate_no=check.certificate_no,
                         valid_until=check.valid_until.isoformat())

    def _after_submit(self, ctx: TransitionContext) -> None:
        if ctx.case.number is None:
            ctx.case.number = next_number(NUMBER_PREFIX, today_in_japan().year,
                                          NUMBER_TEMPLATE)
            ctx.audit["number"] = ctx.case.number
        ctx.case.submitted_at = ctx.case.submitted_at or utcnow()
        findings = run(ctx.case, today_in_japan(), "submit")
        ctx.audit["rule_findings"] = sorted({f.rule for f in findings})

    def deadline_event(self, deadline):
        if deadline.kind == CERTIFICATE_EXPIRY:
            return "expire", {}
        return None

    def parties(self, case: Case) -> dict[str, set]:
        return {NOTIFIER: {case.organisation_id}, CA_JAPAN: {"JP"}}

    def held_by(self, party: str, holder):
        """`parties` as a clause over Case (the work queue's party check)."""
        if party == NOTIFIER:
            return Case.organisation_id == holder
        return true() if party == CA_JAPAN and holder == "JP" else false()

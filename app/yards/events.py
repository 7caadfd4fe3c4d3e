"""The scrap-yard workflow's side of each transition: findings, numbers, permits, deadlines.

Deadlines the engine's scheduler sweeps: the permit's expiry and the deemed permission's
apply-by day fire system events; the renewal reminders (6 and 3 months before expiry, as the
standard set says) and an improvement order's due date raise alarms and notices.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from marshmallow import Schema
from sqlalchemy import exists, false

from app.calendars.working_days import add_months, end_of_day, start_of_day
from app.cases import deadlines
from app.cases.handlers import TransitionContext, invalid
from app.cases.models import Case
from app.cases.numbering import next_number
from app.cases.plausibility import errors, run
from app.extensions import db
from app.timeutil import today_in_japan, utcnow
from workflows.base import CA_PREFECTURE, NOTIFIER

from .completeness import missing_items
from .models import InspectionFinding, YardApplication
from .permit_numbers import next_permit_number
from .schemas import schema_for
from .standards import StandardSet, standard_by_code, standard_for

#: events whose validators check completeness and the standards
FILINGS = frozenset({"submit", "resubmit", "apply_for_permit", "notify_change",
                     "apply_for_renewal"})
EXPIRY, DEEMED, IMPROVEMENT = "permit_expiry", "deemed_apply_by", "improvement_due"
REMINDER = "renewal_reminder_{months}m"


def application_of(ctx: TransitionContext) -> YardApplication:
    if "application" not in ctx.loaded:
        ctx.loaded["application"] = db.session.get(YardApplication, ctx.case.id)
    return ctx.loaded["application"]


def standard_of(application: YardApplication, on: date) -> StandardSet | None:
    """The set the application was decided under, else the one in force on `on`."""
    if application.standard_set:
        return standard_by_code(application.standard_set)
    return standard_for(application.prefecture_code, on)


class ScrapYardHandler:
    def schema_for(self, event: str) -> Schema:
        return schema_for(event)

    def before(self, ctx: TransitionContext) -> None:
        if ctx.event == "record_inspection":
            self._record_findings(ctx, application_of(ctx))

    def _record_findings(self, ctx, application: YardApplication) -> None:
        areas = {a.label: a for a in application.areas}
        for i, finding in enumerate(ctx.data["findings"]):
            label = finding["area"]
            if label is not None and label not in areas:
                raise invalid(f"findings.{i}.area", "No storage area of this yard has this "
                                                    "label.")
            db.session.add(InspectionFinding(
                case_id=ctx.case.id, storage_area_id=areas[label].id if label else None,
                measured_height_m=finding["measured_height_m"],
                compliant=finding["compliant"], note=finding["note"]))
        application.inspection_date = ctx.data["inspection_date"] or today_in_japan()
        ctx.audit["findings"] = len(ctx.data["findings"])
        if (photo := ctx.data.get("document")) is not None:
            attachment = photo.to_attachment(ctx.case, "photo", ctx.actor, "Site inspection")
            db.session.add(attachment)
            db.session.flush()
            ctx.audit.update(photo=attachment.filename, photo_sha256=attachment.sha256)

    def facts(self, ctx: TransitionContext) -> dict[str, Any]:
        if ctx.event not in FILINGS:
            return {"missing": [], "rule_errors": []}
        application = application_of(ctx)
        kinds = {a.kind for a in ctx.case.attachments}
        findings = errors(run(ctx.case, today_in_japan(), "submit"))
        return {"missing": missing_items(application, kinds),
                "rule_errors": [f.rule for f in findings]}

    # --- after the state changed ------------------------------------------------------------
    def after(self, ctx: TransitionContext) -> None:
        step = getattr(self, f"_after_{ctx.event}", None)
        if step is not None:
            step(ctx, application_of(ctx))

    def _file(self, ctx, application: YardApplication) -> None:
        """Number the case and fix the standard set in force on the day it is filed."""
        if ctx.case.number is None:
            ctx.case.number = next_number("JP", today_in_japan().year)
            ctx.audit["number"] = ctx.case.number
        ctx.case.submitted_at = ctx.case.submitted_at or utcnow()
        standard = standard_for(application.prefecture_code, today_in_japan())
        application.standard_set = standard.code if standard else None
        ctx.audit["standard_set"] = application.standard_set

    _after_submit = _file
    _after_resubmit = _file

    def _after_apply_for_permit(self, ctx, application) -> None:
        self._file(ctx, application)
        deadlines.clear_deadlines(ctx.case, kinds=[DEEMED])

    def _after_declare_existing(self, ctx, application) -> None:
        application.old_notification_no = ctx.data["old_notification_no"]
        application.old_notification_date = ctx.data["old_notification_date"]
        self._file(ctx, application)
        standard = standard_of(application, today_in_japan())
        months = standard.limits.get("deemed_apply_months") if standard else None
        if months:
            application.apply_by = add_months(today_in_japan(), int(months))
            deadlines.set_deadline(ctx.case, DEEMED, end_of_day(application.apply_by, "JP"),
                                   rule_key=f"{standard.code}:deemed_apply_months")

    def _after_grant_permit(self, ctx, application) -> None:
        if application.permit_no is None:
            application.permit_no = next_permit_number(application.prefecture_code,
                                                       today_in_japan().year)
            ctx.audit["permit_no"] = application.permit_no
        self._set_validity(ctx, application)

    def _set_validity(self, ctx, application) -> None:
        today = today_in_japan()
        standard = standard_of(application, today)
        application.valid_from = ctx.data["valid_from"] or (
            application.valid_to + timedelta(days=1)
            if ctx.event == "grant_renewal" and application.valid_to else today)
        years = standard.limits.get("permit_validity_years") if standard else None
        if ctx.data["valid_to"] is not None:
            application.valid_to = ctx.data["valid_to"]
        elif years:
            application.valid_to = (add_months(application.valid_from, 12 * int(years))
                                    - timedelta(days=1))
        else:
            raise invalid("valid_to", "This standard fixes no term: give the last day.")
        application.conditions = ctx.data["conditions"]
        ctx.audit.update(valid_from=application.valid_from.isoformat(),
                         valid_to=application.valid_to.isoformat())
        self._schedule_expiry(ctx, application, standard)

    def _schedule_expiry(self, ctx, application, standard: StandardSet | None) -> None:
        """The expiry and its renewal reminders (months before, from the standard set)."""
        deadlines.set_deadline(ctx.case, EXPIRY, end_of_day(application.valid_to, "JP"),
                               rule_key="permit_validity")
        months = standard.limits.get("renewal_reminder_months", []) if standard else []
        for ahead in months:
            due = add_months(application.valid_to, -int(ahead))
            deadlines.set_deadline(ctx.case, REMINDER.format(months=ahead),
                                   start_of_day(due, "JP"), rule_key=f"{standard.code}:reminder")

    _after_grant_renewal = _set_validity

    def _after_apply_for_renewal(self, ctx, application) -> None:
        deadlines.clear_deadlines(ctx.case, kinds=[REMINDER.format(months=m) for m in (6, 3)])

    def _after_refuse_renewal(self, ctx, application) -> None:
        # the expiry may have fallen due while the renewal was pending: it fires again now
        deadlines.set_deadline(ctx.case, EXPIRY, end_of_day(application.valid_to, "JP"),
                               rule_key="permit_validity")

    def _after_order_improvement(self, ctx, application) -> None:
        deadlines.set_deadline(ctx.case, IMPROVEMENT, end_of_day(ctx.data["due_date"], "JP"))
        ctx.audit["due_date"] = ctx.data["due_date"].isoformat()

    def _after_report_improvement(self, ctx, application) -> None:
        deadlines.clear_deadlines(ctx.case, kinds=[IMPROVEMENT])

    _after_confirm_improvement = _after_report_improvement

    def deadline_event(self, deadline):
        if deadline.kind == EXPIRY:
            return "expire", {}
        if deadline.kind == DEEMED:
            return "deemed_lapse", {}
        return None  # reminders and an overdue improvement: alarms

    def parties(self, case) -> dict[str, set]:
        prefecture = db.session.scalar(
            db.select(YardApplication.prefecture_code).where(YardApplication.case_id == case.id))
        return {NOTIFIER: {case.organisation_id}, CA_PREFECTURE: {prefecture} - {None}}

    def held_by(self, party: str, holder):
        """`parties` as a clause over Case (the work queue's party check)."""
        if party == NOTIFIER:
            return Case.organisation_id == holder
        if party == CA_PREFECTURE:
            return exists().where(YardApplication.case_id == Case.id,
                                  YardApplication.prefecture_code == holder)
        return false()

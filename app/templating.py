"""Helpers templates use: translated labels of states, events and codes; dates; countdowns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.access import may_open
from app.i18n_messages import translate_error
from app.timeutil import utcnow
from workflows import REGISTRY
from workflows.base import N_

#: labels of the audit events that are not workflow transitions
ACTION_LABELS = {
    "create": N_("Draft created"),
    "save_section": N_("Draft saved"),
    "save_party": N_("Party saved"),
    "remove_party": N_("Party removed"),
    "add_attachment": N_("Document added"),
    "remove_attachment": N_("Document removed"),
    "register": N_("Partner's notification registered"),
    "edit": N_("Change the notification"),
    "save_shipment": N_("Movement document saved"),
    "record_take_back_request": N_("Take-back requested by the State of import"),
    "record_take_back_arrangement": N_("Take-back or alternative arrangement stated"),
}


ROLE_LABELS = {
    "exporter": N_("Exporter / importer"),
    "facility": N_("Recycling facility"),
    "official_moe": N_("MOE official"),
    "official_meti": N_("METI official"),
    "prefecture": N_("Prefecture official"),
    "customs": N_("Customs officer"),
    "partner_agency": N_("Partner agency"),
    "partner_system": N_("Partner authority's system (XML)"),
    "admin": N_("Administrator"),
    "yard_operator": N_("Scrap-yard operator"),
    "system": N_("System"),
}

DEADLINE_LABELS = {
    "receipt": N_("Receipt confirmation due"),
    "certificate": N_("Certificate of recovery/disposal due"),
    "take_back": N_("Take-back due (Basel Art. 8)"),
    "acknowledgement": N_("Acknowledgement due"),
    "tacit_consent": N_("Objection period ends (tacit consent)"),
    "consent_expiry": N_("Consent expires"),
    "activation": N_("Consent period begins"),
    "review": N_("Review due (MOE)"),
}

ATTACHMENT_LABELS = {
    "contract": N_("Contract exporter–disposer"),
    "esm_info": N_("ESM information of the facility"),
    "insurance": N_("Insurance"),
    "partner_document": N_("Partner authority's document"),
    "other": N_("Other"),
}

def code_options(list_name: str):
    """The codes valid today, for a select in an event form."""
    from app.reference import lookups
    from app.timeutil import today_in_japan

    return lookups.codes(list_name, today_in_japan())


def country_options(selected: str | None) -> Markup:
    """The `<option>`s of the countries valid today in the reader's order, `selected`
    marked: made here, not looped over in a template, where the 250 of them took 3-5 ms of
    every list page (f-strings: Markup.format took as long)."""
    from app.reference import lookups
    from app.timeutil import today_in_japan

    locale = locale_code()
    return Markup("".join(
        f'<option value="{escape(c.code)}"{" selected" if c.code == selected else ""}>'
        f"{escape(c.label(locale))}</option>"
        for c in lookups.countries(locale, today_in_japan())))


REASON_PROMPTS = {
    "return_for_correction": N_("What must be corrected"),
    "refuse": N_("Reasons for refusal"),
    "revoke": N_("Reasons for revocation"),
    "record_information_request": N_("The information requested"),
    "record_objection": N_("Reasons given for the objection"),
    "reply_to_request": N_("Answer to the request"),
    "request_information": N_("The information requested"),
    "receive_information": N_("The information received"),
    "object": N_("Reasons for the objection"),
    "reject": N_("Why the facility rejected the shipment"),
    "cannot_complete": N_("Why the recovery cannot be completed as contracted"),
}


SECTION_LABELS = {
    "parties": N_("Parties"),
    "shipment": N_("Shipments and packaging"),
    "waste": N_("Waste and operation"),
    "route": N_("Route and States concerned"),
    "attachments": N_("Documents"),
    "declaration": N_("Declaration"),
}

PARTY_FIELD_LABELS = (
    ("registration_no", N_("Registration no.")),
    ("name", N_("Name")),
    ("address", N_("Address")),
    ("country_code", N_("Country")),
    ("contact_person", N_("Contact person")),
    ("tel", N_("Telephone")),
    ("fax", N_("Fax")),
    ("email", N_("E-mail")),
)


def section_label(section: str) -> str:
    return _(SECTION_LABELS.get(section, section))


def party_fields(role: str) -> list[tuple[str, str]]:
    fields = [(name, _(label)) for name, label in PARTY_FIELD_LABELS]
    if role == "generator":
        fields.append(("site", _("Site of generation")))
    if role == "facility":
        fields.append(("site", _("Actual site of disposal/recovery")))
        fields.append(("licensed_operations",
                       _("Licensed operations (Annex IV codes, e.g. R4, R12)")))
    if role == "carrier":
        fields.append(("transport_mode", _("Means of transport")))
    return fields


REGIME_LABELS = {
    "OECD": N_("OECD Decision (amber control)"),
    "BASEL": N_("Basel Convention"),
    "EU": N_("EU Waste Shipment Regulation"),
    "JP": N_("Japan, Basel Act ordinance"),
}


MESSAGE_TYPE_LABELS = {
    "TMWNotificationSubmissionMessage": N_("Notification"),
    "TMWNotificationAcknowledgementMessage": N_("Acknowledgement"),
    "TMWFurtherNotificationRequest": N_("Request for information"),
    "TMWFurtherNotificationReply": N_("Reply to a request for information"),
    "TMWNotificationDecisionMessage": N_("Decision (consent or objection)"),
    "TMWCancellationMessage": N_("Withdrawal, revocation or cancellation"),
    "TMWMovementAnnouncementMessage": N_("Movement announcement"),
    "TMWTransportStatementMessage": N_("Transport statement"),
    "TMWCertificateOfWasteReceiptMessage": N_("Certificate of receipt"),
    "TMWCertificateOfWasteRecoveryDisposalMessage": N_("Certificate of recovery/disposal"),
    "TMWConfirmationOfMessageReceipt": N_("Confirmation of receipt (technical)"),
    "TMWErrorMessage": N_("Error message"),
    "TMWStatusQueryMessage": N_("Status query"),
    "TMWStatusAnswerMessage": N_("Status answer"),
    "TMWTakeBackRequestMessage": N_("Take-back request"),
    "TMWTakeBackArrangementMessage": N_("Take-back or alternative arrangement"),
    "TMWNotificationAmendmentMessage": N_("Amendment of the notification"),
    "TMWAmendmentDecisionMessage": N_("Decision on an amendment"),
}
MESSAGE_STATUS_LABELS = {
    "queued": N_("queued"), "delivered": N_("delivered"), "acknowledged": N_("acknowledged"),
    "failed": N_("failed"), "received": N_("received"), "accepted": N_("accepted"),
    "rejected": N_("rejected"), "duplicate": N_("repeat of an earlier message"),
}


def message_type_label(message_type: str | None) -> str:
    if message_type is None:
        return _("Unreadable message")
    return _(MESSAGE_TYPE_LABELS.get(message_type, message_type))


def message_status_label(status: str) -> str:
    return _(MESSAGE_STATUS_LABELS.get(status, status))


def per_request(label: Callable[..., str]) -> Callable[..., str]:
    """A label looked up once per request and language: a case page with 200 events asks
    for the same few role, state and event labels hundreds of times, and each translation
    lookup goes through the request context (about 50 µs). Keyed by the locale too, as a
    notice may be rendered in another language (`force_locale`) within the request."""
    @wraps(label)
    def remembered(*args: str | None) -> str:
        if not has_request_context():
            return label(*args)
        memo = g.setdefault("label_memo", {})
        key = (label.__name__, get_locale(), *args)
        if (found := memo.get(key)) is None:
            found = memo[key] = label(*args)
        return found
    return remembered


def labels_once() -> Callable[..., str]:
    """`label(look_up, *args)`: `look_up(*args)`, asked once per arguments for the rows of
    one page (`per_request` still goes through the request context on every call, which a
    list of 50 rows or a timeline of 200 events asks hundreds of times)."""
    found: dict[tuple, str] = {}

    def label(look_up: Callable[..., str], *args) -> str:
        if (key := (look_up, *args)) not in found:
            found[key] = look_up(*args)
        return found[key]
    return label


def case_type_label(case_type: str) -> str:
    return _(REGISTRY[case_type].TITLE)


def regime_label(regime: str) -> str:
    return _(REGIME_LABELS.get(regime, regime))


@per_request
def role_label(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


def deadline_label(kind: str) -> str:
    return _(DEADLINE_LABELS.get(kind, kind))


def attachment_label(kind: str) -> str:
    return _(ATTACHMENT_LABELS.get(kind, kind))


REASON = N_("Reason")


def reason_prompt(event: str) -> str:
    return _(REASON_PROMPTS.get(event, REASON))


def problem_text(message: str, params: dict) -> str:
    """A translatable message whose `state` parameter is a state value."""
    params = dict(params)
    if "state" in params:
        params["state"] = state_label(params["state"])
    return _(message).format(**params)


def missing_text(item) -> str:
    """A completeness item in the user's language (its parameters are labels too)."""
    params = {k: _(v) for k, v in item.params}
    return _(item.message).format(**params)


def timeline_details(event) -> str:
    payload = event.payload or {}
    parts = []
    if country := payload.get("country"):
        parts.append(country_name(country))
    if number := payload.get("number"):
        parts.append(_("number %(n)s", n=number))
    if document := payload.get("document"):
        parts.append(document.get("filename", "") if isinstance(document, dict) else "")
    if filename := payload.get("filename"):
        parts.append(filename)
    for key, label in DETAIL_LABELS.items():
        if payload.get(key):
            parts.append(_("%(label)s: %(value)s", label=_(label), value=payload[key]))
    return " · ".join(p for p in parts if p)


DETAIL_LABELS = {
    "received_on": N_("Date of the document"),
    "valid_from": N_("Valid from"),
    "valid_to": N_("Valid until"),
    "approval_no": N_("Approval number"),
}


def locale_code() -> str:
    return str(get_locale() or "ja")


@per_request
def state_label(state: str, case_type: str | None = None) -> str:
    """A state's label in the case type's workflow (or the first workflow that has it)."""
    workflows = [REGISTRY[case_type]] if case_type else list(REGISTRY.values())
    for workflow in workflows:
        if (found := workflow.states_map.get(state)) is not None:
            return _(found.name)
    return state


@per_request
def event_label(event: str, case_type: str | None = None) -> str:
    workflows = [REGISTRY[case_type]] if case_type else list(REGISTRY.values())
    for workflow in workflows:
        if event in workflow.LABELS:
            return _(workflow.LABELS[event])
    if event in ACTION_LABELS:
        return _(ACTION_LABELS[event])
    return event


def code_label(list_name: str, code: str | None) -> str:
    if not code:
        return ""
    from app.reference import lookups

    row = lookups.find(list_name, code, None)
    return f"{code} – {row.label(locale_code())}" if row else code


def country_name(code: str | None) -> str:
    if not code:
        return ""
    from app.reference import lookups

    return lookups.country_label(code, locale_code())


def countdown(due: datetime | None) -> str:
    """“in 3 days”, “today”, “2 days overdue” — what an official scanning a queue needs."""
    if due is None:
        return ""
    days = (due - utcnow()).total_seconds() / 86400
    if days < 0:
        return _("%(n)d day(s) overdue", n=int(-days) + 1)
    if days < 1:
        return _("due today")
    return _("%(n)d day(s) left", n=int(days))


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # a moment is read in the app's time zone and says which one (JST), so a partner
        # abroad or an exporter travelling never misreads a deadline. Digits and dashes
        # only, the same in every locale: strftime, not Babel's formatter (130 µs a call,
        # a case page has a date per event)
        moment = _in_app_zone(value)
        return f"{moment:%Y-%m-%d %H:%M} {moment.tzname() or ''}"
    return format_date(value, "yyyy-MM-dd")


def _in_app_zone(value: datetime) -> datetime:
    """The moment in the app's time zone (the one Babel's timezone selector names); a naive
    value is UTC, as Babel reads it."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        state_label=state_label, event_label=event_label, code_label=code_label,
        country_name=country_name, countdown=countdown, csrf_token=generate_csrf,
        locale_code=locale_code, role_label=role_label, regime_label=regime_label,
        deadline_label=deadline_label,
        attachment_label=attachment_label, reason_prompt=reason_prompt,
        missing_text=missing_text, timeline_details=timeline_details,
        section_label=section_label, party_fields=party_fields,
        code_options=code_options, country_options=country_options,
        problem_text=problem_text, case_type_label=case_type_label,
        message_type_label=message_type_label, message_status_label=message_status_label,
        may_open=may_open,
    )
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["errmsg"] = translate_error

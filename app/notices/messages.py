"""The text of a notice: subject and body from `templates/notices/<kind>.html`, written in the
recipient's language, and the Notice rows that carry them.

A notice is written with what happened as its kind, locale, recipient and plain values
(`write_notices`); its text is rendered when delivery claims it (`written_text`), which keeps
template work out of the transition's and the sweep's transaction. `rendered(notice)` is what a
notice says, whether delivered yet or not.

The templates are plain text. They are named .html so that babel.cfg's Jinja extractor finds
their strings, and rendered with autoescaping off (an “&” in a reason stays an “&”). Each kind
template sets `subject` and fills the blocks of its layout; templates get plain values only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from jinja2 import Environment

from app.cases.audience import NOTIFIER, remark_for
from app.cases.deadlines import open_deadlines
from app.cases.handlers import TransitionContext
from app.cases.models import Case, Deadline
from app.database import insert_rows
from app.extensions import db
from app.templating import REASON_PROMPTS
from app.timeutil import utcnow
from workflows import workflow_for
from workflows.base import N_

from .models import Notice
from .settings import setting
from .stored_values import from_stored, to_stored

#: the heading of a reason no REASON_PROMPTS entry names (marked here: app/templating.py's
#: fallback sits inside a _() call, where Babel does not extract it)
REASON = N_("Reason")
_SUBJECT_MAX = 300  # Notice.subject's column size
_BLANK_LINES = re.compile(r"\n{3,}")


def notice_locale(user) -> str:
    """The user's language when the app speaks it, else the default (Japanese)."""
    if user.locale in current_app.config["LANGUAGES"]:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def case_url(case_id: int) -> str:
    """The absolute address of the case page, built from the route and PUBLIC_BASE_URL (the
    scheduler has no request to take a host from)."""
    path = current_app.url_map.bind("notices.invalid").build("cases.view", {"case_id": case_id})
    return setting("PUBLIC_BASE_URL").rstrip("/") + path


def transition_values(ctx: TransitionContext) -> dict[str, Any]:
    """What a transition notice says, as plain values (labels are translated in the template)."""
    data = ctx.data
    return {
        **_case_values(ctx.case),
        "event": ctx.event,
        "state": ctx.to_state,
        "actor_name": ctx.actor.name if ctx.actor is not None else None,
        "actor_role": ctx.role,
        # mail goes to the parties and officials alike: never a remark marked internal
        "reason": remark_for(NOTIFIER, ctx.case.case_type, ctx.event, ctx.role, data),
        "reason_label": REASON_PROMPTS.get(ctx.event, REASON),
        "conditions": data.get("conditions"),
        "sections": data.get("sections") or [],
        "country": data.get("country"),
        "approval_no": data.get("approval_no"),
        "valid_from": data.get("valid_from"),
        "valid_to": data.get("valid_to"),
        "deadline": _deadline_values(next(iter(open_deadlines(ctx.case)), None)),
    }


def deadline_values(deadline: Deadline, *, memo: dict | None = None) -> dict[str, Any]:
    """What a deadline notice says. `memo` (a group of alarms raised together, where no case
    changes) keeps each case's values once for the group."""
    case = deadline.case
    if memo is None:
        shared = _case_values(case)
    elif (shared := memo.get(("notices.case", case.id))) is None:
        shared = memo[("notices.case", case.id)] = _case_values(case)
    return {**shared, "state": case.state, "deadline": _deadline_values(deadline)}


def _case_values(case: Case) -> dict[str, Any]:
    return {
        "ref": case.reference,
        "case_type": case.case_type,
        "procedure": workflow_for(case.case_type).TITLE,
        "link": case_url(case.id),
    }


def _deadline_values(deadline: Deadline | None) -> dict[str, Any] | None:
    if deadline is None:
        return None
    return {"kind": deadline.kind, "country": deadline.country_code, "due": deadline.due_at}


@dataclass(frozen=True)
class Recipient:
    """Whom a notice goes to, and in which language (looked up once per group of alarms)."""

    id: int
    email: str
    name: str
    locale: str


def as_recipient(user) -> Recipient:
    if isinstance(user, Recipient):
        return user
    return Recipient(user.id, user.email, user.name, notice_locale(user))


def notice_rows(case: Case, kind: str, users, values: dict[str, Any]) -> list[dict[str, Any]]:
    """The outbox rows of notice `kind` to each user: what to say, not yet the words (those are
    rendered at delivery, app.notices.delivery)."""
    stored = to_stored(values)  # once for all recipients
    now = utcnow()
    return [
        {"case_id": case.id, "recipient_user_id": r.id, "recipient_email": r.email,
         "locale": r.locale, "kind": kind, "values": {**stored, "recipient_name": r.name},
         "created_at": now, "next_attempt_at": now, "attempts": 0}
        for r in map(as_recipient, users)
    ]


def insert_notices(rows: list[dict[str, Any]]) -> int:
    """Add `rows` to the outbox in the caller's transaction, in one statement (its commit
    sends them on their way); how many."""
    insert_rows(db.session, Notice.__table__, rows)
    return len(rows)


def write_notices(case: Case, kind: str, users, values: dict[str, Any]) -> int:
    """One notice per user in the caller's transaction; how many."""
    return insert_notices(notice_rows(case, kind, users, values))


@dataclass(frozen=True)
class NoticeText:
    subject: str
    body: str


def rendered(notice: Notice) -> NoticeText:
    """What `notice` says: the text stored when delivery first took it, or else its values
    rendered now in its language (nothing is written to the row)."""
    if notice.body is not None:
        return NoticeText(notice.subject or "", notice.body)
    subject, body = render(notice.kind, notice.locale, **from_stored(notice.values or {}))
    return NoticeText(subject, body)


def written_text(notice: Notice) -> NoticeText:
    """`rendered(notice)`, stored on the row (the delivery's claim commits it): every later
    attempt sends the same words, and a notice given up still shows what it said."""
    text = rendered(notice)
    if notice.body is None:
        notice.subject, notice.body = text.subject, text.body
    return text


def render(kind: str, locale: str, **values: Any) -> tuple[str, str]:
    """(subject, body) of notice `kind` in `locale`."""
    template = _environment().get_template(f"notices/{kind}.html")
    with force_locale(locale):
        module = template.make_module(values)
        body = str(module)
        subject = " ".join(str(module.subject).split())  # one header line, whatever the text
    return subject[:_SUBJECT_MAX], _BLANK_LINES.sub("\n\n", body).strip() + "\n"


def _environment() -> Environment:
    """The app's Jinja environment (helpers, filters, gettext) without autoescaping."""
    app = current_app._get_current_object()
    env = app.extensions.get("notices.jinja")
    if env is None:
        env = app.jinja_env.overlay(autoescape=False, trim_blocks=True, lstrip_blocks=True,
                                    cache_size=100)
        app.extensions["notices.jinja"] = env
    return env

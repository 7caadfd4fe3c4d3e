"""Sign-in, sign-out, language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.access import allow, public
from app.database import begin_write
from app.extensions import db
from app.timeutil import utcnow

from .forms import LanguageForm, LoginForm
from .models import User
from .operations import end_all_sessions
from .passwords import verify_password
from .throttle import record_attempt, wait_seconds

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a signed-in user to another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("cases.home")


def _wait_message(seconds: int) -> str:
    if seconds < 120:
        return ngettext("Too many failed sign-ins. Wait %(num)d second and try again.",
                        "Too many failed sign-ins. Wait %(num)d seconds and try again.", seconds)
    minutes = -(-seconds // 60)
    return ngettext("Too many failed sign-ins. Wait %(num)d minute and try again.",
                    "Too many failed sign-ins. Wait %(num)d minutes and try again.", minutes)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.home"))
    form = LoginForm(next=request.args.get("next"))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    email, addr = form.email.data.strip().lower(), request.remote_addr or "unknown"
    if wait := wait_seconds(email, addr):
        form.email.errors.append(_wait_message(wait))
        return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
    user = db.session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, form.password.data)
    ok = ok and user.active
    record_attempt(email, addr, ok)
    if not ok:
        db.session.commit()
        form.password.errors.append(_("Wrong e-mail or password."))
        return render_template("auth/login.html", form=form), 401
    user.last_login_at = utcnow()
    db.session.commit()
    session.clear()  # a fresh session on sign-in: no fixation
    login_user(user)
    if user.locale:
        session["locale"] = user.locale
    return redirect(_safe_next(form.next.data))


@bp.route("/logout", methods=["POST"])
@allow()
def logout():
    end_all_sessions(current_user.id)  # a copied or replayed cookie must not outlive sign-out
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit() or form.language.data not in ("ja", "en"):
        abort(400)
    session["locale"] = form.language.data
    if current_user.is_authenticated:
        begin_write(db.session)
        current_user.locale = form.language.data
        db.session.commit()
    return redirect(_safe_next(form.next.data))

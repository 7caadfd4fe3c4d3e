"""The signed-in user's own account: API tokens and password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import allow
from app.timeutil import utcnow

from .forms import PasswordForm
from .operations import MIN_PASSWORD_LENGTH, set_password
from .passwords import verify_password
from .session import keep_session
from .tokens import revoke_token, tokens_of

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/tokens")
@allow()
def tokens():
    return render_template("account/tokens.html", tokens=tokens_of(current_user), now=utcnow())


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@allow()
def revoke(token_id: int):
    if not revoke_token(token_id, owner_id=current_user.id):
        abort(404)  # someone else's token is not told apart from no token
    flash(_("The token was revoked: it is refused from now on."), "success")
    return redirect(url_for("account.tokens"))


@bp.route("/password", methods=["GET", "POST"])
@allow()
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.current.data):
            keep_session(set_password(current_user.id, form.new.data))
            flash(_("Your password was changed. Your other sessions have been signed out."),
                  "success")
            return redirect(url_for("cases.home"))
        form.current.errors.append(_("This is not your current password."))
    status = 400 if form.is_submitted() else 200
    return render_template("account/password.html", form=form,
                           min_length=MIN_PASSWORD_LENGTH), status

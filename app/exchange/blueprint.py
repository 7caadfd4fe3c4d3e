"""/exchange/v1: partners push messages to us and pull theirs; officials read the log."""

from __future__ import annotations

import base64

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from app.access import allow, partner_only, public
from app.auth.roles import Role
from app.cases.handlers import invalid
from app.extensions import csrf, db
from app.input_fields import INT_MAX
from app.marshalling import schema
from app.templating import MESSAGE_STATUS_LABELS
from app.timeutil import utcnow

from . import inbound
from .auth import authenticate_partner
from .case_page import plug_in
from .http_errors import exchange_problem
from .models import ExchangeMessage, Partner

#: the machine side: signed messages in, pulled messages out (no browser, no cookies)
api = Blueprint("exchange_api", __name__, url_prefix="/exchange/v1")
csrf.exempt(api)
#: the officials' side: the message log
bp = Blueprint("exchange", __name__, url_prefix="/exchange")
bp.record_once(plug_in)  # the message log on the case page
XML = "application/xml"
OFFICIALS = (Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.ADMIN)


@api.route("/messages", methods=["POST"])
@public  # authenticated by the message's signature against the sender's certificates
def receive():
    answer = inbound.receive(request.get_data(cache=False), request.remote_addr or "unknown")
    headers = {"Retry-After": str(answer.retry_after)} if answer.retry_after else {}
    return Response(answer.body, status=answer.status, mimetype=XML, headers=headers)


@api.route("/messages", methods=["GET"])
@partner_only(authenticate_partner)
def pull():
    """The partner's messages after its cursor, oldest first (DIWASS-style polling)."""
    try:
        after, limit = _whole_number("after", "0"), min(max(_whole_number("limit", "50"), 1), 200)
    except InvalidParameter as exc:
        return exchange_problem(400, "INVALID_PARAMETER", errors={exc.name: [exc.reason]})
    partner: Partner = g.partner
    rows = db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.direction == "out", ExchangeMessage.partner_id == partner.id,
        ExchangeMessage.id > after, ExchangeMessage.status != "failed")
        .order_by(ExchangeMessage.id).limit(limit)).all()
    now = utcnow()
    for row in rows:
        if row.status == "queued":
            row.status, row.delivered_at = "delivered", now
    db.session.commit()
    return jsonify(
        messages=[{"cursor": r.id, "message_id": r.message_id, "type": r.message_type,
                   "notification_id": r.notification_number,
                   "xml_base64": base64.b64encode(r.raw).decode()} for r in rows],
        next_cursor=rows[-1].id if rows else after)


# --- what a partner needs to connect: our certificates and the code lists ---------------------
PEM = "application/x-pem-file"


@api.route("/certificate")
@public  # a public certificate; partners compare its fingerprint with the one MOE gave them
def certificate():
    """The certificate JP-MOE signs with now (PEM)."""
    from .keys import fingerprint, our_key_pair

    _key, cert_pem = our_key_pair(current_app)
    return Response(cert_pem, mimetype=PEM,
                    headers={"X-Certificate-SHA256": fingerprint(cert_pem)})


@api.route("/certificates")
@public
def certificates():
    """Every certificate to accept from JP-MOE now: current first, then announced ones."""
    from cryptography import x509

    from .keys import fingerprint, published_certificates

    pems = published_certificates(current_app)
    listed = []
    for position, pem in enumerate(pems):
        cert = x509.load_pem_x509_certificate(pem)
        listed.append({"sha256": fingerprint(pem), "signing_now": position == 0,
                       "valid_from": cert.not_valid_before_utc.isoformat(),
                       "valid_to": cert.not_valid_after_utc.isoformat(),
                       "subject": cert.subject.rfc4514_string(), "pem": pem.decode()})
    return jsonify(authority="JP-MOE", certificates=listed)


@api.route("/codelists")
@public
def codelists():
    """The code lists the schemas use, each with its version (SHA-256 of its file)."""
    from .codelists import index

    return jsonify(codelists=[{**entry, "url": url_for("exchange_api.codelist",
                                                       list_name=entry["name"])}
                              for entry in index()])


@api.route("/codelists/<list_name>.csv")
@public
def codelist(list_name: str):
    from .codelists import BY_NAME, describe, published_file

    if list_name not in BY_NAME:
        return exchange_problem(404, "NOT_FOUND", f"No code list {list_name!r} is published.")
    entry = describe(BY_NAME[list_name])
    return Response(published_file(list_name).read_bytes(), mimetype="text/csv",
                    headers={"ETag": f'"{entry["version"]}"',
                             "X-Codelist-Version": entry["version"]})


#: the largest cursor a database integer holds (a larger one is a client's mistake, not a 500)
MAX_CURSOR = 2**63 - 1


class InvalidParameter(ValueError):
    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


def _whole_number(name: str, default: str) -> int:
    """A query parameter from 0 to MAX_CURSOR (int() alone takes "-1", " 1_0" and 10**30)."""
    value = request.args.get(name, default).strip()
    if value.isascii() and value.isdigit() and int(value) <= MAX_CURSOR:
        return int(value)
    raise InvalidParameter(name, f"must be a whole number from 0 to {MAX_CURSOR}")


# --- the officials' message log -----------------------------------------------------------------
@bp.route("/messages")
@allow(*OFFICIALS)
def log():
    query = select(ExchangeMessage).order_by(ExchangeMessage.id.desc()).limit(200)
    if partner_id := _id_argument("partner"):
        query = query.where(ExchangeMessage.partner_id == partner_id)
    if case_id := _id_argument("case"):
        query = query.where(ExchangeMessage.case_id == case_id)
    if (status := request.args.get("status")) in MESSAGE_STATUS_LABELS:
        query = query.where(ExchangeMessage.status == status)
    partners = db.session.scalars(select(Partner).order_by(Partner.authority_code)).all()
    return render_template("exchange/log.html", rows=db.session.scalars(query).all(),
                           partners=partners, args=request.args)


def _id_argument(name: str) -> int | None:
    """A row id from the query string; None for none, or for what no id column holds (the
    log then shows every row, as for a filter left empty)."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= INT_MAX else None


@bp.route("/messages/<int:message_id>")
@allow(*OFFICIALS)
def message(message_id: int):
    row = db.get_or_404(ExchangeMessage, message_id)
    return render_template("exchange/message.html", row=row)


@bp.route("/messages/<int:message_id>/raw.xml")
@allow(*OFFICIALS)
def raw(message_id: int):
    row = db.get_or_404(ExchangeMessage, message_id)
    which = "response" if request.args.get("part") == "response" else "message"
    body = row.response if which == "response" else row.raw
    if body is None:
        abort(404)
    return Response(body, mimetype=XML, headers={
        "Content-Disposition": f"attachment; filename=message-{row.id}-{which}.xml"})


@bp.route("/messages/<int:message_id>/retry", methods=["POST"])
@allow(Role.OFFICIAL_MOE, Role.ADMIN)
def retry(message_id: int):
    row = db.get_or_404(ExchangeMessage, message_id)
    if row.direction != "out" or row.status not in ("failed", "queued"):
        flash(_("Only an outgoing message that failed or waits can be sent again."), "error")
        return redirect(url_for("exchange.message", message_id=row.id))
    row.status, row.attempts, row.next_attempt_at, row.last_error = "queued", 0, utcnow(), None
    db.session.commit()
    current_app.logger.info("message %s queued again by hand", row.message_id)
    flash(_("The message is queued again; the delivery job sends it within a minute."),
          "success")
    return redirect(url_for("exchange.message", message_id=row.id))


# --- the partner registry (administrators) ------------------------------------------------------
@bp.route("/partners", methods=["GET", "POST"])
@allow(Role.ADMIN)
def partner_registry():
    from marshmallow import ValidationError

    from . import partners as registry

    errors: dict = {}
    if request.method == "POST":
        form = request.form
        try:
            code = form.get("authority_code", "").strip().upper()
            country = form.get("country_code", "").strip().upper()
            if not code or len(country) != 2 or not form.get("name", "").strip():
                raise invalid("_schema", "Give the country, the authority code and the name.")
            typed = schema(registry.PartnerForm).load({
                "country_code": country, "authority_code": code,
                "name": form["name"].strip(),
                "endpoint_url": form.get("endpoint_url", "").strip() or None,
                "push_token": form.get("push_token", "").strip() or None})
            partner = registry.register(
                country=typed["country_code"], authority_code=typed["authority_code"],
                name=typed["name"], endpoint_url=typed["endpoint_url"],
                push_token=typed["push_token"])
            if (upload := request.files.get("certificate")) and upload.filename:
                registry.add_certificate(partner, upload.read())
            token = registry.new_pull_token(partner)
            db.session.commit()
            flash(_("%(code)s registered. Its pull token (shown once): %(token)s",
                    code=code, token=token), "success")
            return redirect(url_for("exchange.partner_registry"))
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.messages
    rows = db.session.scalars(select(Partner).order_by(Partner.authority_code)).all()
    return render_template("exchange/partners.html", partners=rows, errors=errors,
                           values=request.form, now=utcnow()), 422 if errors else 200


@bp.route("/partners/<int:partner_id>/certificates", methods=["POST"])
@allow(Role.ADMIN)
def add_certificate(partner_id: int):
    from marshmallow import ValidationError

    from . import partners as registry

    partner = db.get_or_404(Partner, partner_id)
    upload = request.files.get("certificate")
    try:
        if upload is None or not upload.filename:
            raise invalid("certificate", "Choose a PEM file.")
        row = registry.add_certificate(partner, upload.read())
        db.session.commit()
        flash(_("Certificate added; valid until %(date)s. The earlier ones stay valid until "
                "you revoke them.", date=row.valid_to.date().isoformat()), "success")
    except ValidationError as exc:
        db.session.rollback()
        flash(_("The certificate was not added: %(why)s",
                why="; ".join(_(m) for ms in exc.messages.values() for m in ms)), "error")
    return redirect(url_for("exchange.partner_registry"))


@bp.route("/partners/<int:partner_id>/certificates/<int:certificate_id>/revoke",
          methods=["POST"])
@allow(Role.ADMIN)
def revoke_certificate(partner_id: int, certificate_id: int):
    from . import partners as registry
    from .models import PartnerCertificate

    row = db.get_or_404(PartnerCertificate, certificate_id)
    if row.partner_id != partner_id:
        abort(404)
    registry.revoke_certificate(row)
    db.session.commit()
    flash(_("Certificate revoked: messages signed with it are refused from now on."),
          "success")
    return redirect(url_for("exchange.partner_registry"))


@bp.route("/partners/<int:partner_id>/token", methods=["POST"])
@allow(Role.ADMIN)
def new_token(partner_id: int):
    from . import partners as registry

    partner = db.get_or_404(Partner, partner_id)
    token = registry.new_pull_token(partner)
    db.session.commit()
    flash(_("New pull token for %(code)s (shown once; the old one no longer works): %(token)s",
            code=partner.authority_code, token=token), "success")
    return redirect(url_for("exchange.partner_registry"))

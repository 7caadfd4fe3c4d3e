"""Application factory: small configure_* steps, nothing done at import time."""

from __future__ import annotations

from flask import Flask, request

from . import config as settings
from .extensions import babel, csrf, db, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(settings.ROOT / "templates"),
        instance_path=str(settings.INSTANCE),
    )
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    configure_proxy(app)
    configure_database(app)
    configure_audit(app)
    configure_security(app)
    configure_i18n(app)
    configure_routing(app)
    configure_blueprints(app)
    configure_errors(app)
    configure_templates(app)
    configure_signals(app)
    configure_cli(app)
    return app


def configure_proxy(app: Flask) -> None:
    """Behind PROXY_FIX_X_FOR trusted reverse proxies, the client address (throttling, logs)
    and the scheme (HSTS, secure cookies) come from the X-Forwarded-* headers they set; with
    none (the default) those headers are ignored, since any client can send them."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = app.config.get("PROXY_FIX_X_FOR", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops,
                                x_proto=app.config.get("PROXY_FIX_X_PROTO") or hops)


def configure_database(app: Flask) -> None:
    from .database import install_engine_settings

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.ROOT / "migrations"))
    with app.app_context():
        install_engine_settings(db.engine, app.config["DATABASE_LOCK_TIMEOUT_MS"])
    _import_models()


def _import_models() -> None:
    """Every model module, so metadata (and Alembic) see all tables."""
    from .auth import models as _auth  # noqa: F401

    # (the procedures plug into the case engine when their blueprints are registered)
    from .basel import audiences as _audiences  # noqa: F401  (who reads what, by default)
    from .basel import events as _basel_events  # noqa: F401
    from .basel import models as _basel  # noqa: F401
    from .basel import partner_events as _partner_events  # noqa: F401
    from .basel import shipment_events as _shipment_events  # noqa: F401
    from .basel import shipments as _shipments  # noqa: F401
    from .cases import finding_checks as _finding_checks  # noqa: F401
    from .cases import models as _cases  # noqa: F401
    from .documents import models as _documents  # noqa: F401
    from .exchange import models as _exchange  # noqa: F401
    from .exchange import outbox as _outbox  # noqa: F401  (writes messages for partners)
    from .export_checks import models as _export_checks  # noqa: F401
    from .notices import models as _notices  # noqa: F401
    from .rate_limits import RateHit as _rate_hits  # noqa: F401
    from .reference import models as _reference  # noqa: F401
    from .yards import models as _yards  # noqa: F401


def configure_audit(app: Flask) -> None:
    """Refuse to start without usable audit MAC keys: every transition needs them."""
    from .cases.audit_keys import parse_keys

    if not app.config.get("AUDIT_MAC_KEYS"):
        raise RuntimeError("AUDIT_MAC_KEYS is not set (id:hexkey pairs, the current key "
                           "first; `flask audit new-key ID` prints one); production needs it")
    parse_keys(app.config["AUDIT_MAC_KEYS"])


def configure_routing(app: Flask) -> None:
    from .url_converters import install_converters

    install_converters(app)


def configure_security(app: Flask) -> None:
    from flask_login import user_logged_in

    from .access import enforce_route_rules
    from .auth.session import load_user, start_session, unauthorized

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    user_logged_in.connect(start_session, app)
    login_manager.unauthorized_handler(unauthorized)
    app.before_request(enforce_route_rules)

    @app.after_request
    def security_headers(response):
        if request.is_secure:  # over plain http the header would be ignored (RFC 6797 §8.1)
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'none'",
        )
        return response


def configure_i18n(app: Flask) -> None:
    from .i18n import select_locale, select_timezone

    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(settings.ROOT / "app" / "translations"),
    )


def configure_blueprints(app: Flask) -> None:
    """All blueprints registered from this one place."""
    from .api.blueprint import bp as api_bp
    from .auth.account import bp as account_bp
    from .auth.blueprint import bp as auth_bp
    from .basel.blueprint import bp as basel_bp
    from .cases.blueprint import bp as cases_bp
    from .customs.blueprint import bp as customs_bp
    from .documents.blueprint import bp as documents_bp
    from .exchange.blueprint import api as exchange_api_bp
    from .exchange.blueprint import bp as exchange_bp
    from .export_checks.api import api as export_checks_api_bp
    from .export_checks.blueprint import bp as export_checks_bp
    from .health import bp as health_bp
    from .measures.blueprint import api as measures_api_bp
    from .measures.blueprint import bp as measures_bp
    from .yards.api import bp as yards_api_bp
    from .yards.blueprint import bp as yards_bp
    from .yards.public import bp as yards_public_bp

    for bp in (auth_bp, account_bp, cases_bp, basel_bp, customs_bp, documents_bp, exchange_bp,
               exchange_api_bp, api_bp, health_bp, measures_bp, measures_api_bp,
               export_checks_bp, export_checks_api_bp, yards_bp, yards_public_bp, yards_api_bp):
        app.register_blueprint(bp)


def configure_errors(app: Flask) -> None:
    from .errors import register_error_handlers

    register_error_handlers(app)


def configure_templates(app: Flask) -> None:
    from .templating import register_template_helpers

    register_template_helpers(app)


def configure_signals(app: Flask) -> None:
    """Signal receivers: e-mail notices written inside transitions and deadline alarms."""
    from .notices.receivers import connect_receivers

    connect_receivers()


def configure_cli(app: Flask) -> None:
    from .auth.cli import tokens_cli, users_cli
    from .cases.cli import audit_cli
    from .demo.cli import demo_cli
    from .exchange.cli import partners_cli
    from .exchange.simulator_cli import partner_sim_cli
    from .measures.cli import measures_cli
    from .reference.cli import refdata_cli
    from .scheduler.cli import scheduler_cli

    for group in (tokens_cli, users_cli, audit_cli, demo_cli, refdata_cli, scheduler_cli,
                  partners_cli, partner_sim_cli, measures_cli):
        app.cli.add_command(group)

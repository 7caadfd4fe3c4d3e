"""Settings read from the environment. Nothing here touches the database or the network."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment; in development a key kept under instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _audit_mac_keys(production: bool) -> str | None:
    """AUDIT_MAC_KEYS from the environment; in development a key kept under instance/.

    Production gets none unless it is set (create_app refuses to start without it): a key
    generated next to the database would protect nothing.
    """
    if keys := os.environ.get("AUDIT_MAC_KEYS"):
        return keys
    if production:
        return None
    path = INSTANCE / "audit_mac_keys"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        _write_once(path, f"dev-{secrets.token_hex(3)}:{secrets.token_hex(32)}")
    return path.read_text().strip()


def _write_once(path: Path, content: str) -> None:
    """Create `path` (mode 0600) with `content` unless another process got there first: the
    content appears whole or not at all (written aside, then linked into place)."""
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    aside.write_text(content)
    aside.chmod(0o600)
    try:
        os.link(aside, path)
    except FileExistsError:
        pass
    finally:
        aside.unlink()


def from_environment() -> dict:
    """The configuration a process gets when nothing is passed to create_app()."""
    production = os.environ.get("APP_ENV", "development") == "production"
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE / 'eproc.sqlite3'}"
        ),
        # Cookies only over HTTPS in production; `make run` serves plain http on 127.0.0.1.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "noreply@eproc.example.go.jp"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "30")),
        # How long a request waits for a lock held by another transaction before it is
        # answered 409 (SQLite busy_timeout, PostgreSQL lock_timeout)
        "DATABASE_LOCK_TIMEOUT_MS": int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "10000")),
        # Sessions end after this much inactivity (officials: MOE, METI, prefecture, customs,
        # partner agencies, admin; everyone else: companies) and this long after sign-in.
        "SESSION_IDLE_MINUTES_OFFICIALS": int(os.environ.get("SESSION_IDLE_MINUTES_OFFICIALS",
                                                             "30")),
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "120")),
        "SESSION_MAX_HOURS": float(os.environ.get("SESSION_MAX_HOURS", "12")),
        # API tokens are refused this many days after creation (`tokens create --days` overrides)
        "API_TOKEN_DAYS": int(os.environ.get("API_TOKEN_DAYS", "90")),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "NOTICE_DELIVERY_SECONDS": int(os.environ.get("NOTICE_DELIVERY_SECONDS", "60")),
        "NOTICE_MAX_ATTEMPTS": int(os.environ.get("NOTICE_MAX_ATTEMPTS", "10")),
        "REMINDER_DAYS": int(os.environ.get("REMINDER_DAYS", "3")),
        "REMINDER_SECONDS": int(os.environ.get("REMINDER_SECONDS", "3600")),
        "SCHEDULER_SWEEP_SECONDS": int(os.environ.get("SCHEDULER_SWEEP_SECONDS", "30")),
        #: deadlines fired per transaction by the sweep (app/scheduler/sweep.py)
        "SCHEDULER_SWEEP_BATCH": int(os.environ.get("SCHEDULER_SWEEP_BATCH", "200")),
        "EXCHANGE_KEY_PATH": os.environ.get("EXCHANGE_KEY_PATH"),
        "EXCHANGE_CERT_PATH": os.environ.get("EXCHANGE_CERT_PATH"),
        "APP_ENV": os.environ.get("APP_ENV", "development"),
        # Audit trail: MAC keys ("id:hexkey,...", current first) and the signed checkpoints
        "AUDIT_MAC_KEYS": _audit_mac_keys(production),
        "AUDIT_CHECKPOINT_MINUTES": int(os.environ.get("AUDIT_CHECKPOINT_MINUTES", "60")),
        "AUDIT_CHECKPOINTS_KEPT": int(os.environ.get("AUDIT_CHECKPOINTS_KEPT", "48")),
        # The dashboard's whole-history indicators are recomputed by the scheduler this often
        # (app/measures/snapshot.py); kept figures twice this old are recomputed per page
        "MEASURES_REFRESH_MINUTES": float(os.environ.get("MEASURES_REFRESH_MINUTES", "10")),
        **_proxy_settings(),
        **_rate_limits(),
    }


def _proxy_settings() -> dict:
    """How many reverse proxies in front of us set X-Forwarded-For / -Proto (0: none, and the
    headers are ignored: anyone could send them)."""
    hops = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    return {"PROXY_FIX_X_FOR": hops,
            "PROXY_FIX_X_PROTO": int(os.environ.get("PROXY_FIX_X_PROTO", str(hops)))}


def _rate_limits() -> dict:
    """Limits an operator may tune without a release (defaults in DEFAULTS below)."""
    names = ("EXCHANGE_RATE_PER_ADDRESS", "EXCHANGE_RATE_PER_SENDER", "EXCHANGE_RATE_WINDOW",
             "LOGIN_FREE_FAILURES", "LOGIN_MAX_DELAY_SECONDS", "LOGIN_MAX_FAILURES_PER_ADDRESS",
             "LOGIN_WINDOW_SECONDS")
    return {name: int(os.environ[name]) for name in names if name in os.environ}


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "BABEL_DEFAULT_LOCALE": "ja",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
    "LANGUAGES": ("ja", "en"),
    # Login throttling, per account AND address (never the account alone, or anyone could lock
    # an official out): after this many failures within the window, each further attempt waits
    # 2^failures seconds after the last one, up to the cap. One address failing on many
    # accounts meets a ceiling (offices share one NAT address, hence not lower).
    "LOGIN_FREE_FAILURES": 3,
    "LOGIN_MAX_DELAY_SECONDS": 15 * 60,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "LOGIN_WINDOW_SECONDS": 60 * 60,
    # National numbering of notifications: ISO-2 country, year, serial.
    "NOTIFICATION_NUMBER_FORMAT": "JP{year}{serial:06d}",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Inbound partner XML: refused above this size / nesting depth before anything else
    "EXCHANGE_MAX_BYTES": 5 * 1024 * 1024,
    "EXCHANGE_MAX_DEPTH": 64,
    # Inbound partner XML: requests per client address and per claimed sender per window
    # (seconds); above them, 429 with Retry-After
    "EXCHANGE_RATE_PER_ADDRESS": 120,
    "EXCHANGE_RATE_PER_SENDER": 60,
    "EXCHANGE_RATE_WINDOW": 60,
    # Outbound delivery: retries with exponential backoff, then the message shows as failed
    "EXCHANGE_MAX_ATTEMPTS": 8,
    "EXCHANGE_PUSH_TIMEOUT": 10,
}

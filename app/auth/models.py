"""Organisations, users, API tokens and login attempts."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

from .roles import Role


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str | None] = mapped_column(String(200))
    #: company (exporter, importer, facility, carrier) or authority (MOE, METI, partner CA)
    kind: Mapped[str] = mapped_column(String(20), default="company")
    country_code: Mapped[str] = mapped_column(String(2), default="JP")
    #: corporate number (法人番号) or the foreign registration number
    registration_no: Mapped[str | None] = mapped_column(String(40))
    #: competent-authority code for authorities (e.g. USA01), used on forms and in XML
    authority_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    address: Mapped[str | None] = mapped_column(String(400))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    tel: Mapped[str | None] = mapped_column(String(40))
    fax: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    __table_args__ = (CheckConstraint("kind IN ('company', 'authority')", name="kind"),)

    def display_name(self, locale: str = "en") -> str:
        return self.name_ja if locale == "ja" and self.name_ja else self.name


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: argon2id hash (argon2-cffi); never the password itself
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: the partner country a partner_agency account acts for (ISO 3166-1 alpha-2)
    country_code: Mapped[str | None] = mapped_column(String(2))
    #: the prefecture (JIS X 0401 code, "12" Chiba) a prefecture account acts for
    prefecture_code: Mapped[str | None] = mapped_column(String(2))
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: raised by sign-out and password changes; a session cookie carrying an older value is
    #: refused, so every session of the user ends while the web tier stays stateless
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    #: loaded with the user: who may see a case, and every audit label, asks for it
    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined",
                                                      innerjoin=True)

    __table_args__ = (
        CheckConstraint(
            "role IN ('exporter', 'facility', 'official_moe', 'official_meti', 'prefecture',"
            " 'customs', 'partner_agency', 'partner_system', 'admin', 'yard_operator')",
            name="role",
        ),
        CheckConstraint(
            "role NOT IN ('partner_agency', 'partner_system') OR country_code IS NOT NULL",
            name="partner_has_country"
        ),
    )

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active


class ApiToken(db.Model):
    """A bearer token for machine clients. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: first characters of the token, to recognise it in lists without revealing it
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: refused from this moment on (API_TOKEN_DAYS after creation unless chosen otherwise)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def status(self, now: datetime) -> str:
        """revoked, expired or active: what a list of tokens shows."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


class LoginAttempt(db.Model):
    """Every login attempt, kept in the database so throttling holds across workers and hosts."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

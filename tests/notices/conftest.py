"""Fixtures for the notice tests: a real SMTP server, the receivers, the people of a case."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from blinker import ANY

from app.auth.models import User
from app.extensions import db
from app.notices.receivers import RECEIVERS, connect_receivers
from tests.factories import make_org

JA_PO = Path(__file__).resolve().parents[2] / "app/translations/ja/LC_MESSAGES/messages.po"
BASE_URL = "https://eproc.test.example.go.jp/portal"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server accepted: envelopes, and the messages parsed from their bytes."""

    envelopes: list = field(default_factory=list)
    #: addresses the server refuses (550), as a relay does for an unknown mailbox
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for e, m in zip(self.envelopes, self.messages, strict=True)
                if address in e.rcpt_tos]

    @property
    def recipients(self) -> list[str]:
        return sorted(r for e in self.envelopes for r in e.rcpt_tos)


@pytest.fixture
def mail_config(app):
    """The app configured for the tests' SMTP server (port filled in by `smtp`); restored after."""
    keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_FROM", "PUBLIC_BASE_URL", "NOTICE_MAX_ATTEMPTS")
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(),
                      MAIL_FROM="e-procedures <noreply@eproc.test.example.go.jp>",
                      PUBLIC_BASE_URL=BASE_URL + "/")
    yield app.config
    app.config.update(saved)


@contextmanager
def smtp_server(port: int):
    """A real SMTP server (aiosmtpd) on `port` while the block runs, collecting what it accepts."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtp(mail_config):
    with smtp_server(mail_config["MAIL_PORT"]) as mailbox:
        yield mailbox


@pytest.fixture(autouse=True)
def notice_receivers():
    """The receivers connected for these tests, and left as found (create_app may connect them
    for the whole process)."""
    already = [r for s, r in RECEIVERS if any(x is r for x in s.receivers_for(ANY))]
    connect_receivers()
    yield
    for signal, receiver in RECEIVERS:
        if receiver not in already:
            signal.disconnect(receiver)


@pytest.fixture(autouse=True)
def japanese_catalogue(app):
    """The compiled catalogue the notices are written with (`make` compiles it; a bare pytest
    run may find it older than messages.po), and no translations cached from before."""
    mo = JA_PO.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < JA_PO.stat().st_mtime:
        with JA_PO.open("rb") as po, mo.open("wb") as out:
            write_mo(out, read_po(po), use_fuzzy=True)
    app.extensions["babel"].instance.domain_instance.cache.clear()


@dataclass
class People:
    exporter: User  # files the case; reads Japanese
    colleague: User  # same organisation; reads English
    idle: User  # same organisation, inactive
    stranger: User  # an exporter of another organisation
    moe: User  # reads Japanese
    moe_en: User
    moe_idle: User  # inactive
    meti: User


def person(role: str, org, email: str, *, name: str | None = None, locale: str | None = None,
           active: bool = True) -> User:
    """A user who never signs in in these tests (factories.make_user hashes a password, which
    takes longer than everything a notice test does)."""
    user = User(email=email, name=name or email.split("@")[0].title(), role=role,
                organisation=org, locale=locale, active=active, password_hash="no-sign-in")
    db.session.add(user)
    return user


@pytest.fixture
def people(app) -> People:
    company = make_org("Tokyo E-Scrap K.K.")
    ministry = make_org("Ministry of the Environment", kind="authority")
    found = People(
        exporter=person("exporter", company, "exporter@tokyo-escrap.example",
                        name="山田 太郎", locale="ja"),
        colleague=person("exporter", company, "colleague@tokyo-escrap.example", locale="en"),
        idle=person("exporter", company, "idle@tokyo-escrap.example", active=False),
        stranger=person("exporter", make_org("Osaka Metals K.K."),
                        "stranger@osaka-metals.example"),
        moe=person("official_moe", ministry, "moe@env.example.go.jp", name="佐藤 花子",
                   locale="ja"),
        moe_en=person("official_moe", ministry, "moe-en@env.example.go.jp", locale="en"),
        moe_idle=person("official_moe", ministry, "moe-idle@env.example.go.jp", active=False),
        meti=person("official_meti", make_org("METI", kind="authority"),
                    "meti@meti.example.go.jp"),
    )
    db.session.commit()
    return found

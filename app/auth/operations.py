"""What a user (or an administrator on the command line) does to an account."""

from __future__ import annotations

from app.database import write_transaction
from app.extensions import db

from .models import User
from .passwords import hash_password

#: NIST SP 800-63B-4 §3.1.1.2: at least 15 characters for a password used on its own
MIN_PASSWORD_LENGTH = 15


class PasswordRefused(ValueError):
    """The new password is shorter than MIN_PASSWORD_LENGTH."""


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(f"use at least {MIN_PASSWORD_LENGTH} characters")


def end_all_sessions(user_id: int) -> User:
    """Every session of the user ends at its next request (see session.session_is_current)."""
    with write_transaction(db.session):
        user = db.session.get(User, user_id)
        user.session_epoch = user.session_epoch + 1
    return user


def set_password(user_id: int, password: str) -> User:
    """A new password for the user; every session of the user ends with the old one."""
    check_new_password(password)
    password_hash = hash_password(password)  # slow on purpose: before the write lock is taken
    with write_transaction(db.session):
        user = db.session.get(User, user_id)
        user.password_hash = password_hash
        user.session_epoch = user.session_epoch + 1
    return user

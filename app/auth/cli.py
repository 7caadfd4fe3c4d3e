"""`flask tokens ...` and `flask users ...`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow

from .models import ApiToken, Organisation, User
from .operations import PasswordRefused, set_password
from .passwords import hash_password
from .roles import ALL_ROLES
from .tokens import create_token, revoke_token, tokens_of

tokens_cli = AppGroup("tokens", help="API tokens for machine clients.")
users_cli = AppGroup("users", help="User accounts.")


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    return user


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="cli", help="What the token is for.")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Days until it expires (default: API_TOKEN_DAYS, 90).")
def create(email: str, name: str, days: int | None) -> None:
    """Print a new API token for the user with EMAIL (shown once)."""
    token = create_token(_user(email), name, days)
    db.session.commit()
    click.echo(token)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


@tokens_cli.command("list")
@click.argument("email", required=False)
def list_tokens(email: str | None) -> None:
    """List the API tokens of the user with EMAIL (everyone's without EMAIL)."""
    now = utcnow()
    click.echo("id\tprefix\tuser\tname\tcreated\tlast used\texpires\tstatus")
    for row in tokens_of(_user(email) if email else None):
        click.echo("\t".join([str(row.id), row.prefix, row.user.email, row.name,
                              _when(row.created_at), _when(row.last_used_at),
                              _when(row.expires_at), row.status(now)]))


def _token_id(id_or_prefix: str) -> int:
    if id_or_prefix.isdigit():
        return int(id_or_prefix)
    ids = db.session.scalars(select(ApiToken.id).where(ApiToken.prefix == id_or_prefix)).all()
    if len(ids) != 1:
        raise click.ClickException(
            f"{len(ids)} tokens have the prefix {id_or_prefix!r}; give the id instead"
            if ids else f"no token with the prefix {id_or_prefix!r}")
    return ids[0]


@tokens_cli.command("revoke")
@click.argument("id_or_prefix")
def revoke(id_or_prefix: str) -> None:
    """Revoke the token with this id or prefix (from `tokens list`); it is refused at once."""
    token_id = _token_id(id_or_prefix)
    if not revoke_token(token_id):
        raise click.ClickException(f"no token with the id {token_id}")
    click.echo(f"revoked token {token_id}")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([str(r) for r in ALL_ROLES]), required=True)
@click.option("--organisation", "organisation_name", required=True)
@click.option("--country", default=None, help="ISO-2 country of a partner_agency account.")
@click.password_option()
def create_user(email, name, role, organisation_name, country, password) -> None:
    """Create a user in an existing organisation."""
    org = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name))
    if org is None:
        raise click.ClickException(f"no organisation named {organisation_name!r}")
    if role == "partner_agency" and not country:
        raise click.ClickException("a partner_agency account needs --country")
    db.session.add(User(email=email.strip().lower(), name=name, role=role, organisation=org,
                        country_code=country, password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"created {email} ({role})")


@users_cli.command("set-password")
@click.argument("email")
@click.password_option()
def set_password_command(email: str, password: str) -> None:
    """Set the password of the user with EMAIL; every session of the user ends."""
    try:
        set_password(_user(email).id, password)
    except PasswordRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"password of {email} changed; every session of the account has ended")

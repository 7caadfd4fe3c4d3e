"""`flask tokens ...` and `flask users ...`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db

from .models import Organisation, User
from .passwords import hash_password
from .roles import ALL_ROLES
from .tokens import create_token

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
def create(email: str, name: str) -> None:
    """Print a new API token for the user with EMAIL (shown once)."""
    token = create_token(_user(email), name)
    db.session.commit()
    click.echo(token)


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

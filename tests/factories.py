"""Real rows for tests, made through the models and the real operations."""

from __future__ import annotations

from itertools import count

from app.auth.models import Organisation, User
from app.auth.passwords import hash_password
from app.extensions import db

PASSWORD = "correct horse battery staple"
_serial = count(1)


def make_org(name: str | None = None, *, kind: str = "company", country: str = "JP",
             registration_no: str | None = None, authority_code: str | None = None):
    n = next(_serial)
    org = Organisation(name=name or f"Org {n}", kind=kind, country_code=country,
                       registration_no=registration_no, authority_code=authority_code,
                       address=f"{n} Test Street, Tokyo", tel="03-0000-0000",
                       email=f"org{n}@example.com")
    db.session.add(org)
    db.session.commit()
    return org


def make_user(role: str, org=None, *, country: str | None = None, email: str | None = None):
    n = next(_serial)
    if org is None:
        kind = "company" if role in ("exporter", "facility") else "authority"
        org = make_org(kind=kind, country=country or "JP")
    if role == "partner_agency" and country is None:
        country = org.country_code if org.country_code != "JP" else "US"
    user = User(email=email or f"{role}{n}@example.com", name=f"{role.title()} {n}",
                role=role, organisation=org, country_code=country,
                password_hash=hash_password(PASSWORD))
    db.session.add(user)
    db.session.commit()
    return user


def login(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response

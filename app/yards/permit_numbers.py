"""Permit numbers: per prefecture and year ("12-2026-00001"), allocated under the engine's
number sequences (a locked row per prefix and year), so concurrent grants never share one."""

from __future__ import annotations

from sqlalchemy import select

from app.cases.numbering import take_serial
from app.extensions import db

from .models import YardApplication


def next_permit_number(prefecture_code: str, year: int) -> str:
    while True:
        number = f"{prefecture_code}-{year}-{take_serial(f'YP{prefecture_code}', year):05d}"
        taken = db.session.scalar(select(YardApplication.case_id).where(
            YardApplication.permit_no == number))
        if taken is None:
            return number

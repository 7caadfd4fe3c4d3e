"""Values as the printed forms show them, in the language forced for the document.

Every function returns a plain string (empty for a missing value), so templates never see
ORM objects, Decimals or naive dates.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.numbers import format_decimal

from app.reference import lookups
from app.templating import locale_code
from app.timeutil import TOKYO


def day(value: date | datetime | None) -> str:
    """A date in the locale's long form: 2026年12月1日 / December 1, 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(TOKYO).date()
    return babel_date(value, "long", locale=locale_code())


def moment_jst(value: datetime) -> str:
    """A timestamp in Japan time with its zone spelt out, e.g. for "generated at"."""
    local = value.astimezone(TOKYO)
    return f"{day(local)} {babel_time(local, 'HH:mm', locale=locale_code())} JST"


def number(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=locale_code())


def label(list_name: str, code: str | None) -> str:
    """The reference label of a code in the document's language (the code when unknown)."""
    if not code:
        return ""
    row = lookups.find(list_name, code, None)
    return row.label(locale_code()) if row else code


def coded(list_name: str, code: str | None) -> dict[str, str]:
    return {"code": code or "", "label": label(list_name, code)}


def quantity(value: Decimal | None, unit: str | None) -> str:
    if value is None:
        return ""
    return f"{number(value)} {label('unit', unit)}".strip()


def country(code: str | None) -> str:
    return lookups.country_label(code, locale_code()) if code else ""


def text(value: str | None) -> str:
    return (value or "").strip()


def written(record: object, name: str) -> str:
    """A free text as the document's reader reads it: in an English document its English
    twin (`<name>_en`) when one was given, else the text as it was entered (and the other way
    round in a Japanese document, when only the English was given)."""
    own, english = getattr(record, name), getattr(record, f"{name}_en", None)
    return text(english or own) if locale_code() == "en" else text(own or english)

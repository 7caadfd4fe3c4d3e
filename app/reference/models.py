"""Versioned reference tables.

Every row carries the dates it is valid for and where it comes from, so a case can be checked
against the codes and rules that applied on its own dates (e.g. B1110 before 2025, Y49 after).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class ReferenceCode(db.Model):
    """One code of one list: countries, Basel annex entries, Y/H/R/D codes, packaging, HS..."""

    __tablename__ = "reference_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the list the code belongs to, e.g. "country", "basel_viii", "y_code", "operation"
    list_name: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    label_en: Mapped[str] = mapped_column(Text)
    label_ja: Mapped[str | None] = mapped_column(Text)
    #: first day the code is valid; None = valid since before records began
    valid_from: Mapped[date | None] = mapped_column(Date)
    #: last day the code is valid; None = still valid
    valid_to: Mapped[date | None] = mapped_column(Date)
    #: where the code and its wording come from (treaty article, regulation, dataset)
    source: Mapped[str] = mapped_column(Text)
    #: list-specific extras, e.g. {"oecd": true, "basel_party": false} for a country
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (
        UniqueConstraint("list_name", "code", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from",
                        name="valid_range"),
    )

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def label(self, locale: str) -> str:
        return self.label_ja if locale == "ja" and self.label_ja else self.label_en


class RegimeRule(db.Model):
    """A number a regime fixes: a deadline, a validity limit, a window — with its source.

    Deadlines are computed only from these rows, never from literals in code.
    """

    __tablename__ = "regime_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: BASEL, OECD, EU, JP (Japan's Basel Act ordinance)
    regime: Mapped[str] = mapped_column(String(10))
    #: what the number is for, e.g. "acknowledgement_period", "tacit_consent_period"
    key: Mapped[str] = mapped_column(String(60))
    amount: Mapped[int]
    #: working_days, business_days, calendar_days or months
    unit: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    #: verified / partly_verified / unverified, as graded against the primary legal text
    verification: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    #: the provision a text shown to users or partners cites ("Basel Convention Art. 6(4)");
    #: `source` keeps how it was found and verified, which is for maintainers only
    legal_basis: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("regime", "key", "valid_from"),
        CheckConstraint(
            "unit IN ('working_days', 'business_days', 'calendar_days', 'months')", name="unit"
        ),
        CheckConstraint(
            "verification IN ('verified', 'partly_verified', 'unverified')", name="verification"
        ),
    )


class ReferenceDataset(db.Model):
    """Which version of each reference file was loaded, and when (one row per load)."""

    __tablename__ = "reference_datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""The plan's measures and targets (reference data) and the links of cases to them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

LEVELS = ("section", "subsection", "measure", "sheet")
LINK_SOURCES = ("rule", "manual")


class Measure(db.Model):
    """A heading of the plan: a section, a subsection, a measure or one of its sheets."""

    __tablename__ = "measures"

    #: e.g. "2.c" (section 2, third measure) or "1.1.b.copper" (a sheet of measure 1.1.b)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    level: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("measures.code"))
    section: Mapped[int]
    #: the (1)..(5) of section 1; None where the section has no subsections
    subsection: Mapped[int | None]
    #: the page of the plan where the heading starts
    page: Mapped[int]
    title_ja: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    #: the title printed on the measure's own page, where it differs from the index
    page_title_ja: Mapped[str | None] = mapped_column(Text)

    targets: Mapped[list[MeasureTarget]] = relationship(
        back_populates="measure", order_by="MeasureTarget.id")

    __table_args__ = (
        CheckConstraint("level IN ('section', 'subsection', 'measure', 'sheet')", name="level"),
    )


class MeasureTarget(db.Model):
    """A target statement of a measure, with its number where the plan gives one."""

    __tablename__ = "measure_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_code: Mapped[str] = mapped_column(ForeignKey("measures.code"), index=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    #: indicator (a number), milestone (a year), statement (words only)
    kind: Mapped[str] = mapped_column(String(12))
    statement_ja: Mapped[str] = mapped_column(Text)
    statement_en: Mapped[str] = mapped_column(Text)
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 3))
    unit: Mapped[str | None] = mapped_column(String(30))
    target_year: Mapped[int | None]
    #: "fiscal" (April-March) or "calendar"
    year_basis: Mapped[str | None] = mapped_column(String(10))
    baseline_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 3))
    baseline_year: Mapped[int | None]
    #: the change on the baseline the plan states (+50 means "50 % more than the baseline")
    change_percent: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    #: ISO 3166-1 alpha-2 codes, space-separated, for targets about partner countries
    countries: Mapped[str | None] = mapped_column(String(200))
    page: Mapped[int]

    measure: Mapped[Measure] = relationship(back_populates="targets")

    __table_args__ = (
        CheckConstraint("kind IN ('indicator', 'milestone', 'statement')", name="kind"),
    )


class CaseMeasure(db.Model):
    """A case serving a measure: linked by a rule or by an official (with a reason).

    A link an official removed stays as a row with `removed_at`, so the rules do not link it
    again; the timeline holds who did it and why.
    """

    __tablename__ = "case_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    measure_code: Mapped[str] = mapped_column(ForeignKey("measures.code"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    #: why: the rule's basis, or the official's reason
    basis: Mapped[str] = mapped_column(Text)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    measure: Mapped[Measure] = relationship()

    __table_args__ = (
        UniqueConstraint("case_id", "measure_code"),
        CheckConstraint("source IN ('rule', 'manual')", name="source"),
    )


class IndicatorSnapshot(db.Model):
    """The dashboard's whole-history indicators as the scheduler last computed them
    (app/measures/snapshot.py). A new row each time; the newest is read, older ones pruned."""

    __tablename__ = "indicator_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: {"lead_times": {fiscal year: summary}, "tonnage": {fiscal year: {...}}}
    body: Mapped[dict] = mapped_column(JSON)

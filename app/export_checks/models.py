"""An export check's data: the consignment, its product lines, the per-unit test records,
the evidence for each of the five criteria, and MOE's decision and certificate."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import Attachment, Case
from app.extensions import db
from app.timeutil import UTCDateTime

#: the five criteria of MOE's criteria for distinguishing used goods from waste
CRITERIA = ("age_appearance", "working_condition", "packaging_loading", "second_hand_trade",
            "destination_market")
LOADING = ("individually_packed", "palletised", "bulk")
FUNCTION_RESULTS = ("passed", "failed", "not_tested")
GRADES = ("A", "B", "C", "D")
DECISIONS = ("accepted", "refused")


class ExportCheck(db.Model):
    """The consignment an exporter asks MOE to confirm as second-hand goods."""

    __tablename__ = "export_checks"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    destination_country: Mapped[str | None] = mapped_column(String(2))
    buyer_name: Mapped[str | None] = mapped_column(String(200))
    buyer_address: Mapped[str | None] = mapped_column(Text)
    planned_shipment_date: Mapped[date | None] = mapped_column(Date)
    port_of_loading: Mapped[str | None] = mapped_column(String(100))
    container_no: Mapped[str | None] = mapped_column(String(20))
    # --- evidence for the five criteria (attachments: ExportCheckEvidence) -----------------
    #: criterion 1: how old the goods are and how they look (scratches, dirt, missing parts)
    age_appearance_note: Mapped[str | None] = mapped_column(Text)
    #: criterion 2: how the units were tested (the per-unit records are ExportCheckUnit rows)
    working_condition_note: Mapped[str | None] = mapped_column(Text)
    #: criterion 3: how the goods are packed and loaded (one of LOADING)
    loading_method: Mapped[str | None] = mapped_column(String(20))
    packaging_note: Mapped[str | None] = mapped_column(Text)
    #: criterion 4: the contract or invoice of a second-hand sale
    trade_document_ref: Mapped[str | None] = mapped_column(String(100))
    trade_note: Mapped[str | None] = mapped_column(Text)
    #: criterion 5: the second-hand market for the goods in the destination
    market_note: Mapped[str | None] = mapped_column(Text)
    # --- MOE's inspection and decision ---------------------------------------------------
    inspected_on: Mapped[date | None] = mapped_column(Date)
    inspector: Mapped[str | None] = mapped_column(String(200))
    inspection_findings: Mapped[str | None] = mapped_column(Text)
    #: given with a (partial) confirmation; customs look the consignment up by it
    certificate_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    decided_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: when customs recorded the export: the certificate is used up
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the Basel export notification opened for the refused lines
    basel_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    lines: Mapped[list[ExportCheckLine]] = relationship(
        back_populates="check", order_by="ExportCheckLine.seq", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("loading_method IS NULL OR loading_method IN "
                        "('individually_packed', 'palletised', 'bulk')", name="loading_method"),
    )


class ExportCheckLine(db.Model):
    """One product line of the consignment: a product type, model and year, how many."""

    __tablename__ = "export_check_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("export_checks.case_id"), index=True)
    seq: Mapped[int]
    #: a code of the reference list "used_product_type" valid on the day of filing
    product_type: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(100))
    #: year of manufacture
    year: Mapped[int]
    quantity: Mapped[int]
    #: MOE's decision on the line (None until decided) and why
    decision: Mapped[str | None] = mapped_column(String(10))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    check: Mapped[ExportCheck] = relationship(back_populates="lines")
    units: Mapped[list[ExportCheckUnit]] = relationship(
        back_populates="line", order_by="ExportCheckUnit.id", cascade="all, delete-orphan")
    #: what MOE's inspection found on this line (None until recorded)
    finding: Mapped[ExportCheckFinding | None] = relationship(
        back_populates="line", cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("decision IS NULL OR decision IN ('accepted', 'refused')",
                        name="decision"),
    )


class ExportCheckUnit(db.Model):
    """The test record of one unit of a line (criterion 2: working condition)."""

    __tablename__ = "export_check_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("export_check_lines.id"), index=True)
    serial: Mapped[str] = mapped_column(String(100))
    power_on: Mapped[bool]
    function_test: Mapped[str] = mapped_column(String(10))
    cosmetic_grade: Mapped[str] = mapped_column(String(1))

    line: Mapped[ExportCheckLine] = relationship(back_populates="units")

    __table_args__ = (
        UniqueConstraint("line_id", "serial"),
        CheckConstraint("function_test IN ('passed', 'failed', 'not_tested')",
                        name="function_test"),
        CheckConstraint("cosmetic_grade IN ('A', 'B', 'C', 'D')", name="cosmetic_grade"),
    )


class ExportCheckEvidence(db.Model):
    """Which criterion an attachment of the case is evidence for (photos, test records,
    loading plan, contract or invoice, market information)."""

    __tablename__ = "export_check_evidence"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    criterion: Mapped[str] = mapped_column(String(30))

    attachment: Mapped[Attachment] = relationship()

    __table_args__ = (
        CheckConstraint("criterion IN ('age_appearance', 'working_condition', "
                        "'packaging_loading', 'second_hand_trade', 'destination_market', "
                        "'inspection')", name="criterion"),
    )


class ExportCheckFinding(db.Model):
    """What MOE's inspection found on one line: units looked at, units failing, in words, with
    photos. A line decision refusing the line may take its reason from here."""

    __tablename__ = "export_check_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("export_check_lines.id"), unique=True)
    units_inspected: Mapped[int]
    units_failing: Mapped[int]
    finding: Mapped[str | None] = mapped_column(Text)

    line: Mapped[ExportCheckLine] = relationship(back_populates="finding")
    photos: Mapped[list[ExportCheckFindingPhoto]] = relationship(
        back_populates="finding", order_by="ExportCheckFindingPhoto.attachment_id",
        cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("units_inspected >= 0", name="units_inspected"),
        CheckConstraint("units_failing >= 0 AND units_failing <= units_inspected",
                        name="units_failing"),
    )


class ExportCheckFindingPhoto(db.Model):
    """A photo taken at the inspection of a line (an attachment of the case, kind "photo")."""

    __tablename__ = "export_check_finding_photos"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("export_check_findings.id"), index=True)

    attachment: Mapped[Attachment] = relationship()
    finding: Mapped[ExportCheckFinding] = relationship(back_populates="photos")

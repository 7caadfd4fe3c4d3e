"""A scrap-yard permit case's own tables: the application (operator, site, measures), its
storage areas, the inspection findings and the yard's ledger of receipts and shipments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import Case
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

#: what a ledger row records
LEDGER_KINDS = ("receipt", "shipment")
LEDGER_UNITS = ("t", "kg", "pcs")


class YardApplication(db.Model):
    """The application for one yard and, once granted, its permit."""

    __tablename__ = "yard_applications"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    # --- the operator -------------------------------------------------------------------------
    operator_name: Mapped[str | None] = mapped_column(String(200))
    #: corporate number (法人番号), 13 digits
    corporate_no: Mapped[str | None] = mapped_column(String(13))
    operator_address: Mapped[str | None] = mapped_column(String(400))
    representative_name: Mapped[str | None] = mapped_column(String(200))
    representative_title: Mapped[str | None] = mapped_column(String(100))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_tel: Mapped[str | None] = mapped_column(String(40))
    #: declaration key -> True when the operator declares that ground does not apply
    disqualification: Mapped[dict] = mapped_column(JSON, default=dict)
    # --- the site -----------------------------------------------------------------------------
    site_address: Mapped[str | None] = mapped_column(String(400))
    #: JIS X 0401 prefecture code ("12" Chiba): the prefecture that decides
    prefecture_code: Mapped[str | None] = mapped_column(String(2), index=True)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    site_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    housing_distance_m: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # --- measures -----------------------------------------------------------------------------
    enclosure: Mapped[str | None] = mapped_column(Text)
    enclosure_height_m: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    sign_width_cm: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    sign_height_cm: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    drainage: Mapped[str | None] = mapped_column(Text)
    oil_infiltration: Mapped[str | None] = mapped_column(Text)
    #: fire prevention, in particular separation and detection for lithium-ion batteries
    fire_prevention: Mapped[str | None] = mapped_column(Text)
    lib_separation_m: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    lib_detection: Mapped[bool] = mapped_column(default=False)
    # --- the residents' briefing --------------------------------------------------------------
    briefing_date: Mapped[date | None] = mapped_column(Date)
    #: the radius around the site within which residents were invited
    briefing_radius_m: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    briefing_record: Mapped[str | None] = mapped_column(Text)
    # --- existing operators under the notification regime ------------------------------------
    old_notification_no: Mapped[str | None] = mapped_column(String(40))
    old_notification_date: Mapped[date | None] = mapped_column(Date)
    apply_by: Mapped[date | None] = mapped_column(Date)
    # --- the decision -------------------------------------------------------------------------
    #: the standard set the application was checked against (a yard_standard code)
    standard_set: Mapped[str | None] = mapped_column(String(40))
    permit_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str | None] = mapped_column(Text)
    inspection_date: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship()
    areas: Mapped[list[StorageArea]] = relationship(
        back_populates="application", order_by="StorageArea.id", cascade="all, delete-orphan")


class StorageArea(db.Model):
    """One pile or storage area of the yard, checked one by one against the standard set."""

    __tablename__ = "yard_storage_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("yard_applications.case_id"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    #: a yard_material code
    material: Mapped[str] = mapped_column(String(40))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    max_pile_height_m: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    #: distance to the next pile
    spacing_m: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    #: the most the area may hold, in tonnes (stock is compared against it)
    capacity_t: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))

    application: Mapped[YardApplication] = relationship(back_populates="areas")


class InspectionFinding(db.Model):
    """What the inspector found at one storage area (or the site, with no area)."""

    __tablename__ = "yard_inspection_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    storage_area_id: Mapped[int | None] = mapped_column(ForeignKey("yard_storage_areas.id"))
    measured_height_m: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    compliant: Mapped[bool]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(db.Model):
    """A receipt into or a shipment out of the yard (the operator's record duty)."""

    __tablename__ = "yard_ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(10))
    entry_date: Mapped[date] = mapped_column(Date)
    counterparty: Mapped[str] = mapped_column(String(200))
    material: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(4))
    #: a domestic address, or for a shipment abroad the country (ISO 3166-1 alpha-2)
    destination: Mapped[str | None] = mapped_column(String(400))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    #: for a shipment abroad: the Basel notification or export-check certificate number
    export_reference: Mapped[str | None] = mapped_column(String(40))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('receipt', 'shipment')", name="kind"),
        CheckConstraint("unit IN ('t', 'kg', 'pcs')", name="unit"),
        CheckConstraint("quantity > 0", name="positive_quantity"),
        Index("ix_yard_ledger_entries_case_material", "case_id", "material"),
    )

"""Shipments under a notification: the movement document's data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import Case
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class Shipment(db.Model):
    """One movement: shipment n of N of a notification. Its case carries state and trail."""

    __tablename__ = "shipments"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    #: the notification (its case id) the shipment is made under
    notification_id: Mapped[int] = mapped_column(ForeignKey("basel_notifications.case_id"),
                                                 index=True)
    #: MD block 2: serial number n of the intended N
    seq: Mapped[int]
    #: MD block 5: actual quantity
    actual_quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    quantity_unit: Mapped[str | None] = mapped_column(String(4))
    #: MD block 6: actual date of shipment
    shipment_date: Mapped[date | None] = mapped_column(Date)
    #: expected arrival at the facility: the receipt confirmation is due from it
    expected_arrival: Mapped[date | None] = mapped_column(Date)
    #: MD block 7: packaging codes and number of packages
    packaging: Mapped[list] = mapped_column(JSON, default=list)
    packages: Mapped[int | None]
    #: DIWASS movementDocumentDueToTakeBack: this movement returns a rejected shipment
    due_to_take_back: Mapped[bool] = mapped_column(default=False)
    take_back_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    #: MD block 18: reception at the facility
    received_on: Mapped[date | None] = mapped_column(Date)
    received_quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    approx_recovery_date: Mapped[date | None] = mapped_column(Date)
    #: MD block 19: certificate of recovery/disposal
    recovery_completed_on: Mapped[date | None] = mapped_column(Date)
    recovery_operation_code: Mapped[str | None] = mapped_column(String(5))
    #: MD block 16: further information
    notes: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    transfers: Mapped[list[CustodyTransfer]] = relationship(
        back_populates="shipment", order_by="CustodyTransfer.seq", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("actual_quantity IS NULL OR actual_quantity > 0",
                        name="actual_quantity_positive"),
        CheckConstraint("quantity_unit IN ('t', 'm3')", name="quantity_unit"),
        CheckConstraint("seq > 0", name="seq_positive"),
        UniqueConstraint("notification_id", "seq"),
    )


class CustodyTransfer(db.Model):
    """MD block 8: a carrier taking charge of the waste (date, means of transport, signature)."""

    __tablename__ = "custody_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.case_id"), index=True)
    seq: Mapped[int]
    carrier_name: Mapped[str] = mapped_column(String(200))
    transport_mode: Mapped[str] = mapped_column(String(2))
    transferred_on: Mapped[date] = mapped_column(Date)
    #: the name of the person who signed for the carrier
    signed_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shipment: Mapped[Shipment] = relationship(back_populates="transfers")

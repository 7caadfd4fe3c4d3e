"""Basel notification data, modelled on the harmonised notification document
and Basel Annex V A. Block numbers are in the `#:` comments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import Attachment, Case, trigram_index
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

PARTY_ROLES = ("exporter", "importer", "generator", "facility", "carrier")
STATE_ROLES = ("export", "transit", "import")
RESPONSE_KINDS = (
    "acknowledgement",
    "consent",
    "tacit_consent",
    "objection",
    "information_request",
    "information_reply",
)


#: the free texts a partner authority reads -> their English twin (Basel Convention Art. 6(1):
#: the notification is in a language the State of import accepts)
ENGLISH_TWINS = {"waste_designation": "waste_designation_en",
                 "waste_composition": "waste_composition_en",
                 "generating_process": "generating_process_en",
                 "technology": "technology_en", "reason_for_export": "reason_for_export_en"}


class BaselNotification(db.Model):
    __tablename__ = "basel_notifications"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    #: block 3A: single (individual shipment) or general (multiple shipments)
    notification_type: Mapped[str | None] = mapped_column(String(10))
    #: block 3C: the recovery facility is pre-consented
    pre_consented: Mapped[bool] = mapped_column(default=False)
    #: block 4
    intended_shipments: Mapped[int | None]
    #: block 5
    total_quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    quantity_unit: Mapped[str | None] = mapped_column(String(4))
    #: block 6
    first_departure: Mapped[date | None] = mapped_column(Date)
    last_departure: Mapped[date | None] = mapped_column(Date)
    #: block 7: special handling requirements (the packaging codes are NotificationCode rows)
    special_handling: Mapped[bool] = mapped_column(default=False)
    special_handling_details: Mapped[str | None] = mapped_column(Text)
    #: block 11 (block 3B disposal/recovery follows from the code)
    operation_code: Mapped[str | None] = mapped_column(String(5))
    technology: Mapped[str | None] = mapped_column(Text)
    #: block 11 / Annex V A item 1
    reason_for_export: Mapped[str | None] = mapped_column(Text)
    #: block 12
    waste_designation: Mapped[str | None] = mapped_column(Text)
    waste_composition: Mapped[str | None] = mapped_column(Text)
    #: block 9 / Annex V A item 16
    generating_process: Mapped[str | None] = mapped_column(Text)
    #: the English twins of the texts above, for the partner authorities (ENGLISH_TWINS)
    technology_en: Mapped[str | None] = mapped_column(Text)
    reason_for_export_en: Mapped[str | None] = mapped_column(Text)
    waste_designation_en: Mapped[str | None] = mapped_column(Text)
    waste_composition_en: Mapped[str | None] = mapped_column(Text)
    generating_process_en: Mapped[str | None] = mapped_column(Text)
    #: block 14 (x), (xi), (iv)-(vi): free-form identifiers (coded ones are NotificationCode rows)
    un_number: Mapped[str | None] = mapped_column(String(10))
    un_shipping_name: Mapped[str | None] = mapped_column(String(200))
    national_code_export: Mapped[str | None] = mapped_column(String(40))
    national_code_import: Mapped[str | None] = mapped_column(String(40))
    #: Annex V A item 12
    insurance: Mapped[str | None] = mapped_column(Text)
    #: the financial guarantee's particulars (Basel Art. 6(11)): all given or none
    guarantee_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    guarantee_currency: Mapped[str | None] = mapped_column(String(3))  #: ISO 4217
    guarantor: Mapped[str | None] = mapped_column(String(200))
    guarantee_valid_from: Mapped[date | None] = mapped_column(Date)
    guarantee_valid_to: Mapped[date | None] = mapped_column(Date)
    #: block 16
    customs_office_exit: Mapped[str | None] = mapped_column(String(200))
    customs_office_entry: Mapped[str | None] = mapped_column(String(200))
    #: block 17: the notifier's declaration
    declaration_name: Mapped[str | None] = mapped_column(String(200))
    declaration_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: import/transit: the day Japan received the partner authority's notification
    received_on: Mapped[date | None] = mapped_column(Date)
    #: import: the importer's certification as a recycling importer (no METI approval needed)
    importer_certification_no: Mapped[str | None] = mapped_column(String(40))
    importer_certified_until: Mapped[date | None] = mapped_column(Date)
    #: when MOE transmitted the notification to the States concerned (partners see it from then)
    transmitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Basel Art. 6(3)(b): MOE holds written confirmation of the exporter–disposer contract
    contract_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: METI's approval under the Foreign Exchange Act: export (Art. 48(3)) or import (Art. 52)
    approval_no: Mapped[str | None] = mapped_column(String(40))
    approval_date: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship()
    parties: Mapped[list[Party]] = relationship(
        back_populates="notification", order_by="(Party.role, Party.seq)",
        cascade="all, delete-orphan",
    )
    codes: Mapped[list[NotificationCode]] = relationship(
        back_populates="notification", order_by="(NotificationCode.scheme, NotificationCode.seq)",
        cascade="all, delete-orphan",
    )
    states: Mapped[list[StateConcerned]] = relationship(
        back_populates="notification", order_by="StateConcerned.seq",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint("notification_type IN ('single', 'general')", name="notification_type"),
        CheckConstraint("quantity_unit IN ('t', 'm3')", name="quantity_unit"),
        CheckConstraint("intended_shipments IS NULL OR intended_shipments > 0",
                        name="intended_shipments_positive"),
        CheckConstraint("total_quantity IS NULL OR total_quantity > 0",
                        name="total_quantity_positive"),
    )

    def in_english(self, name: str) -> str | None:
        """The English twin of a free text, or the text itself when no twin was given."""
        return getattr(self, ENGLISH_TWINS[name]) or getattr(self, name)

    def parties_in(self, role: str) -> list[Party]:
        return [p for p in self.parties if p.role == role]

    def codes_in(self, scheme: str) -> list[str]:
        return [c.code for c in self.codes if c.scheme == scheme]

    def states_in(self, role: str) -> list[StateConcerned]:
        return [s for s in self.states if s.role == role]

    @property
    def import_state(self) -> StateConcerned | None:
        found = self.states_in("import")
        return found[0] if found else None

    @property
    def authorities(self) -> list[StateConcerned]:
        """The foreign States whose consent the movement needs: import and transit."""
        return [s for s in self.states if s.role in ("import", "transit")]


class Party(db.Model):
    """Exporter (block 1), importer (2), carriers (8), generators (9), facility (10)."""

    __tablename__ = "notification_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("basel_notifications.case_id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    seq: Mapped[int] = mapped_column(default=1)
    registration_no: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(400))
    country_code: Mapped[str | None] = mapped_column(String(2))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    tel: Mapped[str | None] = mapped_column(String(40))
    fax: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    #: generator: site of generation; facility: actual site of disposal/recovery
    site: Mapped[str | None] = mapped_column(String(400))
    #: carrier: means of transport code (R, T, S, A, W)
    transport_mode: Mapped[str | None] = mapped_column(String(2))
    #: facility: the Annex IV operations its licence covers ("R4,R12"), checked against the
    #: notified operation (Basel Convention Art. 4(2)(e), 6(3)(b))
    licensed_operations: Mapped[str | None] = mapped_column(String(200))
    #: the organisation in this system this party is, when it has an account (facility access)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    notification: Mapped[BaselNotification] = relationship(back_populates="parties")

    __table_args__ = (
        CheckConstraint(
            "role IN ('exporter', 'importer', 'generator', 'facility', 'carrier')", name="role"
        ),
        trigram_index("ix_notification_parties_name_trgm", "name"),
        # the cases naming a company with an account: its users' lists start from them
        Index("ix_notification_parties_organisation", "organisation_id", "role", "case_id",
              postgresql_where=sql_text("organisation_id IS NOT NULL"),
              sqlite_where=sql_text("organisation_id IS NOT NULL")),
    )


class NotificationCode(db.Model):
    """A coded value of the form: Basel/OECD/Y/H/UN class/HS (block 14), packaging (7),
    transport modes (8), physical characteristics (13)."""

    __tablename__ = "notification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("basel_notifications.case_id"), index=True)
    #: the reference list the code comes from (basel_viii, basel_ix, oecd_gc, y_code, h_code,
    #: un_class, hs, packaging, transport_mode, physical)
    scheme: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(default=1)

    notification: Mapped[BaselNotification] = relationship(back_populates="codes")

    __table_args__ = (UniqueConstraint("case_id", "scheme", "code"),
                      trigram_index("ix_notification_codes_code_trgm", "code"))


# the code filter (any case): its lookup, and on PostgreSQL the statistics of upper(code) that
# tell the planner how common a code is (without them it guessed 0.5% for a code on 10%)
Index("ix_notification_codes_upper_code", func.upper(NotificationCode.code),
      NotificationCode.case_id)


class StateConcerned(db.Model):
    """Block 15: a State concerned (export, transit in order, import) and its authority."""

    __tablename__ = "states_concerned"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("basel_notifications.case_id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    #: order along the route: export first, transits in order, import last
    seq: Mapped[int]
    country_code: Mapped[str] = mapped_column(String(2))
    authority_code: Mapped[str | None] = mapped_column(String(20))
    exit_point: Mapped[str | None] = mapped_column(String(200))
    entry_point: Mapped[str | None] = mapped_column(String(200))

    notification: Mapped[BaselNotification] = relationship(back_populates="states")
    responses: Mapped[list[AuthorityResponse]] = relationship(
        back_populates="state", order_by="AuthorityResponse.id"
    )

    __table_args__ = (
        CheckConstraint("role IN ('export', 'transit', 'import')", name="role"),
        UniqueConstraint("case_id", "country_code", "role"),
        Index("ix_states_concerned_country", "country_code", "case_id"),  # the country filter
    )


class AuthorityResponse(db.Model):
    """What a foreign authority answered, as recorded by MOE (by hand until XML exchange)."""

    __tablename__ = "authority_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states_concerned.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    #: the date on the partner's document
    received_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    #: consent conditions, objection reasons, the question asked or the answer given
    text: Mapped[str | None] = mapped_column(Text)
    #: its English twin, when Japan answers (the partner authority reads English)
    text_en: Mapped[str | None] = mapped_column(Text)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    state: Mapped[StateConcerned] = relationship(back_populates="responses")
    attachment: Mapped[Attachment | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "kind IN ('acknowledgement', 'consent', 'tacit_consent', 'objection',"
            " 'information_request', 'information_reply')",
            name="kind",
        ),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from",
                        name="valid_range"),
    )

"""The roles a user can hold. One role per account; organisations group accounts."""

from enum import StrEnum


class Role(StrEnum):
    EXPORTER = "exporter"  #: exporter/importer/notifier: files and tracks its organisation's cases
    FACILITY = "facility"  #: recycling/disposal facility named in cases
    OFFICIAL_MOE = "official_moe"  #: Ministry of the Environment: Basel CA, review, decisions
    OFFICIAL_METI = "official_meti"  #: METI: export/import approval under the Foreign Exchange Act
    PREFECTURE = "prefecture"  #: prefectural officials (scrap-yard permits)
    CUSTOMS = "customs"  #: customs officers: verify coverage of shipments
    PARTNER_AGENCY = "partner_agency"  #: a partner country's authority (bound to its country)
    #: a partner authority's system: the account its signed XML messages act as
    PARTNER_SYSTEM = "partner_system"
    ADMIN = "admin"  #: system administrator
    #: operator of a scrap yard: applies for the yard's permit, keeps its ledger
    YARD_OPERATOR = "yard_operator"


ALL_ROLES = tuple(Role)
OFFICIAL_ROLES = frozenset({Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.PREFECTURE, Role.CUSTOMS})

"""Every figure of the dashboard for one fiscal year: the measure it belongs to, its value,
unit and target, and how it was computed. The page, the CSV and the PDF all show this list,
so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .activity import cases_by_state, certificates_on_time, partners_exchanging
from .leadtime import STAGES, empty_summary
from .snapshot import Indicators, indicators
from .tonnage import TonnageYear
from .trajectory import escrap_trajectory

#: the partners the plan names for linking the electronic procedures (US, Canada, Mexico)
NORTH_AMERICA = ("US", "CA", "MX")
STAGE_LABELS = {"complete": _l("submission to complete"),
                "sent": _l("submission to sent to the partner"),
                "partner_consent": _l("submission to the partner's consent"),
                "japan_consent": _l("submission to Japan's consent")}


@dataclass(frozen=True)
class Figure:
    measure: str
    key: str
    label: str
    value: float | int | None
    unit: str
    target: str
    formula: str
    #: decimals shown (tonnes to the kilogram)
    decimals: int = 1
    #: when the scheduler computed it (app/measures/snapshot.py); None: for this request
    as_of: datetime | None = None

    @property
    def shown(self) -> str:
        """The value as the page and the CSV print it (no value: an empty cell)."""
        if self.value is None:
            return ""
        if isinstance(self.value, float):
            step = Decimal(1).scaleb(-self.decimals)
            return str(Decimal(str(self.value)).quantize(step, ROUND_HALF_UP))
        return str(self.value)


def figures(year: int, found: Indicators | None = None) -> list[Figure]:
    """The year's figures; `found` are the whole-history indicators when the caller has them
    already (the dashboard draws its charts from them too)."""
    found = indicators() if found is None else found
    lead = lead_time_figures(year, found.lead_times.get(year) or empty_summary())
    tonnage = tonnage_figures(year, found.tonnage.get(year, TonnageYear(year)))
    return [*_as_of(lead, found.as_of), *exchange_figures(year), *_as_of(tonnage, found.as_of),
            *case_count_figures(year)]


def _as_of(items: list[Figure], moment: datetime | None) -> list[Figure]:
    return items if moment is None else [replace(item, as_of=moment) for item in items]


def lead_time_figures(year: int, total: dict) -> list[Figure]:
    """`total`: the year's `LeadTimeYear.summary()`."""
    scope = _("Basel export and import cases whose Japanese consent fell in FY%(y)s (April to "
              "March); days counted from submission (an import: registration of the partner's "
              "notification), in Japan's time zone.", y=year)
    target = _("about one month per case")
    out = [Figure("2.c", "pic_cases_consented", _("PIC cases consented"), total["cases"],
                  _("cases"), "", scope),
           Figure("2.c", "pic_within_one_month", _("consented within one month"),
                  total["within_one_month"], _("cases"), target,
                  scope + " " + _("Counted when the consent date is not later than the same "
                                  "day of the next month."))]
    for stage in STAGES:
        summary = total["stages"][stage]
        for stat, label in (("median", _("median")), ("p90", _("90th percentile"))):
            for basis, unit in (("calendar", _("calendar days")), ("working", _("working days"))):
                out.append(Figure(
                    "2.c", f"pic_{stage}_{stat}_{basis}_days",
                    f"{STAGE_LABELS[stage]}: {label}", summary[f"{stat}_{basis}_days"], unit,
                    target if stage == "japan_consent" else "",
                    scope + " " + _formula(stat, basis)))
    return out


def _formula(stat: str, basis: str) -> str:
    text = (_("Median: the middle value (the mean of the two middle values for an even count).")
            if stat == "median" else
            _("90th percentile by nearest rank: the smallest value that at least nine in ten "
              "of the cases do not exceed."))
    if basis == "working":
        text += " " + _("Working days: Japan's calendar, without weekends, national holidays "
                        "and 29 December to 3 January.")
    return text


def exchange_figures(year: int) -> list[Figure]:
    countries = partners_exchanging(year)
    certificates = certificates_on_time(year)
    scope = _("Partner authorities with at least one message accepted from them or "
              "acknowledged by them in FY%(y)s.", y=year)
    cert_scope = _("Receipt and recovery certificates of shipments due in FY%(y)s: on time when "
                   "recorded before the time limit ran out.", y=year)
    north = [c for c in countries if c in NORTH_AMERICA]
    return [
        Figure("2.c", "partners_exchanging", _("partner authorities exchanging electronically"),
               len(countries), _("authorities"), "", scope),
        Figure("2.c", "north_america_linked", _("of them in the US, Canada and Mexico"),
               len(set(north)), _("countries"), "3", scope),
        Figure("2.c", "certificates_on_time", _("certificates on time"), certificates["on_time"],
               _("certificates"), "", cert_scope),
        Figure("2.c", "certificates_late", _("certificates late"), certificates["late"],
               _("certificates"), "", cert_scope),
        Figure("2.c", "certificates_awaited", _("certificates still awaited"),
               certificates["awaited"], _("certificates"), "", cert_scope)]


def tonnage_figures(year: int, tonnage: TonnageYear) -> list[Figure]:
    scope = _("Shipments received at the facility in FY%(y)s under a notification for recovery "
              "(R1-R13) naming an e-scrap code (A1181, A1180, B1110, Y49, GC020); received "
              "quantity, else the shipped quantity, in tonnes.", y=year)
    trajectory = escrap_trajectory(year)
    target = _("%(t)s t on the path to 500,000 t in 2030 (the plan's figure covers all "
               "domestic recycling, imports being part of it)", t=_tonnes(trajectory))
    out = [Figure("2.b", "escrap_import_tonnes", _("e-scrap imported for recovery"),
                  _tonnes(tonnage.total("import")), "t", target, scope, 3),
           Figure("2.b", "escrap_export_tonnes", _("e-scrap exported for recovery"),
                  _tonnes(tonnage.total("export")), "t", "", scope, 3),
           Figure("2.b", "escrap_not_in_tonnes", _("shipments not counted (quantity in m³)"),
                  tonnage.not_in_tonnes, _("shipments"), "", scope)]
    for (direction, country, code), tonnes in sorted(tonnage.tonnes.items()):
        out.append(Figure("2.b", f"escrap_{direction}_tonnes:{country}:{code}",
                          f"{_('imported') if direction == 'import' else _('exported')} · "
                          f"{country} · {code}", _tonnes(tonnes), "t", "", scope, 3))
    return out


def _tonnes(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.001"), ROUND_HALF_UP))


def case_count_figures(year: int) -> list[Figure]:
    counts = cases_by_state(year)
    out = []
    labels = {"scrap_yard": _("scrap-yard permit cases"), "export_check": _("export-check cases")}
    for case_type, states in counts.items():
        scope = _("Cases of this procedure filed in FY%(y)s, by their state today.", y=year)
        out.append(Figure("1.3.a", f"cases:{case_type}", labels[case_type],
                          sum(states.values()), _("cases"), "", scope))
        for state, n in sorted(states.items()):
            out.append(Figure("1.3.a", f"cases:{case_type}:{state}",
                              f"{labels[case_type]} · {state}", n, _("cases"), "", scope))
    return out

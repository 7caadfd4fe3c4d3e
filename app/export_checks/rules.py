"""The rule check: each line against the criteria in force, as the engine's plausibility rules.

The criteria and the product types (with their age limits) are versioned reference data
(lists "used_export_criterion" and "used_product_type"); a criterion not in force on the day
checks nothing. Every finding names the source of the criterion it applies. `evaluate` gives
the result per criterion with the evidence it used: the exporter reads it before submitting,
the official in the review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.cases.plausibility import Finding, Rule, register_rules
from app.extensions import db
from app.reference import lookups
from workflows.base import N_

from .models import ExportCheck, ExportCheckEvidence

CRITERIA_LIST = "used_export_criterion"
TYPES_LIST = "used_product_type"
MOE_CRITERIA = ("MOE criteria for distinguishing second-hand goods from waste "
                "(使用済家電製品等の輸出時における中古品判断基準)")


def _criterion(code: str, on: date):
    return lookups.find(CRITERIA_LIST, code, on)


def _finding(code: str, criterion, field: str, message: str, **params: Any) -> Finding:
    return Finding(f"export_check.{code}", field, message,
                   tuple((k, str(v)) for k, v in params.items()), source=criterion.source)


def _check(case) -> ExportCheck:
    return db.session.get(ExportCheck, case.id)


def _evidence_files(case_id: int, criterion: str) -> list[str]:
    rows = db.session.query(ExportCheckEvidence).filter_by(case_id=case_id,
                                                          criterion=criterion).all()
    return [row.attachment.filename for row in rows]


# --- the criteria -------------------------------------------------------------------------------
def age_appearance(check: ExportCheck, criterion, on: date) -> Iterator[Finding]:
    for line in check.lines:
        kind = lookups.find(TYPES_LIST, line.product_type, on)
        limit = (kind.attributes or {}).get("max_age_years") if kind else None
        if limit is not None and on.year - line.year > limit:
            yield _finding("age_appearance", criterion, f"lines.{line.seq}.year", N_(
                "Line {line}: made in {year}, older than the {limit} years allowed for "
                "its product type."), line=line.seq, year=line.year, limit=limit)


def working_condition(check: ExportCheck, criterion, on: date) -> Iterator[Finding]:
    required = (criterion.attributes or {}).get("required_function_test", "passed")
    for line in check.lines:
        if len(line.units) < line.quantity:
            yield _finding("working_condition", criterion, f"lines.{line.seq}.units", N_(
                "Line {line}: test records for {recorded} of {quantity} units."),
                line=line.seq, recorded=len(line.units), quantity=line.quantity)
        failed = [u.serial for u in line.units
                  if not u.power_on or u.function_test != required]
        if failed:
            yield _finding("working_condition", criterion, f"lines.{line.seq}.units", N_(
                "Line {line}: {count} unit(s) without a passed power-on and function test: "
                "{serials}."), line=line.seq, count=len(failed), serials=", ".join(failed[:5]))
        if line.finding is not None and line.finding.units_failing:
            yield _finding("working_condition", criterion, f"lines.{line.seq}.finding", N_(
                "Line {line}: the inspection found {failing} of {inspected} inspected units "
                "failing."), line=line.seq, failing=line.finding.units_failing,
                inspected=line.finding.units_inspected)


def packaging_loading(check: ExportCheck, criterion, on: date) -> Iterator[Finding]:
    refused = (criterion.attributes or {}).get("refused_loading", [])
    if check.loading_method in refused:
        yield _finding("packaging_loading", criterion, "loading_method", N_(
            "The goods are loaded in bulk, unprotected against damage."))


def second_hand_trade(check: ExportCheck, criterion, on: date) -> Iterator[Finding]:
    if not check.trade_document_ref and not _evidence_files(check.case_id,
                                                            "second_hand_trade"):
        yield _finding("second_hand_trade", criterion, "trade_document_ref", N_(
            "No contract or invoice shows a sale of the goods for reuse."))


def destination_market(check: ExportCheck, criterion, on: date) -> Iterator[Finding]:
    if not (check.market_note or "").strip() and not _evidence_files(check.case_id,
                                                                     "destination_market"):
        yield _finding("destination_market", criterion, "market_note", N_(
            "Nothing shows a second-hand market for the goods in the destination."))


def lead_acid_battery(check: ExportCheck, criterion, on: date) -> Iterator[Finding]:
    for line in check.lines:
        kind = lookups.find(TYPES_LIST, line.product_type, on)
        if kind and (kind.attributes or {}).get("domestic_processing"):
            yield _finding("lead_acid_battery", criterion, f"lines.{line.seq}.product_type",
                           N_("Line {line}: used lead-acid batteries are to be processed in "
                              "Japan, not exported as second-hand goods."), line=line.seq)


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    check: Callable[[ExportCheck, Any, date], Iterator[Finding]]


CRITERIA = (
    Criterion("age_appearance", N_("Age and appearance"), age_appearance),
    Criterion("working_condition", N_("Working condition"), working_condition),
    Criterion("packaging_loading", N_("Packaging and loading"), packaging_loading),
    Criterion("second_hand_trade", N_("A real second-hand trade"), second_hand_trade),
    Criterion("destination_market", N_("A second-hand market in the destination"),
              destination_market),
    Criterion("lead_acid_battery", N_("Lead-acid batteries: domestic processing"),
              lead_acid_battery),
)


def _rule(criterion: Criterion) -> Rule:
    def check(case, on: date) -> Iterator[Finding]:
        found = _criterion(criterion.code, on)
        if found is not None:
            yield from criterion.check(_check(case), found, on)

    return Rule(f"export_check.{criterion.code}", criterion.title, MOE_CRITERIA, check)


RULES = [_rule(c) for c in CRITERIA]


def install() -> None:
    register_rules("export_check", RULES)


# --- the result per criterion, with the evidence it used ---------------------------------------
def evaluate(case, on: date) -> list[dict[str, Any]]:
    check = _check(case)
    results = []
    for criterion in CRITERIA:
        found = _criterion(criterion.code, on)
        findings = list(criterion.check(check, found, on)) if found else []
        results.append({"code": criterion.code, "title": criterion.title,
                        "in_force": found is not None,
                        "source": found.source if found else "",
                        "passed": found is not None and not findings,
                        "findings": [f.as_dict() for f in findings],
                        "evidence": EVIDENCE[criterion.code](check, on)})
    return results


LOADING_LABELS = {"individually_packed": N_("Each unit packed on its own"),
                  "palletised": N_("Packed and secured on pallets"),
                  "bulk": N_("Loaded in bulk (unpacked)")}


def _loading(check: ExportCheck) -> list[dict[str, Any]]:
    if not check.loading_method:
        return []
    return [_said(LOADING_LABELS.get(check.loading_method, check.loading_method))]


def _said(message: str, **params: Any) -> dict[str, Any]:
    """One piece of evidence as the panel prints it (a translatable template and its values)."""
    return {"message": message, "params": {k: str(v) for k, v in params.items()}}


def _texts(*values: str | None) -> list[dict[str, Any]]:
    return [_said("{text}", text=v) for v in values if v]


def _files(check: ExportCheck, criterion: str) -> list[dict[str, Any]]:
    return [_said(N_("File: {name}"), name=name)
            for name in _evidence_files(check.case_id, criterion)]


def _lines_evidence(check: ExportCheck, on: date) -> list[dict[str, Any]]:
    out = []
    for line in check.lines:
        kind = lookups.find(TYPES_LIST, line.product_type, on)
        limit = (kind.attributes or {}).get("max_age_years") if kind else "–"
        out.append(_said(N_("Line {line}: {type} {model}, made in {year} (limit {limit} "
                            "years)"), line=line.seq, type=line.product_type,
                         model=line.model, year=line.year, limit=limit))
    return out + _texts(check.age_appearance_note) + _files(check, "age_appearance")


def _units_evidence(check: ExportCheck, on: date) -> list[dict[str, Any]]:
    out = []
    for line in check.lines:
        passed = sum(1 for u in line.units if u.power_on and u.function_test == "passed")
        out.append(_said(N_("Line {line}: {passed} of {recorded} recorded units passed "
                            "({quantity} in the line)"), line=line.seq, passed=passed,
                         recorded=len(line.units), quantity=line.quantity))
        if (found := line.finding) is not None:
            out.append(_said(N_("Line {line}: inspection, {failing} of {inspected} units "
                                "failing {finding}"), line=line.seq,
                             failing=found.units_failing, inspected=found.units_inspected,
                             finding=found.finding or ""))
    return out + _texts(check.working_condition_note) + _files(check, "working_condition")


EVIDENCE: dict[str, Callable[[ExportCheck, date], list[dict[str, Any]]]] = {
    "age_appearance": _lines_evidence,
    "working_condition": _units_evidence,
    "packaging_loading": lambda c, on: _loading(c) + _texts(c.packaging_note)
    + _files(c, "packaging_loading"),
    "second_hand_trade": lambda c, on: _texts(c.trade_document_ref, c.trade_note)
    + _files(c, "second_hand_trade"),
    "destination_market": lambda c, on: _texts(c.market_note) + _files(c, "destination_market"),
    "lead_acid_battery": lambda c, on: [_said(N_("Line {line}: {type}"), line=line.seq,
                                              type=line.product_type) for line in c.lines],
}

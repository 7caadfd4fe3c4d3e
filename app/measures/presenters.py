"""Measures as the pages and the API show them, in the reader's language."""

from __future__ import annotations

from app.templating import locale_code

from .models import Measure, MeasureTarget


def title(measure: Measure) -> str:
    return measure.title_ja if locale_code() == "ja" else measure.title_en


def statement(target: MeasureTarget) -> str:
    return target.statement_ja if locale_code() == "ja" else target.statement_en


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def target_out(target: MeasureTarget) -> dict:
    return {"key": target.key, "kind": target.kind, "statement_ja": target.statement_ja,
            "statement_en": target.statement_en, "value": _number(target.value),
            "unit": target.unit, "target_year": target.target_year,
            "year_basis": target.year_basis, "baseline_value": _number(target.baseline_value),
            "baseline_year": target.baseline_year,
            "change_percent": _number(target.change_percent),
            "countries": target.countries.split() if target.countries else [],
            "page": target.page}


def measure_out(measure: Measure) -> dict:
    return {"code": measure.code, "level": measure.level, "parent": measure.parent_code,
            "section": measure.section, "subsection": measure.subsection,
            "page": measure.page, "title_ja": measure.title_ja, "title_en": measure.title_en,
            "page_title_ja": measure.page_title_ja,
            "targets": [target_out(t) for t in measure.targets]}

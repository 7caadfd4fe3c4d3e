"""The English a partner authority reads: a plausibility rule that warns when a free text of
the notification has no English twin.

Basel Convention Art. 6(1) and Annex V A: the State of export notifies the States concerned
in a language the State of import accepts; the partner authorities read English. The
exporter may still submit (the law does not make the exporter write English: MOE may
translate), so the finding stays a warning the official reads in the review.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.cases.plausibility import Finding, Rule, add_rules
from app.extensions import db
from workflows.base import N_

from .models import ENGLISH_TWINS, BaselNotification

SOURCE = "Basel Convention Art. 6(1), Annex V A"

#: the label of each free text, as its form field says it
LABELS = {"technology": N_("Technology employed"), "reason_for_export": N_("Reason for export"),
          "generating_process": N_("Process by which the waste is generated"),
          "waste_designation": N_("Designation of the waste"),
          "waste_composition": N_("Composition of the waste")}


def missing_english(case, on) -> Iterator[Finding]:
    n = db.session.get(BaselNotification, case.id)
    if n is None:
        return
    for name, twin in ENGLISH_TWINS.items():
        if _given(getattr(n, name)) and not _given(getattr(n, twin)):
            yield Finding("basel.english_text_missing", f"waste.{twin}",
                          N_("{label}: the English version for the partner authority is "
                             "missing."), (("label", LABELS[name]),), source=SOURCE)


def _given(text: str | None) -> bool:
    return bool(text and text.strip())


ENGLISH_TEXT_MISSING = Rule(
    code="basel.english_text_missing",
    title=N_("Every free text a partner authority reads has its English version."),
    source=SOURCE, check=missing_english, case_types=("basel_export",))


def register() -> None:
    """Japan's export notification goes to foreign authorities: it is partner-facing."""
    add_rules("basel_export", [ENGLISH_TEXT_MISSING])

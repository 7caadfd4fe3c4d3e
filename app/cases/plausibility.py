"""Plausibility rules: checks an official expects the system to have run before deciding.

Completeness asks "is everything there?"; plausibility asks "does it add up?" (dates in the
future, more received than shipped, codes that cannot describe one waste together). A procedure
registers its rules per case type; the engine runs them on save (every finding is a warning) and
on submission (a rule whose `blocks_submission` is set is an error there, because the law makes
it one). The review page shows each finding to the official, who marks it checked.

Every rule names its legal source, so that the message a user reads can cite it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Stage = Literal["save", "submit", "review"]
Severity = Literal["warning", "error"]


@dataclass(frozen=True)
class Finding:
    """One thing that does not add up, located at the field the user fixes."""

    rule: str  #: the rule's code, e.g. "basel.receipt_above_shipped"
    field: str  #: section/field the finding points at, as the form names it
    message: str  #: translatable template (N_), formatted with params
    params: tuple[tuple[str, str], ...] = ()
    severity: Severity = "warning"
    source: str = ""  #: the law or standard the rule stands on (shown beside the message)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "field": self.field, "message": self.message,
                "params": dict(self.params), "severity": self.severity,
                "source": self.source}


@dataclass(frozen=True)
class Rule:
    """A named check over one case; `check(case, on)` yields the findings (warnings)."""

    code: str
    title: str  #: translatable sentence saying what the rule checks
    source: str  #: the law or standard, e.g. "Basel Convention Art. 6(3)"
    check: Callable[[Any, Any], Iterable[Finding]]  #: (case, date) -> findings
    #: the law makes this an error at submission (else it stays a warning the official reads)
    blocks_submission: bool = False
    case_types: tuple[str, ...] = field(default_factory=tuple)


RULES: dict[str, list[Rule]] = {}


def register_rules(case_type: str, rules: Iterable[Rule]) -> None:
    """Plug a case type's rules in (again: replaces the earlier list)."""
    RULES[case_type] = list(rules)


def rules_for(case_type: str) -> list[Rule]:
    return RULES.get(case_type, [])


def run(case: Any, on: Any, stage: Stage = "save") -> list[Finding]:
    """Every finding of the case's rules on the day `on`; at submission, the findings of
    rules the law makes binding come back as errors."""
    found: list[Finding] = []
    for rule in rules_for(case.case_type):
        for finding in rule.check(case, on):
            severity: Severity = ("error" if stage == "submit" and rule.blocks_submission
                                  else finding.severity)
            found.append(Finding(rule.code, finding.field, finding.message, finding.params,
                                 severity, finding.source or rule.source))
    return found


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def add_rules(case_type: str, rules: Iterable[Rule]) -> None:
    """Add rules to a case type's list, keeping the ones registered before (a procedure's
    rules may come from several modules); a rule added again under its code replaces itself."""
    new = list(rules)
    codes = {rule.code for rule in new}
    RULES[case_type] = [r for r in RULES.get(case_type, []) if r.code not in codes] + new


#: the events that hand a case in for decision: their transition is the stage "submit"
SUBMISSION_EVENTS = frozenset({"submit"})


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "warning"]

"""Plausibility rules: checks an official expects the system to have run before deciding.

Completeness asks "is everything there?"; plausibility asks "does it add up?" (dates in the
future, more received than shipped, codes that cannot describe one waste together). A procedure
registers its rules per case type; the engine runs them on save (every finding is a warning) and
on submission (a rule whose `blocks_submission` is set is an error there, because the law makes
it one). The review page shows each finding to the official, who marks it checked.

Every rule names its legal source, so that the message a user reads can cite it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from flask_babel import gettext

from workflows.base import N_, Refusal

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
    #: the events at which a blocking rule refuses the transition ("submission" of the case,
    #: of a movement, of a receipt); other events only show its findings as warnings
    binding_on: tuple[str, ...] = ("submit",)


RULES: dict[str, list[Rule]] = {}


class Implausible(Refusal):
    """A binding rule found something: the transition is refused, nothing is changed."""

    def __init__(self, findings: list[Finding]):
        super().__init__(N_("Nothing was done. Correct this first: {findings}"),
                         findings=" ".join(finding_text(f) for f in findings))
        self.findings = findings

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Each finding at its field, as the API's problem+json names them."""
        out: dict[str, list[str]] = {}
        for finding in self.findings:
            out.setdefault(finding.field, []).append(finding_text(finding))
        return out


def finding_text(finding: Finding) -> str:
    """The finding in the reader's language, with the law it stands on."""
    text = gettext(finding.message).format(**dict(finding.params))
    return f"{text} ({gettext(finding.source)})" if finding.source else text


def register_rules(case_type: str, rules: Iterable[Rule]) -> None:
    """Plug a case type's rules in (again: replaces the earlier list)."""
    RULES[case_type] = list(rules)


def rules_for(case_type: str) -> list[Rule]:
    return RULES.get(case_type, [])


def run(case: Any, on: Any, stage: Stage = "save", event: str | None = None) -> list[Finding]:
    """Every finding of the case's rules on the day `on`; at submission (of `event`, when
    given), the findings of rules the law makes binding there come back as errors."""
    found: list[Finding] = []
    for rule in rules_for(case.case_type):
        binding = stage == "submit" and rule.blocks_submission and (
            event is None or event in rule.binding_on)
        for finding in rule.check(case, on):
            severity: Severity = "error" if binding else finding.severity
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
def binds_on(case_type: str, event: str) -> bool:
    """Some rule of the case type refuses `event` when it finds something."""
    return any(r.blocks_submission and event in r.binding_on for r in rules_for(case_type))


def refusals(case: Any, on: Any, event: str) -> list[Finding]:
    """The errors that refuse `event` on the case: the binding rules' findings."""
    if not binds_on(case.case_type, event):
        return []
    binding = [r for r in rules_for(case.case_type)
               if r.blocks_submission and event in r.binding_on]
    return [Finding(r.code, f.field, f.message, f.params, "error", f.source or r.source)
            for r in binding for f in r.check(case, on)]


def fingerprint(finding: Finding) -> str:
    """What a "checked" mark is about: the rule, the field and the values it found (a
    changed value is a new finding to check)."""
    values = ";".join(f"{k}={v}" for k, v in sorted(finding.params))
    return hashlib.sha256(f"{finding.rule}|{finding.field}|{values}".encode()).hexdigest()[:32]

"""The link rules (data/link_rules.csv): which cases serve which measure.

A rule names a measure and what a case must have to serve it: a case type, a direction, one
of some waste codes, an operation (prefix: "R" = any recovery operation) and one of some
partner countries. An empty condition matches anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .catalogue import DATA_DIR, read_rows
from .facts import CaseFacts

RULES_FILE = "link_rules.csv"


@dataclass(frozen=True)
class LinkRule:
    measure: str
    case_type: str
    direction: str
    codes: frozenset[str]
    operation: str
    partner_countries: frozenset[str]
    basis: str

    def matches(self, facts: CaseFacts) -> bool:
        return (self.case_type in ("", facts.case_type)
                and self.direction in ("", facts.direction)
                and (not self.codes or bool(self.codes & facts.codes))
                and (not self.operation or (facts.operation or "").startswith(self.operation))
                and (not self.partner_countries
                     or bool(self.partner_countries & facts.partner_countries)))


@cache
def link_rules(data_dir: Path = DATA_DIR) -> tuple[LinkRule, ...]:
    return tuple(LinkRule(measure=row["measure"], case_type=row["case_type"],
                          direction=row["direction"], codes=frozenset(row["codes"].split()),
                          operation=row["operation"],
                          partner_countries=frozenset(row["partner_countries"].split()),
                          basis=row["basis"])
                 for row in read_rows(RULES_FILE, data_dir))


def measures_for(facts: CaseFacts) -> dict[str, str]:
    """measure code -> the basis of the first rule that links the case to it."""
    found: dict[str, str] = {}
    for rule in link_rules():
        if rule.matches(facts):
            found.setdefault(rule.measure, rule.basis)
    return found

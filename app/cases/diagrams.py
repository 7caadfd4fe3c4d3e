"""Workflow diagrams generated from the workflow classes themselves.

The states, events and guards are read from the python-statemachine definition; the text is
Mermaid (rendered in the browser by the vendored mermaid.js) with translated labels.
"""

from __future__ import annotations

from flask_babel import gettext as _

from workflows import SYSTEM, CaseWorkflow


def _quote(text: str) -> str:
    return text.replace('"', "'")


def transition_rows(workflow: type[CaseWorkflow]) -> list[dict]:
    """One row per transition: from, event, to, who, guards, validators."""
    rows = []
    for state in workflow.states:
        for transition in state.transitions:
            for event in transition.events:
                rows.append({
                    "source": state.value,
                    "event": event.id,
                    "target": transition.target.value if transition.target else state.value,
                    "internal": transition.internal,
                    "roles": sorted(workflow.ROLES[event.id]),
                    "guards": _sentences(workflow, transition.cond),
                    "validators": _sentences(workflow, transition.validators),
                    "label": _(workflow.LABELS[event.id]),
                })
    return rows


def _sentences(workflow: type[CaseWorkflow], conditions) -> list[str]:
    """Guards and validators as the workflow words them for people (checked at import)."""
    return [_(workflow.CONDITIONS[str(c)]) for c in conditions]


#: an event reaching one target from this many states is drawn once, from a note
FAN_IN = 4


def fan_in_events(workflow: type[CaseWorkflow]) -> dict[tuple[str, str], list[str]]:
    """(event, target) pairs reachable from many states, e.g. withdraw → WITHDRAWN."""
    sources: dict[tuple[str, str], list[str]] = {}
    for row in transition_rows(workflow):
        if not row["internal"]:
            sources.setdefault((row["event"], row["target"]), []).append(row["source"])
    return {key: found for key, found in sources.items() if len(found) >= FAN_IN}


def mermaid_source(workflow: type[CaseWorkflow]) -> str:
    lines = ["stateDiagram-v2", "    direction TB"]
    for state in workflow.states:
        lines.append(f'    state "{_quote(_(state.name))}" as {state.value}')
    lines.append(f"    [*] --> {workflow.initial_state.value}")
    fans = fan_in_events(workflow)
    seen = set()
    for row in transition_rows(workflow):
        key = (row["source"], row["target"], row["event"])
        if row["internal"] or key in seen or (row["event"], row["target"]) in fans:
            continue  # self-transitions are in the table; fan-ins get one arrow below
        seen.add(key)
        # conditions stay in the table below: on the arrows they made the diagram unreadable
        guarded = " *" if row["guards"] else ""
        who = _(" (system)") if row["roles"] == [SYSTEM] else ""
        label = _quote(f"{row['label']}{who}{guarded}").replace(":", " ")
        lines.append(f"    {row['source']} --> {row['target']} : {label}")
    for (event, target), sources in fans.items():
        note = _("from any of %(n)d states", n=len(sources))
        lines.append(f"    state \"{_quote(note)}\" as from_many_{event}")
        lines.append(f"    from_many_{event} --> {target} : {_quote(_(workflow.LABELS[event]))}")
    for state in workflow.final_states:
        lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines)

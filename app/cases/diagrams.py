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
                    "guards": [str(c) for c in transition.cond],
                    "validators": [str(v) for v in transition.validators],
                    "label": _(workflow.LABELS[event.id]),
                })
    return rows


def mermaid_source(workflow: type[CaseWorkflow]) -> str:
    lines = ["stateDiagram-v2", "    direction TB"]
    for state in workflow.states:
        lines.append(f'    state "{_quote(_(state.name))}" as {state.value}')
    lines.append(f"    [*] --> {workflow.initial_state.value}")
    seen = set()
    for row in transition_rows(workflow):
        if row["internal"]:
            continue  # self-transitions (partial answers) are listed in the table only
        key = (row["source"], row["target"], row["event"])
        if key in seen:
            continue
        seen.add(key)
        guard = f" [{', '.join(row['guards'])}]" if row["guards"] else ""
        who = " (system)" if row["roles"] == [SYSTEM] else ""
        label = _quote(f"{row['label']}{who}{guard}").replace(":", " ")
        lines.append(f"    {row['source']} --> {row['target']} : {label}")
    for state in workflow.final_states:
        lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines)

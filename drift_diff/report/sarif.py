"""SARIF 2.1.0: rules from the registry, one result per underlying change with its fingerprint
(a group of findings is one result with a logical location per endpoint and field)."""

from __future__ import annotations

import json
from typing import Any

from drift_diff import __version__
from drift_diff.catalogue import Rule
from drift_diff.diff import DiffResult
from drift_diff.diff.registry import all_rules
from drift_diff.model import Change, Severity
from drift_diff.report._common import Group, items

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.BREAKING: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _location(c: Change) -> dict[str, Any]:
    name = f"{c.endpoint} {c.location}".strip()
    return {"logicalLocations": [{"fullyQualifiedName": name, "kind": "member"}]}


def _short(description: str) -> str:
    """The first sentence of a rule's description."""
    head, dot, _ = description.partition(". ")
    return head + ("." if dot else "")


def _rule_entry(r: Rule) -> dict[str, Any]:
    """A full ``reportingDescriptor`` from the catalogue (diff and replay rules alike)."""
    help_text = (
        f"{r.description} Severity {r.severity.value} by default ({r.direction.value} rule, "
        f"area {r.area}); see docs/rules.md in the driftdiff documentation."
    )
    return {
        "id": r.id,
        "name": r.id,
        "shortDescription": {"text": _short(r.description)},
        "fullDescription": {"text": r.description},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _LEVEL[r.severity]},
        "properties": {"direction": r.direction.value, "area": r.area},
    }


def render(result: DiffResult) -> str:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for r in all_rules():
        index[r.id] = len(rules)
        rules.append(_rule_entry(r))
    results = []
    for c in items(result):
        if c.rule not in index:  # a rule the catalogue does not know is a bug, still shown
            index[c.rule] = len(rules)
            rules.append({"id": c.rule, "name": c.rule, "shortDescription": {"text": c.rule}})
        members = c.changes if isinstance(c, Group) else (c,)
        results.append(
            {
                "ruleId": c.rule,
                "ruleIndex": index[c.rule],
                "level": _LEVEL[c.severity],
                "message": {"text": c.message + (f" ({c.evidence})" if c.evidence else "")},
                "locations": [_location(m) for m in members],
                "partialFingerprints": {"driftdiff/v1": c.fingerprint},
                "properties": {
                    "endpoint": c.endpoint,
                    "location": c.location,
                    "severity": c.severity.value,
                    "findings": len(members),
                },
            }
        )
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "driftdiff",
                        "version": __version__,
                        "informationUri": "https://driftdiff.dev",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

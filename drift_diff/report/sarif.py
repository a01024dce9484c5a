"""SARIF 2.1.0: rules from the registry, one result per underlying change with its fingerprint
(a group of findings is one result with a logical location per endpoint and field).

GitHub code scanning accepts it: every rule has short and full descriptions, ``help`` (text
and Markdown) and, when the documentation's address is known (``docs_url``), a ``helpUri``
to the rule's own row of ``rules.md``; every result has a location -- the baseline file
(``artifact``, relative to the repository root) at the line of the endpoint's key (line 1 when
it cannot be found), and without a baseline file a logical location only. ``informationUri``
is given only when ``docs_url`` is (no placeholder).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift_diff.catalogue import Rule
from drift_diff.controls import json_text
from drift_diff.diff.registry import all_rules
from drift_diff.model import Change, DiffResult, Severity
from drift_diff.report._common import Group, items
from drift_diff.report.baseline_lines import key_lines, line_of

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.BREAKING: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _location(c: Change, artifact: str | None, lines: dict[str, int]) -> dict[str, Any]:
    name = f"{c.endpoint} {c.location}".strip()
    loc: dict[str, Any] = {"logicalLocations": [{"fullyQualifiedName": name, "kind": "member"}]}
    if artifact:
        physical: dict[str, Any] = {"artifactLocation": {"uri": artifact}}
        line = line_of(c.endpoint, lines)
        physical["region"] = {"startLine": line or 1}
        loc["physicalLocation"] = physical
    return loc


def _anchor(r: Rule) -> str:
    """The rule's row in docs/rules.md (``rules_markdown`` gives each row ``id="<rule id>"``)."""
    return r.id


def _short(description: str) -> str:
    """The first sentence of a rule's description."""
    head, dot, _ = description.partition(". ")
    return head + ("." if dot else "")


def _rule_entry(r: Rule, docs_url: str | None) -> dict[str, Any]:
    """A full ``reportingDescriptor`` from the catalogue (diff and replay rules alike)."""
    where = f"docs/rules.md#{_anchor(r)}"
    help_text = (
        f"{r.description} Severity {r.severity.value} by default ({r.direction.value} rule, "
        f"area {r.area}); see {where} in the driftdiff documentation."
    )
    help_markdown = (
        f"**{r.id}** ({r.severity.value} by default, {r.direction.value} rule, area "
        f"`{r.area}`)\n\n{r.description}\n\n"
        "Change its severity or ignore a finding (with a reason) in `driftdiff.yaml`; "
        f"see `{where}`."
    )
    entry: dict[str, Any] = {
        "id": r.id,
        "name": r.id,
        "shortDescription": {"text": _short(r.description)},
        "fullDescription": {"text": r.description},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": _LEVEL[r.severity]},
        "properties": {"direction": r.direction.value, "area": r.area},
    }
    if docs_url:
        entry["helpUri"] = f"{docs_url.rstrip('/')}/rules.md#{_anchor(r)}"
    return entry


def _stub(rule_id: str) -> dict[str, Any]:
    """A rule the catalogue does not know (a bug, still shown with the fields GitHub needs)."""
    text = f"{rule_id} (not in the driftdiff rule catalogue)."
    return {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
    }


def render(
    result: DiffResult,
    *,
    artifact: str | None = None,
    artifact_uri: str | None = None,
    docs_url: str | None = None,
) -> str:
    """SARIF for ``result``. ``artifact``: the baseline file (read only to find the line of each
    endpoint's key); ``artifact_uri``: its path relative to the repository root, as locations
    name it (default: ``artifact``); ``docs_url``: where the docs/ folder is published."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    lines = key_lines(artifact)
    uri = artifact_uri or (Path(artifact).as_posix() if artifact else None)
    for r in all_rules():
        index[r.id] = len(rules)
        rules.append(_rule_entry(r, docs_url))
    results = []
    for c in items(result):
        if c.rule not in index:  # a rule the catalogue does not know is a bug, still shown
            index[c.rule] = len(rules)
            rules.append(_stub(c.rule))
        members = c.changes if isinstance(c, Group) else (c,)
        results.append(
            {
                "ruleId": c.rule,
                "ruleIndex": index[c.rule],
                "level": _LEVEL[c.severity],
                "message": {"text": c.message + (f" ({c.evidence})" if c.evidence else "")},
                "locations": [_location(m, uri, lines) for m in members],
                "partialFingerprints": {"driftdiff/v1": c.fingerprint},
                "properties": {
                    "endpoint": c.endpoint,
                    "location": c.location,
                    "severity": c.severity.value,
                    "findings": len(members),
                },
            }
        )
    from drift_diff import __version__  # (read on first use: see ``drift_diff.__getattr__``)

    driver: dict[str, Any] = {"name": "driftdiff", "version": __version__, "rules": rules}
    if docs_url:
        driver["informationUri"] = docs_url.rstrip("/") + "/"
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "results": results,
            }
        ],
    }
    return json_text(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"

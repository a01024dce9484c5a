"""The diff rules' registration (``rule``) and the views of the one catalogue.

The catalogue itself (``Registry``, ``Rule``, ``RULES``) lives in ``drift_diff.catalogue`` and is
re-exported here; ``all_rules()`` loads every module that registers into it (``CATALOGUES``: the
diff rules, then the replay rules). Messages of the diff rules live apart, in
``drift_diff.diff.messages``.

``rules_markdown()`` (``driftdiff rules --format markdown``) is the text of ``docs/rules.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from drift_diff.catalogue import RULES, Check, Registry, Rule, no_fact
from drift_diff.model import Direction, Severity

__all__ = [
    "CATALOGUES",
    "RULES",
    "Registry",
    "Rule",
    "all_rules",
    "catalogue_rows",
    "no_fact",
    "rule",
    "rules_markdown",
]


def rule(
    rule_id: str,
    severity: Severity,
    direction: Direction,
    area: str,
    description: str,
    *,
    kinds: str | tuple[str, ...],
    mirror: str = "",
    oasdiff: str = "",
) -> Callable[[Check], Check]:
    """Register the decorated predicate as rule ``rule_id``."""
    kind_set = frozenset((kinds,) if isinstance(kinds, str) else kinds)

    def wrap(check: Check) -> Check:
        RULES.register(
            rule_id,
            Rule(rule_id, severity, direction, area, description, kind_set, check, mirror, oasdiff),
        )
        return check

    return wrap


#: the modules whose import registers rules: the diff rules, then the replay rules
CATALOGUES = ("drift_diff.diff.rules", "drift_diff.replay.rules")


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by direction then id (imports the rule modules first)."""
    for module in CATALOGUES:
        import_module(module)
    order = {Direction.ENDPOINT: 0, Direction.REQUEST: 1, Direction.RESPONSE: 2}
    return sorted(RULES, key=lambda r: (order[r.direction], r.area, r.id))


def catalogue_rows() -> list[dict[str, str]]:
    """The catalogue as plain rows (``driftdiff rules --format json``)."""
    return [
        {
            "id": r.id,
            "severity": r.severity.value,
            "direction": r.direction.value,
            "area": r.area,
            "description": r.description,
            "mirror": r.mirror,
            "oasdiff": r.oasdiff or r.id,
            "related": ", ".join(sorted(r.related)),
        }
        for r in all_rules()
    ]


def rules_markdown() -> str:
    """The text of ``docs/rules.md``, generated from the registry."""
    from drift_diff.diff.messages import MESSAGES

    lines = [
        "# Rule catalogue",
        "",
        "Generated from the registry by `driftdiff rules --format markdown > docs/rules.md`;",
        "`tests/unit/test_rules_catalogue.py` fails when this file is stale. Severity can be",
        "overridden per rule id in `driftdiff.yaml` (see `schemas/config.schema.json`).",
        "",
        "Direction: request rules are contravariant (the server must keep accepting what it",
        "accepted), response rules covariant (it must keep giving what it gave).",
        "",
        "Each rule's row is the anchor `rules.md#<rule id>` (the `helpUri` of SARIF reports).",
        "",
        "| id | severity | direction | area | description | message | oasdiff |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in all_rules():
        msg = MESSAGES.get(r.id, "").replace("|", "\\|")
        lines.append(
            f'| <a id="{r.id}"></a>`{r.id}` | {r.severity.value} | {r.direction.value} | '
            f"{r.area} | {r.description} | {msg} | {r.oasdiff or r.id} |"
        )
    lines += ["", "## Symmetry", "", "| rule | mirror or why none |", "|---|---|"]
    for r in all_rules():
        if r.direction is not Direction.ENDPOINT:
            lines.append(f"| `{r.id}` | {r.mirror} |")
    lines += [
        "",
        "## Replay rules",
        "",
        "`replay` and `check` compare each replayed response with its recording and report what",
        "they find under the `replay-*` ids above (area `replay`; their messages name the",
        "concrete values, and some severities are graded by what happened: see each",
        "description). In `check` a replay finding and a contract change that report the same",
        "break are listed once, at the more severe of the two; these are the related rules:",
        "",
        "| replay rule | contract rules reporting the same break |",
        "|---|---|",
    ]
    for r in all_rules():
        if r.related:
            lines.append(f"| `{r.id}` | {', '.join(f'`{x}`' for x in sorted(r.related))} |")
    from drift_diff.diff.rules.notes import notes_markdown

    lines += notes_markdown()
    return "\n".join(lines) + "\n"

"""A generic registry that refuses duplicate ids, and the rule catalogue built on it.

``Registry[T]`` maps string ids to items; ``register`` is also a decorator. The rule catalogue
(``RULES``) holds ``Rule`` objects: metadata (id, severity, direction, area, description) plus
the predicate that decides whether a structural fact (``drift_diff.diff.facts.Fact``) is an
instance of the rule. Messages live apart, in ``drift_diff.diff.messages``.

``rules_markdown()`` (``driftdiff rules --format markdown``) is the text of ``docs/rules.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from drift_diff.diff.facts import Fact
from drift_diff.model import Direction, Severity

__all__ = ["RULES", "Registry", "Rule", "all_rules", "catalogue_rows", "rule", "rules_markdown"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Items keyed by id, in registration order. Registering an id twice is a bug: it raises."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, key: str, item: T) -> T:
        if key in self._items:
            raise ValueError(f"duplicate {self.kind} id {key!r}")
        self._items[key] = item
        return item

    def decorator(self, key: str) -> Callable[[T], T]:
        def wrap(item: T) -> T:
            return self.register(key, item)

        return wrap

    def get(self, key: str) -> T | None:
        return self._items.get(key)

    def __getitem__(self, key: str) -> T:
        return self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[str]:
        return list(self._items)


Check = Callable[[Fact], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    """One entry of the catalogue. ``kinds`` are the fact kinds it looks at."""

    id: str
    severity: Severity
    direction: Direction
    area: str
    description: str
    kinds: frozenset[str]
    check: Check = field(compare=False, repr=False)
    #: the rule of the other direction (request <-> response), or why there is none
    mirror: str = ""
    #: the oasdiff id of the same check when ours differs (our ids reuse oasdiff's otherwise)
    oasdiff: str = ""


RULES: Registry[Rule] = Registry("rule")


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


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by direction then id (imports the rule modules first)."""
    import drift_diff.diff.rules  # noqa: F401  (registers the catalogue)

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
        "| id | severity | direction | area | description | message | oasdiff |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in all_rules():
        msg = MESSAGES.get(r.id, "").replace("|", "\\|")
        lines.append(
            f"| `{r.id}` | {r.severity.value} | {r.direction.value} | {r.area} | "
            f"{r.description} | {msg} | {r.oasdiff or r.id} |"
        )
    lines += ["", "## Symmetry", "", "| rule | mirror or why none |", "|---|---|"]
    for r in all_rules():
        if r.direction is not Direction.ENDPOINT:
            lines.append(f"| `{r.id}` | {r.mirror} |")
    from drift_diff.diff.rules._notes import notes_markdown

    lines += notes_markdown()
    return "\n".join(lines) + "\n"

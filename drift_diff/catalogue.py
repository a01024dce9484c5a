"""The one rule catalogue: a registry that refuses duplicate ids, and the ``Rule`` entries in it.

``Registry[T]`` maps string ids to items; ``register`` is also a decorator. ``RULES`` holds every
rule a finding can carry: the diff rules (registered by ``drift_diff.diff.rules`` through
``drift_diff.diff.registry.rule``) — metadata (id, severity, direction, area, description) plus
the predicate that decides whether a structural fact (``drift_diff.diff.facts.Fact``) is an
instance of the rule — and the rules of stages that judge without facts (``replay-*``,
registered by ``drift_diff.replay.rules`` with ``kinds`` empty and ``related`` naming the diff
rules that report the same break). This module depends only on the model, so every stage can
register into it without importing another stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from drift_diff.model import Direction, Severity

if TYPE_CHECKING:
    from drift_diff.diff.facts import Fact

__all__ = ["RULES", "Check", "Registry", "Rule", "no_fact"]

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


Check = Callable[["Fact"], bool]


def no_fact(_fact: Fact) -> bool:
    """The check of a rule that no structural fact decides (its ``kinds`` is empty)."""
    return False


@dataclass(frozen=True, slots=True)
class Rule:
    """One entry of the catalogue. ``kinds`` are the fact kinds it looks at (none for a rule
    another stage judges, such as ``replay-*``)."""

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
    #: rules of the other catalogue that report the same break (a replay rule → diff rules)
    related: frozenset[str] = frozenset()


RULES: Registry[Rule] = Registry("rule")

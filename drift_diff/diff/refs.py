"""Reference nodes across the two sides of a diff: which named schemas may hide a change.

An OpenAPI import keeps every named schema once (``Baseline.refs``) and leaves reference nodes
(``{"x-ref": name}``) where it is used. ``RefPair`` compares the two tables once: a name is
*clean* when its schema is the same on both sides and every name it reaches is clean too, so
the walk can skip a clean reference without opening it. Everything else (a changed schema, a
name on one side only, anything that reaches one) is *tainted* and is opened, once per endpoint
and side (see ``schema_walk.SchemaWalker``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from drift_diff.schema_keywords import REF_KEY

__all__ = ["RefPair", "refs_in"]


def refs_in(node: Any) -> set[str]:
    """Every reference name inside ``node``."""
    out: set[str] = set()
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            name = value.get(REF_KEY)
            if isinstance(name, str):
                out.add(name)
            stack.extend(v for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, (dict, list)))
    return out


class RefPair:
    """The named schemas of the base and the current side, with the tainted names."""

    def __init__(self, base: dict[str, Any], current: dict[str, Any]) -> None:
        self.base = base
        self.current = current
        self.tainted = self._tainted() if base or current else frozenset()

    def _tainted(self) -> frozenset[str]:
        names = set(self.base) | set(self.current)
        changed = {
            n
            for n in names
            if n not in self.base or n not in self.current or self.base[n] != self.current[n]
        }
        users: dict[str, set[str]] = defaultdict(set)
        for n in names:
            for used in refs_in(self.base.get(n)) | refs_in(self.current.get(n)):
                users[used].add(n)
        tainted, todo = set(changed), list(changed)
        while todo:
            for user in users.get(todo.pop(), ()):
                if user not in tainted:
                    tainted.add(user)
                    todo.append(user)
        return frozenset(tainted)

    def resolve_base(self, name: str) -> Any:
        return self.base.get(name)

    def resolve_current(self, name: str) -> Any:
        return self.current.get(name)

    def same(self, a: Any, b: Any) -> bool:
        """``a == b`` and no tainted name inside (equal references may still differ behind)."""
        try:
            if not (a is b or a == b):
                return False
        except RecursionError:
            return False
        return not self.tainted or self.tainted.isdisjoint(refs_in(a))

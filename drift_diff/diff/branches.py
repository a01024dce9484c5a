"""``oneOf``/``anyOf`` branch by branch: what the union view of ``schema_view`` hides.

``walk_branches`` pairs the branches of the two sides (identical first, then by schema name,
then by type, then in order) and adds the facts of ``rules/branches.py`` plus per-branch
``required`` and type changes to the structural walker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Presence
from drift_diff.diff.refs import RefPair
from drift_diff.diff.schema_view import Node, ref_name
from drift_diff.model import Direction

if TYPE_CHECKING:
    from drift_diff.diff.schema_walk import SchemaWalker as Walker

__all__ = ["walk_branches"]


def walk_branches(
    w: Walker,
    key: str,
    loc: str,
    base: Any,
    cur: Any,
    b: Node,
    c: Node,
    side: Direction,
    target: str,
    kw: dict[str, Any],
) -> None:
    """What the union view cannot show: a ``oneOf``/``anyOf`` branch removed or added, a
    branch gaining (or losing) a required field, a branch's type changed."""
    bl = base.get(key) if isinstance(base, dict) else None
    cl = cur.get(key) if isinstance(cur, dict) else None
    if not isinstance(bl, list) or not isinstance(cl, list) or w.refs.same(bl, cl):
        return
    pairs, gone, new = _pair_branches(bl, cl, w.refs, w.view_base, w.view_current)
    label = {"oneOf": "oneOf", "anyOf": "anyOf"}[key]
    # a branch of a type the other side's union lacks is the union's type change already
    for i in gone:
        if not w.view_base(bl[i]).types - c.types:
            name = ref_name(bl[i]) or f"{label}/{i}"
            w.add(F.BRANCH_REMOVED, f"{loc}({label}/{i})", side, target, before=name, **kw)
    for j in new:
        if not w.view_current(cl[j]).types - b.types:
            name = ref_name(cl[j]) or f"{label}/{j}"
            w.add(F.BRANCH_ADDED, f"{loc}({label}/{j})", side, target, after=name, **kw)
    union_typed = b.types != c.types
    for i, j in pairs:
        if w.refs.same(bl[i], cl[j]):
            continue
        bb, cb = w.view_base(bl[i]), w.view_current(cl[j])
        where = f"{loc}({label}/{j})"
        if bb.types and cb.types and bb.types != cb.types and not union_typed:
            w.add(
                F.TYPE_CHANGED,
                where,
                side,
                target,
                before=sorted(bb.types),
                after=sorted(cb.types),
                **kw,
            )
        for name in sorted((bb.required ^ cb.required) & set(cb.properties)):
            now = name in cb.required
            if (name in c.required) == now and (name in b.required) != now:
                continue  # the union itself changed: the property walk reported it
            fact = F.REQUIRED_CHANGED if name in bb.properties else F.PROPERTY_ADDED
            if fact is F.PROPERTY_ADDED and not now:
                continue
            w.add(
                fact,
                f"{where}.{name}",
                side,
                "property",
                before=name in bb.required if fact is F.REQUIRED_CHANGED else None,
                after=now if fact is F.REQUIRED_CHANGED else name,
                base=Presence(name in bb.required) if name in bb.properties else None,
                current=Presence(now),
            )


def _pair_branches(
    bl: list[Any],
    cl: list[Any],
    refs: RefPair,
    view_base: Any,
    view_current: Any,
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair the branches of two ``oneOf``/``anyOf`` lists: identical ones first, then by schema
    name, then by type, then in order. Returns (pairs, base-only indexes, current-only)."""
    left, right = list(range(len(bl))), list(range(len(cl)))
    pairs: list[tuple[int, int]] = []

    def take(match: Any) -> None:
        for i in list(left):
            j = next((j for j in right if match(i, j)), None)
            if j is not None:
                pairs.append((i, j))
                left.remove(i)
                right.remove(j)

    take(lambda i, j: refs.same(bl[i], cl[j]))
    take(lambda i, j: ref_name(bl[i]) is not None and ref_name(bl[i]) == ref_name(cl[j]))
    btypes = {i: view_base(bl[i]).types for i in left}
    ctypes = {j: view_current(cl[j]).types for j in right}
    take(lambda i, j: bool(btypes[i]) and btypes[i] == ctypes[j])
    if len(left) == len(right):
        take(lambda i, j: ref_name(bl[i]) is None and ref_name(cl[j]) is None)
    return sorted(pairs, key=lambda p: p[1]), left, right

"""The recursive schema walk of the structural diff: two schemas in, ``Fact``\\ s out.

``SchemaWalker`` compares one schema node pair (types, nullability, formats, enums, observed
values, patterns, bounds, ``anyOf``/``oneOf`` branches via ``branches.walk_branches``) and
recurses through object properties, array items and map values, locating each fact like
``request.body.items[].qty``. The walk is bounded: a reference node (a named OpenAPI schema,
``refs.py``) is skipped when nothing behind it changed and opened at most once per endpoint and
side (met again, recursively or elsewhere, it compares by name), and depth is capped at
``MAX_DEPTH``, so it always terminates and stays linear in the named schemas. Which parts of an
endpoint are compared (parameters, bodies per media type, statuses) is ``structural``'s.
"""

from __future__ import annotations

from typing import Any

from driftdiff_sdk.limits import MAX_DEPTH

from drift_diff.diff import facts as F
from drift_diff.diff.branches import walk_branches
from drift_diff.diff.facts import Fact, Presence
from drift_diff.diff.presence import flag, member_presence, object_count
from drift_diff.diff.refs import RefPair
from drift_diff.diff.schema_view import Node, ref_name, view
from drift_diff.model import Direction

__all__ = ["SchemaWalker", "as_count"]


def as_count(value: Any) -> int | None:
    """A sample count read from a baseline (``None`` when absent or not an integer)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class SchemaWalker:
    """Collects the facts of one endpoint pair, schema node by schema node."""

    def __init__(self, endpoint: str, refs: RefPair) -> None:
        self.endpoint = endpoint
        self.facts: list[Fact] = []
        self.refs = refs
        #: reference pairs already opened on this endpoint, per side: met again (recursion, or
        #: the same schema at another place), they compare by name
        self.opened: set[tuple[Direction, str, str]] = set()

    def view_base(self, schema: Any) -> Node:
        return view(schema, resolve=self.refs.resolve_base)

    def view_current(self, schema: Any) -> Node:
        return view(schema, resolve=self.refs.resolve_current)

    def open_refs(self, loc: str, base: Any, cur: Any, side: Direction, target: str) -> Any:
        """Both sides with reference nodes opened, or None when nothing is left to compare."""
        for _ in range(64):
            bname, cname = ref_name(base), ref_name(cur)
            if bname is None and cname is None:
                return base, cur
            if bname is not None and cname is not None:
                if bname == cname and bname not in self.refs.tainted:
                    return None
                key = (side, bname, cname)
                if key in self.opened:
                    if bname != cname:
                        self.add(F.TYPE_CHANGED, loc, side, target, before=[bname], after=[cname])
                    return None
                self.opened.add(key)
            if bname is not None:
                base = self.refs.resolve_base(bname)
            if cname is not None:
                cur = self.refs.resolve_current(cname)
        return None

    def add(self, kind: str, location: str, side: Direction, target: str, **kw: Any) -> None:
        noun = "requests" if side is Direction.REQUEST else "responses"
        self.facts.append(Fact(kind, self.endpoint, location, side, target, noun=noun, **kw))

    def wire_types(self, node: Node, base_side: bool) -> frozenset[str]:
        """A parameter's types as the wire sees them: an unconstrained array of T takes one T."""
        if node.types == {"array"} and node.items is not None:
            items = self.view_base(node.items) if base_side else self.view_current(node.items)
            if items.types and not items.constrained:
                return node.types | items.types
        return node.types

    # --- schemas ---------------------------------------------------------------------------
    def schema(
        self,
        loc: str,
        base: Any,
        cur: Any,
        side: Direction,
        target: str,
        bcount: int | None,
        ccount: int | None,
        depth: int = 0,
    ) -> None:
        if depth > MAX_DEPTH or self.refs.same(base, cur):
            return  # equal subtrees (statistics included) cannot differ anywhere below
        opened = self.open_refs(loc, base, cur, side, target)
        if opened is None:
            return
        base, cur = opened
        if self.refs.same(base, cur) or _same_but_counts(self.refs, base, cur):
            return
        b, c = self.view_base(base), self.view_current(cur)
        if b.cycle or c.cycle:
            if b.cycle and c.cycle and b.cycle != c.cycle:
                self.add(F.TYPE_CHANGED, loc, side, target, before=[b.cycle], after=[c.cycle])
            return
        kw: dict[str, Any] = {
            "base": Presence(True, b.seen[0], b.seen[1]) if b.seen else None,
            "current": Presence(True, c.seen[0], c.seen[1]) if c.seen else None,
            "samples": bcount or 0,
            "current_samples": ccount or 0,
        }
        btypes, ctypes = b.types, c.types
        if target == "parameter":
            btypes, ctypes = self.wire_types(b, True), self.wire_types(c, False)
        if btypes and ctypes and btypes != ctypes:
            self.add(
                F.TYPE_CHANGED, loc, side, target, before=sorted(btypes), after=sorted(ctypes), **kw
            )
        # only null seen = "type unknown, nullable": a first concrete type is no nullability change
        unknown_got_known = not btypes and b.nullable and bool(ctypes)
        if b.nullable != c.nullable and not unknown_got_known:
            self.add(
                F.NULLABLE_CHANGED, loc, side, target, before=b.nullable, after=c.nullable, **kw
            )
        if b.format != c.format and not (b.types and c.types and b.types != c.types):
            self.add(F.FORMAT_CHANGED, loc, side, target, before=b.format, after=c.format, **kw)
        if b.enum is not None or c.enum is not None:
            if _value_set(b.enum) != _value_set(c.enum):
                self.add(F.ENUM_CHANGED, loc, side, target, before=b.enum, after=c.enum, **kw)
        elif (
            b.values is not None
            and c.values is not None
            and _value_set(b.values) != _value_set(c.values)
        ):
            self.add(F.VALUES_CHANGED, loc, side, target, before=b.values, after=c.values, **kw)
        if not (b.types and c.types and b.types != c.types):  # a type change says it all
            if b.pattern != c.pattern:
                self.add(
                    F.PATTERN_CHANGED, loc, side, target, before=b.pattern, after=c.pattern, **kw
                )
            for key in sorted(set(b.bounds) | set(c.bounds)):
                before, after = b.bounds.get(key), c.bounds.get(key)
                if before != after:
                    self.add(
                        F.BOUND_CHANGED[key], loc, side, target, before=before, after=after, **kw
                    )
        self.properties(loc, b, c, side, "property", bcount, ccount, depth)
        for key in ("oneOf", "anyOf"):
            walk_branches(self, key, loc, base, cur, b, c, side, target, kw)
        # array items of a parameter stay parameter facts; inside bodies they are "items"
        items_target = "parameter" if target == "parameter" else "items"
        value_target = "parameter" if target == "parameter" else "property"
        if b.additional is not None and c.additional is None and c.properties:
            self.add(
                F.MAP_BECAME_OBJECT,
                loc,
                side,
                target,
                before=sorted(self.view_base(b.additional).types),
                after=sorted(
                    {t for s in c.properties.values() for t in self.view_current(s).types}
                ),
                **kw,
            )
        if b.items is not None and c.items is not None:
            self.schema(f"{loc}[]", b.items, c.items, side, items_target, bcount, ccount, depth + 1)
        if b.additional is not None and c.additional is not None:
            self.schema(
                f"{loc}{{}}",
                b.additional,
                c.additional,
                side,
                value_target,
                bcount,
                ccount,
                depth + 1,
            )
        if b.negated is not None and c.negated is not None:
            self.schema(
                f"{loc}(not)", b.negated, c.negated, side, target, bcount, ccount, depth + 1
            )
        for marker in sorted(set(b.subschemas) & set(c.subschemas)):
            self.schema(
                f"{loc}({marker})",
                b.subschemas[marker],
                c.subschemas[marker],
                side,
                target,
                bcount,
                ccount,
                depth + 1,
            )

    def properties(
        self,
        loc: str,
        b: Node,
        c: Node,
        side: Direction,
        target: str,
        bcount: int | None,
        ccount: int | None,
        depth: int,
    ) -> None:
        if not b.properties and not c.properties:
            return
        hidden = "readOnly" if side is Direction.REQUEST else "writeOnly"
        btotal, ctotal = object_count(b, bcount), object_count(c, ccount)
        for name in sorted(set(b.properties) | set(c.properties)):
            bs, cs = b.properties.get(name), c.properties.get(name)
            if flag(bs, hidden) or flag(cs, hidden):
                continue
            where = f"{loc}.{name}"
            bp = member_presence(b, name, bs, btotal)
            cp = member_presence(c, name, cs, ctotal)
            if cs is None:
                self.add(F.PROPERTY_REMOVED, where, side, target, before=name, base=bp, current=cp)
            elif bs is None:
                self.add(F.PROPERTY_ADDED, where, side, target, after=name, base=bp, current=cp)
            else:
                if bp.always != cp.always:
                    self.add(
                        F.REQUIRED_CHANGED,
                        where,
                        side,
                        target,
                        before=bp.always,
                        after=cp.always,
                        base=bp,
                        current=cp,
                    )
                self.schema(where, bs, cs, side, target, bp.seen, cp.seen, depth + 1)


def _same_but_counts(refs: RefPair, base: Any, cur: Any) -> bool:
    """Equal but for this node's own ``x-seen`` (the common case when traffic volumes differ)."""
    if type(base) is not dict or type(cur) is not dict or base.keys() != cur.keys():
        return False
    return all(k == "x-seen" or refs.same(base[k], cur[k]) for k in base)


def _value_set(values: list[Any] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(repr(v) for v in values)

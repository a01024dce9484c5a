"""The neutral structural diff of two baselines: facts, no judgement.

Endpoints match regardless of path-parameter names (``/pets/{id}`` == ``/pets/{petId}``); then
statuses, media types, parameters, request bodies and a recursive schema walk produce ``Fact``s
located like ``request.query.limit``, ``request.body.items[].qty``, ``response.200.body.id`` or
``response.200.body.tags{}`` (map values). The walk is bounded: a reference node (a named
OpenAPI schema, ``refs.py``) is skipped when nothing behind it changed and opened at most once
per endpoint and side (met again, recursively or elsewhere, it compares by name), and depth is
capped, so it always terminates and stays linear in the named schemas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from driftdiff_sdk.limits import MAX_DEPTH

from drift_diff.diff import facts as F
from drift_diff.diff.branches import walk_branches
from drift_diff.diff.facts import Fact, Presence
from drift_diff.diff.presence import (
    body_presence,
    count_presence,
    flag,
    member_presence,
    object_count,
)
from drift_diff.diff.refs import RefPair
from drift_diff.diff.schema_view import Node, ref_name, view
from drift_diff.model import Baseline, Direction

__all__ = ["endpoints_differ", "match_key", "structural_diff"]

_PARAM = re.compile(r"\{[^}/]*\}")
_JSON = "application/json"


def match_key(endpoint_key: str) -> str:
    """``GET /pets/{petId}`` -> ``GET /pets/{}``: the identity used to pair endpoints."""
    return _PARAM.sub("{}", endpoint_key)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _body_suffix(mt: str, content: dict[str, Any]) -> str:
    return "body" if mt == _JSON or len(content) == 1 else f"body({mt})"


class _Walker:
    """Collects the facts of one endpoint pair."""

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

    # --- endpoint parts --------------------------------------------------------------------
    def params(
        self,
        where: str,
        base: Any,
        cur: Any,
        side: Direction,
        target: str,
        bcount: int | None,
        ccount: int | None,
    ) -> None:
        """Query/header parameters and response headers: an object schema of names."""
        b, c = self.view_base(base or {}), self.view_current(cur or {})
        self.properties(where, b, c, side, target, bcount, ccount, 0)

    def path_params(
        self, bkey: str, ckey: str, bdata: dict[str, Any], cdata: dict[str, Any]
    ) -> None:
        bprops = self.view_base(bdata.get("path_params") or {}).properties
        cprops = self.view_current(cdata.get("path_params") or {}).properties
        # template parameters pair by position (names may differ); stray declared ones by name
        bnames = [m[1:-1] for m in _PARAM.findall(bkey)]
        cnames = [m[1:-1] for m in _PARAM.findall(ckey)]
        pairs = list(zip(bnames, cnames, strict=False))
        pairs += [
            (n, n) for n in sorted(set(bprops) & set(cprops)) if n not in bnames and n not in cnames
        ]
        for bn, cn in pairs:
            if bn in bprops and cn in cprops:
                self.schema(
                    f"request.path.{cn}",
                    bprops[bn],
                    cprops[cn],
                    Direction.REQUEST,
                    "parameter",
                    _int(bdata.get("samples")),
                    _int(cdata.get("samples")),
                )

    def content(
        self,
        prefix: str,
        bc: dict[str, Any],
        cc: dict[str, Any],
        side: Direction,
        bcount: int | None,
        ccount: int | None,
    ) -> None:
        for mt in sorted(set(bc) | set(cc)):
            bm, cm = bc.get(mt), cc.get(mt)
            if not isinstance(cm, dict):
                self.add(
                    F.MEDIA_TYPE_REMOVED,
                    f"{prefix}.content({mt})",
                    side,
                    "media-type",
                    before=mt,
                    base=count_presence(bm, bcount),
                )
            elif not isinstance(bm, dict):
                self.add(
                    F.MEDIA_TYPE_ADDED,
                    f"{prefix}.content({mt})",
                    side,
                    "media-type",
                    after=mt,
                    current=count_presence(cm, ccount),
                )
            else:
                loc = f"{prefix}.{_body_suffix(mt, cc)}"
                self.schema(
                    loc,
                    bm.get("schema"),
                    cm.get("schema"),
                    side,
                    "body",
                    _int(bm.get("samples")),
                    _int(cm.get("samples")),
                )

    def request_body(self, bdata: dict[str, Any], cdata: dict[str, Any]) -> None:
        breq, creq = bdata.get("request") or {}, cdata.get("request") or {}
        bcontent, ccontent = breq.get("content") or {}, creq.get("content") or {}
        bpres, cpres = body_presence(breq, bdata), body_presence(creq, cdata)
        side = Direction.REQUEST
        if bcontent and not ccontent:
            self.add(F.BODY_REMOVED, "request.body", side, "request-body", base=bpres)
        elif ccontent and not bcontent:
            self.add(
                F.BODY_ADDED,
                "request.body",
                side,
                "request-body",
                after=cpres.always,
                current=cpres,
            )
        elif bcontent and ccontent:
            if bpres.always != cpres.always:
                self.add(
                    F.BODY_REQUIRED_CHANGED,
                    "request.body",
                    side,
                    "request-body",
                    before=bpres.always,
                    after=cpres.always,
                    base=bpres,
                    current=cpres,
                )
            self.content(
                "request",
                bcontent,
                ccontent,
                side,
                _int(breq.get("samples")),
                _int(creq.get("samples")),
            )

    def responses(self, bdata: dict[str, Any], cdata: dict[str, Any]) -> None:
        bres, cres = bdata.get("responses") or {}, cdata.get("responses") or {}
        side = Direction.RESPONSE
        bsamples, csamples = _int(bdata.get("samples")), _int(cdata.get("samples"))
        for status in sorted(set(bres) | set(cres)):
            b, c = bres.get(status), cres.get(status)
            loc = f"response.{status}"
            if not isinstance(c, dict):
                self.add(
                    F.STATUS_REMOVED,
                    loc,
                    side,
                    "status",
                    before=status,
                    base=count_presence(b, bsamples),
                    current=Presence(False, 0, csamples) if csamples else None,
                )
            elif not isinstance(b, dict):
                self.add(
                    F.STATUS_ADDED,
                    loc,
                    side,
                    "status",
                    after=status,
                    current=count_presence(c, csamples),
                )
            else:
                bn, cn = _int(b.get("samples")), _int(c.get("samples"))
                self.content(loc, b.get("content") or {}, c.get("content") or {}, side, bn, cn)
                self.params(
                    f"{loc}.headers", b.get("headers"), c.get("headers"), side, "header", bn, cn
                )


def _same_but_counts(refs: RefPair, base: Any, cur: Any) -> bool:
    """Equal but for this node's own ``x-seen`` (the common case when traffic volumes differ)."""
    if type(base) is not dict or type(cur) is not dict or base.keys() != cur.keys():
        return False
    return all(k == "x-seen" or refs.same(base[k], cur[k]) for k in base)


def _value_set(values: list[Any] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(repr(v) for v in values)


def _endpoint_facts(
    bkey: str, ckey: str, bdata: dict[str, Any], cdata: dict[str, Any], refs: RefPair
) -> list[Fact]:
    w = _Walker(ckey, refs)
    bs, cs = _int(bdata.get("samples")), _int(cdata.get("samples"))
    w.path_params(bkey, ckey, bdata, cdata)
    for part in ("query", "headers"):
        loc = f"request.{part}"
        w.params(loc, bdata.get(part), cdata.get(part), Direction.REQUEST, "parameter", bs, cs)
    w.request_body(bdata, cdata)
    w.responses(bdata, cdata)
    return w.facts


def _endpoint_fact(kind: str, key: str, data: dict[str, Any]) -> Fact:
    """ENDPOINT_REMOVED (``key`` is only in the base) or ENDPOINT_ADDED (only in current)."""
    samples = _int(data.get("samples"))
    seen = Presence(True, samples, samples) if samples else None
    side: dict[str, Any] = (
        {"before": key, "base": seen}
        if kind == F.ENDPOINT_REMOVED
        else {"after": key, "current": seen}
    )
    return Fact(kind, key, "", Direction.ENDPOINT, "endpoint", noun="requests", **side)


def endpoints_differ(
    base: Baseline, current: Baseline, bkey: str, ckey: str, refs: RefPair | None = None
) -> bool:
    """Whether endpoint ``bkey`` of ``base`` may differ from ``ckey`` of ``current`` (named
    schemas they use included)."""
    refs = refs or RefPair(base.refs, current.refs)
    return bkey != ckey or not refs.same(base.endpoints[bkey], current.endpoints[ckey])


def structural_diff(base: Baseline, current: Baseline) -> Iterator[Fact]:
    """Every fact that tells ``base`` and ``current`` apart, endpoint by endpoint."""
    refs = RefPair(base.refs, current.refs)
    bmap = {match_key(k): k for k in base.endpoints}
    cmap = {match_key(k): k for k in current.endpoints}
    for mk in sorted(set(bmap) | set(cmap)):
        bkey, ckey = bmap.get(mk), cmap.get(mk)
        if ckey is None:
            assert bkey is not None
            yield _endpoint_fact(F.ENDPOINT_REMOVED, bkey, base.endpoints[bkey])
        elif bkey is None:
            yield _endpoint_fact(F.ENDPOINT_ADDED, ckey, current.endpoints[ckey])
        elif endpoints_differ(base, current, bkey, ckey, refs):
            yield from _endpoint_facts(
                bkey, ckey, base.endpoints[bkey], current.endpoints[ckey], refs
            )

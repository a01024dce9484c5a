"""The neutral structural diff of two baselines: facts, no judgement.

Endpoints match regardless of path-parameter names (``/pets/{id}`` == ``/pets/{petId}``); then
statuses, media types, parameters, request bodies and a recursive schema walk produce ``Fact``s
located like ``request.query.limit``, ``request.body.items[].qty``, ``response.200.body.id`` or
``response.200.body.tags{}`` (map values). This module pairs endpoints and walks their parts;
the schema walk itself (bounded: references opened once, depth capped) is ``schema_walk``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from drift_diff.deprecation import param_deprecation
from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact, Presence
from drift_diff.diff.presence import body_presence, count_presence
from drift_diff.diff.refs import RefPair
from drift_diff.diff.schema_walk import SchemaWalker, as_count
from drift_diff.model import Baseline, Direction, EndpointRecord
from drift_diff.records import MediaRecord

__all__ = ["endpoints_differ", "match_key", "structural_diff"]

_PARAM = re.compile(r"\{[^}/]*\}")
_JSON = "application/json"


def match_key(endpoint_key: str) -> str:
    """``GET /pets/{petId}`` -> ``GET /pets/{}``: the identity used to pair endpoints."""
    return _PARAM.sub("{}", endpoint_key)


def _body_suffix(mt: str, content: dict[str, MediaRecord]) -> str:
    return "body" if mt == _JSON or len(content) == 1 else f"body({mt})"


class _EndpointWalker(SchemaWalker):
    """The parts of an endpoint pair: parameters, bodies per media type, statuses."""

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
        if side is Direction.REQUEST:
            for name in sorted(set(b.properties) & set(c.properties)):
                bdep = param_deprecation(b.properties[name])
                cdep = param_deprecation(c.properties[name])
                if bdep != cdep:
                    self.add(
                        F.PARAM_DEPRECATION_CHANGED,
                        f"{where}.{name}",
                        side,
                        target,
                        before=bdep,
                        after=cdep,
                    )

    def path_params(
        self, bkey: str, ckey: str, bdata: EndpointRecord, cdata: EndpointRecord
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
                    as_count(bdata.get("samples")),
                    as_count(cdata.get("samples")),
                )

    def content(
        self,
        prefix: str,
        bc: dict[str, MediaRecord],
        cc: dict[str, MediaRecord],
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
                    as_count(bm.get("samples")),
                    as_count(cm.get("samples")),
                )

    def request_body(self, bdata: EndpointRecord, cdata: EndpointRecord) -> None:
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
                as_count(breq.get("samples")),
                as_count(creq.get("samples")),
            )

    def responses(self, bdata: EndpointRecord, cdata: EndpointRecord) -> None:
        bres, cres = bdata.get("responses") or {}, cdata.get("responses") or {}
        side = Direction.RESPONSE
        bsamples, csamples = as_count(bdata.get("samples")), as_count(cdata.get("samples"))
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
                bn, cn = as_count(b.get("samples")), as_count(c.get("samples"))
                self.content(loc, b.get("content") or {}, c.get("content") or {}, side, bn, cn)
                self.params(
                    f"{loc}.headers", b.get("headers"), c.get("headers"), side, "header", bn, cn
                )


def _deprecation_fact(ckey: str, bdata: EndpointRecord, cdata: EndpointRecord) -> Fact | None:
    """DEPRECATION_CHANGED when deprecated-or-not or the sunset differs (not the counts)."""
    bdep, cdep = bdata.get("deprecation"), cdata.get("deprecation")
    if (bdep is None) == (cdep is None) and (bdep or {}).get("sunset") == (cdep or {}).get(
        "sunset"
    ):
        return None
    return Fact(
        F.DEPRECATION_CHANGED,
        ckey,
        "",
        Direction.ENDPOINT,
        "endpoint",
        before=bdep,
        after=cdep,
        noun="requests",
    )


def _endpoint_facts(
    bkey: str, ckey: str, bdata: EndpointRecord, cdata: EndpointRecord, refs: RefPair
) -> list[Fact]:
    w = _EndpointWalker(ckey, refs)
    deprecation = _deprecation_fact(ckey, bdata, cdata)
    if deprecation is not None:
        w.facts.append(deprecation)
    bs, cs = as_count(bdata.get("samples")), as_count(cdata.get("samples"))
    w.path_params(bkey, ckey, bdata, cdata)
    for part in ("query", "headers"):
        loc = f"request.{part}"
        w.params(loc, bdata.get(part), cdata.get(part), Direction.REQUEST, "parameter", bs, cs)
    w.request_body(bdata, cdata)
    w.responses(bdata, cdata)
    return w.facts


def _endpoint_fact(kind: str, key: str, data: EndpointRecord) -> Fact:
    """ENDPOINT_REMOVED (``key`` is only in the base) or ENDPOINT_ADDED (only in current)."""
    samples = as_count(data.get("samples"))
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

"""Matching an outbound call made during replay against the calls recorded for its exchange.

Small matcher functions, each answering "why do these two calls differ?" (``None`` when they do
not), applied in stages from strict to relaxed; the first *unused* recorded call that passes every
matcher of a stage, in recorded order, answers. So repeated identical calls replay in order, and
a call never gets the answer of a call it differs from in kind, method, URL or (normalised) body:
there is no fuzzy stage, and a miss explains itself like vcrpy's "found N similar requests".

Stages: ``exact`` (kind, method, origin, path, query, stable headers, body) → ``headers-ignored``
→ ``dynamic-body`` (JSON body values compared by kind: a fresh UUID matches a recorded UUID).

Repeats: a safe call (GET/HEAD/OPTIONS) made more often than recorded replays its last recorded
answer; a mutating call (POST, PUT, PATCH, DELETE) made more often than recorded is a miss, since
calling a payment API twice is exactly the behaviour change replay must surface.

Redis and Postgres calls have their own stages (exact, then values compared by kind; never a
fuzzy SQL match) and read/write rule: see :mod:`drift_diff.replay.match_datastores`.
Other kinds (gRPC) match by their command: ``exact``, then ``redacted`` (what the recording
redacted masked on both sides, dynamic values by kind).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from driftdiff_sdk.exchange import parse_query
from driftdiff_sdk.http_vocabulary import (
    FRAMING,
    HOP_BY_HOP,
    OWN_HEADER_PREFIX,
    SAFE_METHODS,
    TRACE_CONTEXT,
)
from driftdiff_sdk.kinds import normalize_kinds

from drift_diff.replay import match_datastores

__all__ = ["STAGES", "MatchResult", "RecordedCall", "describe_call", "match_call"]

Matcher = Callable[[dict[str, Any], dict[str, Any]], "str | None"]

#: Headers that differ between runs without changing what is asked: the connection's, framing,
#: trace context, and the client's own (agent, encoding, credentials).
UNMATCHED_HEADERS = (
    HOP_BY_HOP
    | FRAMING
    | TRACE_CONTEXT
    | frozenset({"user-agent", "date", "accept-encoding", "authorization", "cookie"})
)


def _req(call: dict[str, Any]) -> dict[str, Any]:
    req = call.get("request")
    return req if isinstance(req, dict) else {}


def _method(call: dict[str, Any]) -> str:
    return str(_req(call).get("method") or "").upper()


def _origin(call: dict[str, Any]) -> str:
    url = _req(call).get("url")
    if not isinstance(url, str) or "://" not in url:
        return ""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def _path(call: dict[str, Any]) -> str:
    req = _req(call)
    path = req.get("path")
    if isinstance(path, str) and path:
        return path
    url = req.get("url")
    return urlsplit(url).path or "/" if isinstance(url, str) else "/"


def _query(call: dict[str, Any]) -> dict[str, list[str]]:
    req = _req(call)
    query = req.get("query")
    if isinstance(query, dict):
        return {
            str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])]
            for k, vs in query.items()
        }
    url = req.get("url")
    if isinstance(url, str):
        parsed: dict[str, list[str]] = parse_query(urlsplit(url).query)
        return parsed
    return {}


def _stable_headers(call: dict[str, Any]) -> dict[str, list[str]]:
    headers = _req(call).get("headers") or {}
    return {
        str(k).lower(): list(v) if isinstance(v, list) else [str(v)]
        for k, v in headers.items()
        if str(k).lower() not in UNMATCHED_HEADERS
        and not str(k).lower().startswith(OWN_HEADER_PREFIX)
    }


def _body(call: dict[str, Any]) -> tuple[str, Any]:
    req = _req(call)
    for key in ("body", "body_text", "body_b64"):
        if key in req:
            return key, req[key]
    return "none", None


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def match_kind(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    ka, kb = a.get("kind", "http"), b.get("kind", "http")
    return None if ka == kb else f"kind differed ({ka} vs {kb})"


def match_method(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    ma, mb = _method(a), _method(b)
    return None if ma == mb else f"method differed ({ma} vs {mb})"


def match_origin(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    oa, ob = _origin(a), _origin(b)
    return None if oa == ob else f"host differed ({oa or '?'} vs {ob or '?'})"


def match_path(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    pa, pb = _path(a), _path(b)
    return None if pa == pb else f"path differed ({pa} vs {pb})"


def match_query(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    qa, qb = _query(a), _query(b)
    if qa == qb:
        return None
    names = sorted(set(qa) ^ set(qb)) or sorted(k for k in qa if qa[k] != qb.get(k))
    return f"query differed ({', '.join(names)})"


def match_headers(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    ha, hb = _stable_headers(a), _stable_headers(b)
    if ha == hb:
        return None
    names = sorted(n for n in set(ha) | set(hb) if ha.get(n) != hb.get(n))
    return f"headers differed ({', '.join(names)})"


def match_body(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    ba, bb = _body(a), _body(b)
    if ba == bb:
        return None
    return f"body differed ({_short(ba[1])} vs {_short(bb[1])})"


def match_body_dynamic(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    (ka, va), (kb, vb) = _body(a), _body(b)
    if ka == kb == "body" and normalize_kinds(va) == normalize_kinds(vb):
        return None
    return match_body(a, b)


def match_command(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    ca, cb = a.get("command"), b.get("command")
    if ca == cb or normalize_kinds(ca) == normalize_kinds(cb):
        return None
    return f"command differed ({_short(ca)} vs {_short(cb)})"


_HTTP_BASE: tuple[Matcher, ...] = (match_kind, match_method, match_origin, match_path, match_query)
STAGES: tuple[tuple[str, tuple[Matcher, ...]], ...] = (
    ("exact", (*_HTTP_BASE, match_headers, match_body)),
    ("headers-ignored", (*_HTTP_BASE, match_body)),
    ("dynamic-body", (*_HTTP_BASE, match_body_dynamic)),
)


def match_command_redacted(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """The commands equal once what the recording redacts is masked on both sides (a gRPC
    request's ``password`` field) and dynamic values are compared by kind."""
    ca, cb = (match_datastores.comparable(call).get("command") for call in (a, b))
    if match_datastores.by_kind(ca) == match_datastores.by_kind(cb):
        return None
    return match_command(a, b)


_OTHER_STAGES: tuple[tuple[str, tuple[Matcher, ...]], ...] = (
    ("exact", (match_kind, match_command)),
    ("redacted", (match_kind, match_command_redacted)),
)
_EXPLAIN_MATCHERS: tuple[Matcher, ...] = (*_HTTP_BASE, match_body_dynamic)
_NAMES: dict[Matcher, str] = {
    match_kind: "kind",
    match_method: "method",
    match_origin: "host",
    match_path: "path",
    match_query: "query",
    match_body_dynamic: "body",
    match_command: "command",
}


def describe_call(call: dict[str, Any]) -> str:
    """``GET http://payments.local/charge`` (``postgres SELECT ...``, ``redis GET k``)."""
    if call.get("kind") in match_datastores.DATASTORE_KINDS:
        return match_datastores.describe(call)
    if call.get("kind", "http") != "http":
        return f"{call.get('kind')} {_short(call.get('command'))}"
    req = _req(call)
    url = req.get("url")
    if not isinstance(url, str) or not url:
        url = _path(call)
    return f"{_method(call) or '?'} {url}"


@dataclass
class RecordedCall:
    """One recorded outbound entry with its used/unused state."""

    index: int
    entry: dict[str, Any]
    uses: int = 0


@dataclass
class MatchResult:
    entry: dict[str, Any] | None
    stage: str = ""
    explanation: str = ""
    repeated: bool = False


def _stages_for(call: dict[str, Any]) -> tuple[tuple[str, tuple[Matcher, ...]], ...]:
    kind = call.get("kind", "http")
    if kind in match_datastores.DATASTORE_KINDS:
        return tuple(
            (name, (match_kind, *matchers)) for name, matchers in match_datastores.STAGES[kind]
        )
    return STAGES if kind == "http" else _OTHER_STAGES


def _repeatable(call: dict[str, Any]) -> bool:
    kind = call.get("kind", "http")
    if kind == "http":
        return _method(call) in SAFE_METHODS
    return kind not in match_datastores.DATASTORE_KINDS or match_datastores.is_read(call)


def _passes(matchers: Iterable[Matcher], recorded: dict[str, Any], call: dict[str, Any]) -> bool:
    return all(m(recorded, call) is None for m in matchers)


def match_call(recorded: list[RecordedCall], call: dict[str, Any]) -> MatchResult:
    """The recorded call answering ``call`` (marked used), or a miss with its explanation."""
    command = call.get("command")
    if call.get("kind") == "postgres" and isinstance(command, dict) and command.get("describe"):
        shape = match_datastores.shape_of([rc.entry for rc in recorded], call)  # nothing used up
        if shape is not None:
            return MatchResult(shape, stage="describe")
        return MatchResult(None, explanation=explain_miss(recorded, call))
    stages = _stages_for(call)
    for name, matchers in stages:
        for rc in recorded:
            if rc.uses == 0 and _passes(matchers, rc.entry, call):
                rc.uses += 1
                return MatchResult(rc.entry, stage=name)
    if _repeatable(call):
        for name, matchers in stages[:2]:
            for rc in reversed(recorded):
                if rc.uses and _passes(matchers, rc.entry, call):
                    rc.uses += 1
                    return MatchResult(rc.entry, stage=name, repeated=True)
    return MatchResult(None, explanation=explain_miss(recorded, call))


def explain_miss(recorded: list[RecordedCall], call: dict[str, Any]) -> str:
    """Why no recorded call answers ``call``: the closest candidates and what differed."""
    if not recorded:
        return "this exchange recorded no outbound calls"
    same_kind = [rc for rc in recorded if match_kind(rc.entry, call) is None]
    if not same_kind:
        kinds = sorted({str(rc.entry.get("kind", "http")) for rc in recorded})
        return f"this exchange recorded only {', '.join(kinds)} calls"
    if call.get("kind") in match_datastores.DATASTORE_KINDS:
        return match_datastores.explain(
            [(rc.index, rc.entry, rc.uses > 0) for rc in same_kind], call
        )
    matchers = _EXPLAIN_MATCHERS if call.get("kind", "http") == "http" else (match_command,)
    scored = []
    for rc in same_kind:
        failures = [r for r in (m(rc.entry, call) for m in matchers) if r is not None]
        scored.append((len(failures), rc.index, rc, failures))
    scored.sort(key=lambda s: (s[0], s[1]))
    _, _, best, failures = scored[0]
    similar = sum(1 for s in scored if s[0] <= 1)
    head = f"found {len(same_kind)} recorded call{'s' if len(same_kind) != 1 else ''}"
    if similar:
        head += f", {similar} similar"
    if not failures:
        times = sum(1 for rc in same_kind if _passes(matchers, rc.entry, call))
        return (
            f"{head}; #{best.index + 1} ({describe_call(best.entry)}) matched but was already used "
            f"(recorded {times} time{'s' if times != 1 else ''}; a mutating call replays only as "
            "often as it was recorded)"
        )
    matched = [_NAMES[m] for m in matchers if m(best.entry, call) is None and m is not match_kind]
    detail = ", ".join(failures)
    if matched:
        detail = f"{', '.join(matched)} matched; {detail}"
    return f"{head}; closest #{best.index + 1} ({describe_call(best.entry)}): {detail}"

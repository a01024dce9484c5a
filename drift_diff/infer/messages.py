"""What of a request or response goes into the contract: media type, headers worth keeping,
parameter objects typed from their wire strings.

Left out of header contracts: hop-by-hop headers, headers that change on every request (dates,
ids, trace context, caching validators), what the client or a CDN adds on its own (user agent,
``sec-*`` client hints, ``cf-*``), and credentials (cookies — their *presence* is already
redacted; ``authorization`` is kept, since "requires a token" is part of the contract).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from driftdiff_sdk.http_vocabulary import FRAMING, HOP_BY_HOP, TRACE_CONTEXT

from drift_diff.infer.builder import DriftSchemaBuilder, wire_value

__all__ = [
    "VOLATILE_HEADERS",
    "add_headers",
    "add_queries",
    "contract_headers",
    "header_params",
    "header_table",
    "is_volatile_header",
    "media_type",
    "query_params",
    "wire_text",
]

VOLATILE_HEADERS = (
    HOP_BY_HOP
    | FRAMING
    | TRACE_CONTEXT
    | frozenset(
        {
            # per-request noise and client fingerprints
            "date",
            "user-agent",
            "accept-encoding",
            "accept-language",
            "cookie",
            "set-cookie",
            "referer",
            "origin",
            "cache-control",
            "pragma",
            "priority",
            "dnt",
            "upgrade-insecure-requests",
            "if-none-match",
            "if-modified-since",
            "if-match",
            "if-unmodified-since",
            "if-range",
            "x-forwarded-for",
            "x-forwarded-host",
            "x-forwarded-proto",
            "x-forwarded-port",
            "x-real-ip",
            "forwarded",
            "via",
            "cdn-loop",
            "true-client-ip",
            # response-side noise
            "server",
            "etag",
            "last-modified",
            "expires",
            "age",
            "vary",
            "alt-svc",
            "nel",
            "report-to",
            "expect-ct",
            "x-powered-by",
            "x-cache",
            "x-cache-hits",
            "x-served-by",
            "x-timer",
            "fly-request-id",
            "content-type",
            "content-encoding",
            "accept-ranges",
            "server-timing",
            "strict-transport-security",
            "x-runtime",
            "x-envoy-upstream-service-time",
        }
    )
)
_VOLATILE_PREFIXES = (":", "sec-", "cf-", "x-amz-", "x-datadog-", "x-envoy-", "x-vercel-")


def is_volatile_header(name: str) -> bool:
    """A header that is framing or per-request noise, not part of the contract (lowercase name)."""
    return name in VOLATILE_HEADERS or name.startswith(_VOLATILE_PREFIXES)


#: Per header-name tuple: the (name, key) pairs kept. Header sets repeat, so this stays small;
#: it is cleared when it grows past ``_CACHE_MAX`` (as is the wire-value cache).
_PLANS: dict[tuple[Any, ...], tuple[tuple[Any, str], ...]] = {}
_WIRE: dict[str, Any] = {}
_MEDIA: dict[str, str | None] = {}
_CACHE_MAX = 4096
_CACHED_TEXT_MAX = 64  # longer values (tokens, URLs) are typed each time, not kept


def media_type(content_type: Any) -> str | None:
    """``"Application/JSON; charset=utf-8"`` → ``"application/json"`` (None when absent)."""
    if not isinstance(content_type, str):
        return None
    mt = _MEDIA.get(content_type, "")
    if mt == "":
        mt = content_type.split(";", 1)[0].strip().lower() or None
        if len(_MEDIA) >= _CACHE_MAX:
            _MEDIA.clear()
        _MEDIA[content_type] = mt
    return mt


def wire_text(text: str) -> Any:
    """``wire_value`` of a string, cached for short ones (they repeat: ids, flags, media types)."""
    typed = _WIRE.get(text)
    if typed is None:
        typed = wire_value(text)
        if len(text) <= _CACHED_TEXT_MAX:
            if len(_WIRE) >= _CACHE_MAX:
                _WIRE.clear()
            _WIRE[text] = typed
    return typed


def _typed(values: Any) -> Any:
    if not isinstance(values, list):
        return wire_text(str(values))
    if len(values) == 1:
        return wire_text(str(values[0]))
    return [wire_text(str(v)) for v in values]


def _typed_column(raw: list[Any]) -> list[Any]:
    """``[_typed(v) for v in raw]``; at C speed when each value is one string (the common case)."""
    if set(map(type, raw)) == {list} and set(map(len, raw)) == {1}:
        texts = list(map(itemgetter(0), raw))
        if set(map(type, texts)) == {str}:
            typed = list(map(_WIRE.get, texts))  # (a typed value is never None)
            if None in typed:
                pairs = zip(typed, texts, strict=True)
                typed = [wire_text(text) if value is None else value for value, text in pairs]
            return typed
    return [_typed(v) for v in raw]


def add_queries(builder: DriftSchemaBuilder, queries: list[Any]) -> None:
    """``builder.add_column`` of the ``query_params`` of each query multimap, in order."""
    first = queries[0]
    if type(first) is dict:
        names = tuple(first)
        if all([type(query) is dict and tuple(query) == names for query in queries]):
            keys = tuple(map(str, names))
            if len(set(keys)) == len(keys):
                columns = [_typed_column([query[name] for query in queries]) for name in names]
                builder.add_table(len(queries), keys, columns)
                return
    builder.add_column([query_params(query) for query in queries])


def query_params(query: Any) -> dict[str, Any]:
    """Query multimap → ``{name: typed value}`` (a list when the parameter repeats)."""
    if not isinstance(query, dict):
        return {}
    return {str(name): _typed(values) for name, values in query.items()}


def _plan(names: tuple[Any, ...]) -> tuple[tuple[Any, str], ...]:
    plan = []
    for name in names:
        key = str(name).lower()
        if key not in VOLATILE_HEADERS and not key.startswith(_VOLATILE_PREFIXES):
            plan.append((name, key))
    if len(_PLANS) >= _CACHE_MAX:
        _PLANS.clear()
    _PLANS[names] = result = tuple(plan)
    return result


def contract_headers(headers: Any) -> Any:
    """``headers`` without the volatile headers no contract keeps: the map itself when it
    holds none, else a new one with the others in their order (anything but a ``dict`` as it
    is). ``header_params`` gives the same for either, and so ``add_headers`` learns the same."""
    if type(headers) is not dict:
        return headers
    names = tuple(headers)
    plan = _PLANS.get(names)
    if plan is None:
        plan = _plan(names)
    if len(plan) == len(names):
        return headers
    return {name: headers[name] for name, _ in plan}


def header_params(headers: Any) -> dict[str, Any]:
    """Header multimap → ``{name: typed value}`` without volatile or hop-by-hop headers."""
    if not isinstance(headers, dict):
        return {}
    names = tuple(headers)
    plan = _PLANS.get(names)
    if plan is None:
        plan = _plan(names)
    return {key: _typed(headers[name]) for name, key in plan}


def header_table(all_headers: list[Any]) -> tuple[tuple[str, ...], list[list[Any]]] | None:
    """``header_params`` of each header multimap, as ``(keys, one column per key)``, when they
    all name the same headers in the same order (the common case); otherwise None."""
    first = all_headers[0]
    if type(first) is not dict:
        return None
    names = tuple(first)
    for headers in all_headers:
        if type(headers) is not dict or tuple(headers) != names:
            return None
    plan = _PLANS.get(names)
    if plan is None:
        plan = _plan(names)
    keys = tuple(key for _, key in plan)
    if len(set(keys)) != len(keys):
        return None  # two spellings of one header: the dict keeps the last
    return keys, [_typed_column([headers[name] for headers in all_headers]) for name, _ in plan]


def add_headers(builder: DriftSchemaBuilder, all_headers: list[Any]) -> None:
    """``builder.add_column`` of the ``header_params`` of each header multimap, in order."""
    table = header_table(all_headers)
    if table is None:
        builder.add_column([header_params(headers) for headers in all_headers])
    else:
        builder.add_table(len(all_headers), *table)

"""What of a request or response goes into the contract: media type, headers worth keeping,
parameter objects typed from their wire strings.

Left out of header contracts: hop-by-hop headers, headers that change on every request (dates,
ids, trace context, caching validators), what the client or a CDN adds on its own (user agent,
``sec-*`` client hints, ``cf-*``), and credentials (cookies — their *presence* is already
redacted; ``authorization`` is kept, since "requires a token" is part of the contract).
"""

from __future__ import annotations

from typing import Any

from drift_diff.infer.builder import wire_value

__all__ = ["VOLATILE_HEADERS", "header_params", "media_type", "query_params"]

VOLATILE_HEADERS = frozenset({
    # hop-by-hop and framing
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade", "content-length", "host", "expect",
    # per-request noise and client fingerprints
    "date", "user-agent", "accept-encoding", "accept-language", "cookie", "set-cookie",
    "referer", "origin", "cache-control", "pragma", "priority", "dnt", "upgrade-insecure-requests",
    "if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range",
    "traceparent", "tracestate", "baggage", "x-request-id", "x-correlation-id", "request-id",
    "x-amzn-trace-id", "x-cloud-trace-context", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled",
    "x-b3-parentspanid", "b3", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
    "x-forwarded-port", "x-real-ip", "forwarded", "via", "cdn-loop", "true-client-ip",
    # response-side noise
    "server", "etag", "last-modified", "expires", "age", "vary", "alt-svc", "nel", "report-to",
    "expect-ct", "x-powered-by", "x-cache", "x-cache-hits", "x-served-by", "x-timer",
    "fly-request-id", "content-type", "content-encoding", "accept-ranges", "server-timing",
    "strict-transport-security", "x-runtime", "x-envoy-upstream-service-time",
})
_VOLATILE_PREFIXES = (":", "sec-", "cf-", "x-amz-", "x-datadog-", "x-envoy-", "x-vercel-")


def media_type(content_type: Any) -> str | None:
    """``"Application/JSON; charset=utf-8"`` → ``"application/json"`` (None when absent)."""
    if not isinstance(content_type, str):
        return None
    mt = content_type.split(";", 1)[0].strip().lower()
    return mt or None


def _typed(values: Any) -> Any:
    if not isinstance(values, list):
        return wire_value(str(values))
    if len(values) == 1:
        return wire_value(str(values[0]))
    return [wire_value(str(v)) for v in values]


def query_params(query: Any) -> dict[str, Any]:
    """Query multimap → ``{name: typed value}`` (a list when the parameter repeats)."""
    if not isinstance(query, dict):
        return {}
    return {str(name): _typed(values) for name, values in query.items()}


def header_params(headers: Any) -> dict[str, Any]:
    """Header multimap → ``{name: typed value}`` without volatile or hop-by-hop headers."""
    if not isinstance(headers, dict):
        return {}
    out: dict[str, Any] = {}
    for name, values in headers.items():
        key = str(name).lower()
        if key not in VOLATILE_HEADERS and not key.startswith(_VOLATILE_PREFIXES):
            out[key] = _typed(values)
    return out

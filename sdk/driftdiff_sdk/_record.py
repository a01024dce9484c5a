"""How a captured exchange travels from the request path to the writer, and back to a dict.

An inbound exchange travels as a flat ``record`` tuple (``RECORD``): header pairs as the server
gave them, the raw query string, the URL's parts and the bodies' ``BodyCapture`` states; one
tuple pickles in about a microsecond where the exchange dict took three. ``sealed`` hashes the
held tails of its bodies before it is pickled (the tail never crosses the pipe).
``materialize``, run by the writer before redaction, builds the exchange dict from a record
(header maps, parsed query, URL) and fills every deferred body (``_capture``).
"""

from __future__ import annotations

from typing import Any

from driftdiff_sdk._capture import RAW_KEY, BodyCapture, defer, restore
from driftdiff_sdk.exchange import EXCHANGE_FORMAT, headers_to_map, parse_query

__all__ = [
    "ENVIRON",
    "RECORD",
    "Captured",
    "environ_map",
    "expand",
    "materialize",
    "pending_bytes",
    "record",
    "sealed",
    "unsealed",
]

#: What the request path hands to the writer: an inbound ``record`` (a tuple), or an exchange
#: dict whose bodies may still be deferred (``defer``).
Captured = dict[str, Any] | tuple[Any, ...]

#: The first item of an inbound record (``record``); bumped when the layout changes.
RECORD = "driftdiff.record/1"
# positions in a record
_REQ_BODY, _RESP_BODY, _OUTBOUND = 11, 14, 16


def record(
    exchange_id: str,
    service: str,
    recorded_at: str,
    duration_ms: float,
    route: str | None,
    method: str,
    url: str | tuple[str, Any] | None,
    path: str,
    query: dict[str, list[str]] | str | bytes,
    req_headers: Any,
    req_body: tuple[Any, ...] | None,
    status: int,
    resp_headers: Any,
    resp_body: tuple[Any, ...] | None,
    meta: dict[str, Any] | None,
    outbound: list[dict[str, Any]],
) -> tuple[Any, ...]:
    """An inbound exchange as the request path hands it over (nothing parsed).

    ``url``: the URL, or ``(scheme, server)`` for one built from the ``host`` header (ASGI);
    ``query``: parsed, or the raw query string; headers: a name → values map, the
    ``(name, value)`` pairs as sent (``bytes`` or ``str``), or ``(ENVIRON, entries)``;
    bodies: ``BodyCapture.state()``. ``expand`` builds the exchange.
    """
    return (
        RECORD,
        exchange_id,
        service,
        recorded_at,
        duration_ms,
        route,
        method,
        url,
        path,
        query,
        req_headers,
        req_body,
        status,
        resp_headers,
        resp_body,
        meta,
        outbound,
    )


#: Request headers given as ``(ENVIRON, [(environ key, value), ...])`` (WSGI): ``HTTP_*`` keys
#: and the content type and length, turned into header names by the writer.
ENVIRON = "environ"


def environ_map(items: Any) -> dict[str, list[str]]:
    """Header name → values from WSGI environ entries (other keys are skipped)."""
    headers: dict[str, list[str]] = {}
    for key, value in items:
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if not value:
                continue
            name = key.replace("_", "-").lower()
        else:
            continue
        # servers already joined repeated headers with ", ": one value per name
        headers[name] = [str(value)]
    return headers


def _headers(headers: Any) -> dict[str, list[str]]:
    if type(headers) is dict:
        return headers
    if type(headers) is tuple and len(headers) == 2 and headers[0] == ENVIRON:
        return environ_map(headers[1])
    return headers_to_map(headers)


_NO_BODY = BodyCapture(0)  # never added to: its fields are content_type and truncated=False


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def expand(rec: tuple[Any, ...]) -> dict[str, Any]:
    """The exchange dict of a ``record``, bodies still deferred (as ``build_exchange`` made it)."""
    (_, xid, service, at, duration, route, method, url, path, query) = rec[:10]
    (req_headers, req_body, status, resp_headers, resp_body, meta, outbound) = rec[10:]
    req_headers = _headers(req_headers)
    resp_headers = _headers(resp_headers)
    if type(url) is tuple:
        url = _url_from(url, req_headers, path, query)
    if type(query) is not dict:
        query = parse_query(query) if query else {}
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "path": path,
        "query": query,
        "headers": req_headers,
    }
    defer(
        request,
        restore(*req_body) if req_body else _NO_BODY,
        _first(req_headers, "content-type"),
        layout=True,
    )
    response: dict[str, Any] = {"status": status, "headers": resp_headers}
    coding = resp_headers.get("content-encoding")
    defer(
        response,
        restore(*resp_body) if resp_body else _NO_BODY,
        _first(resp_headers, "content-type"),
        content_encoding=",".join(coding) if coding else None,
    )
    exchange: dict[str, Any] = {
        "format": EXCHANGE_FORMAT,
        "id": xid,
        "service": service,
        "source": "sdk",
        "recorded_at": at,
        "duration_ms": duration,
        "route": route,
        "request": request,
        "response": response,
        "outbound": outbound,
    }
    if meta:
        exchange["meta"] = meta
    return exchange


def _url_from(parts: tuple[str, Any], headers: dict[str, list[str]], path: str, query: Any) -> str:
    """The URL an ASGI request was sent to: its ``host`` header, else the server's address."""
    scheme, server = parts
    host_values = headers.get("host")
    if not host_values:
        host_values = [f"{server[0]}:{server[1]}" if server else "localhost"]
    host = host_values[0]
    url = f"{scheme}://{host}{path}"
    if query:
        return f"{url}?{query.decode('latin-1') if type(query) is bytes else query}"
    return url


def _fill(message: Any) -> None:
    if type(message) is dict:
        raw = message.pop(RAW_KEY, None)
        if raw is not None:
            capture, content_type, layout, coding = raw
            capture.fill(message, content_type, layout=layout, content_encoding=coding)


def materialize(captured: Captured) -> dict[str, Any]:
    """Fill the body fields of every deferred capture in ``exchange`` (in place; returned);
    a ``record`` is expanded first."""
    exchange = expand(captured) if isinstance(captured, tuple) else captured
    _fill(exchange.get("request"))
    _fill(exchange.get("response"))
    outbound = exchange.get("outbound")
    if type(outbound) is list:
        for call in outbound:
            if type(call) is dict:
                _fill(call.get("request"))
                _fill(call.get("response"))
    return exchange


def _raw_len(message: Any) -> int:
    if type(message) is dict:
        raw = message.get(RAW_KEY)
        if raw is not None:
            capture: BodyCapture = raw[0]
            return len(capture.buf) + capture.held()
    return 0


def pending_bytes(exchange: Captured) -> int:
    """Bytes of raw body ``exchange`` holds until it is materialized (for the queue's bound)."""
    if isinstance(exchange, tuple):
        n = 0
        for b in (exchange[_REQ_BODY], exchange[_RESP_BODY]):
            if b is not None:
                n += len(b[1]) + (sum(len(p) for p in b[5]) if len(b) > 5 else 0)
        outbound = exchange[_OUTBOUND]
    else:
        n = _raw_len(exchange.get("request")) + _raw_len(exchange.get("response"))
        outbound = exchange.get("outbound")
    if type(outbound) is list:
        for call in outbound:
            if type(call) is dict:
                n += _raw_len(call.get("request")) + _raw_len(call.get("response"))
    return n


def _seal_body(state: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    if state is None or len(state) < 6:
        return state
    return (*state[:4], restore(*state).digest())


def unsealed(rec: tuple[Any, ...]) -> bool:
    """Does this record still hold body bytes past the cap to hash (``sealed``)?"""
    return any(b is not None and len(b) > 5 for b in (rec[_REQ_BODY], rec[_RESP_BODY]))


def sealed(rec: tuple[Any, ...]) -> tuple[Any, ...]:
    """The record with the held tails of its bodies hashed into their digests (the sender
    thread, before pickling: the tail never crosses the pipe)."""
    out = list(rec)
    out[_REQ_BODY] = _seal_body(rec[_REQ_BODY])
    out[_RESP_BODY] = _seal_body(rec[_RESP_BODY])
    return tuple(out)

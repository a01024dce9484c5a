"""What the request path keeps of an exchange, and how the writer turns it into fields.

The request path only copies: ``BodyCapture`` keeps the first ``cap`` bytes of a body (a body
past the cap is cut, its full size and SHA-256 noted), and ``defer`` puts the capture into the
request or response object under ``RAW_KEY`` instead of its body fields. An inbound exchange
travels as a flat ``record`` tuple (``RECORD``): header pairs as the server gave them, the raw
query string, the URL's parts; one tuple pickles in about a microsecond where the exchange
dict took three. ``materialize``, run by the writer before redaction, builds the exchange dict
from a record (header maps, parsed query, URL), decodes a compressed response, parses JSON and
fills the body fields exactly as ``encode_body`` writes them. Until then the raw bytes are
unredacted and live in memory only: nothing is written before ``materialize`` and the redactor
ran.
"""

from __future__ import annotations

import hashlib
from typing import Any

from driftdiff_sdk.exchange import (
    EXCHANGE_FORMAT,
    decode_content,
    encode_body,
    headers_to_map,
    parse_query,
)

__all__ = [
    "ENVIRON",
    "RAW_KEY",
    "RECORD",
    "BodyCapture",
    "Captured",
    "defer",
    "environ_map",
    "materialize",
    "pending_bytes",
    "record",
    "sealed",
    "unsealed",
]

#: What the request path hands to the writer: an inbound ``record`` (a tuple), or an exchange
#: dict whose bodies may still be deferred (``defer``).
Captured = dict[str, Any] | tuple[Any, ...]

#: The key under which a request/response object carries its raw capture until it is encoded
#: (never serialized: ``materialize`` replaces it by the body fields).
RAW_KEY = "_driftdiff_raw"

#: A compressed response is decoded up to this many times the body cap (the rest is cut);
#: past that it is kept compressed: bounded work and memory for the writer.
_DECODE_FACTOR = 4


#: Bytes past the cap a capture holds (references to the chunks, not copies) so that the
#: whole-body SHA-256 is computed off the request path (by the sender thread or the writer);
#: a body longer than cap + this is hashed as it streams, on the request path, as before.
HOLD_BYTES = 4 << 20


class BodyCapture:
    """Keeps the first ``cap`` bytes of a stream of chunks; notes whether more went by, and
    for a body cut at the cap its full ``size`` and ``sha256``.

    The digest is not computed on the request path when it can be helped: up to
    ``HOLD_BYTES`` past the cap, the chunks are held (immutable ``bytes`` by reference, others
    copied) and hashed later (``digest``), after the kept prefix; past that the capture hashes
    what it has and then every chunk as it comes."""

    __slots__ = ("_hash", "_held", "_held_bytes", "buf", "cap", "size", "truncated")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        # the kept bytes: the first chunk itself when it is immutable ``bytes`` and within the
        # cap (no copy), a ``bytearray`` once a second chunk or a cut needs one
        self.buf: bytes | bytearray = b""
        self.truncated = False
        self.size = 0
        self._hash: Any = None  # a hash object, or the hex digest once restored
        self._held: list[bytes | memoryview] | None = None  # past the cap, not yet hashed
        self._held_bytes = 0

    def add(self, chunk: bytes | memoryview) -> None:
        if not chunk:
            return
        n = len(chunk)
        self.size += n
        if self._hash is not None:
            self._hash.update(chunk)
            return
        buf = self.buf
        room = self.cap - len(buf)
        if room >= n:
            if not buf and type(chunk) is bytes:
                self.buf = chunk
                return
            if type(buf) is not bytearray:
                buf = self.buf = bytearray(buf)
            buf += chunk
            return
        if room > 0:
            if type(buf) is not bytearray:
                buf = self.buf = bytearray(buf)
            buf += memoryview(chunk)[:room]  # one copy: no slice of the chunk first
        self.truncated = True
        if type(chunk) is bytes:  # immutable: held by reference (a view past the cap)
            rest: bytes | memoryview = memoryview(chunk)[room:] if room > 0 else chunk
        else:  # a buffer the caller may reuse: copied
            rest = bytes(chunk[room:] if room > 0 else chunk)
        if self._held_bytes + len(rest) <= HOLD_BYTES:
            if self._held is None:
                self._held = []
            self._held.append(rest)
            self._held_bytes += len(rest)
            return
        # too much to hold: hash the kept prefix, what was held and this chunk now
        digest = hashlib.sha256(self.buf)
        for part in self._held or ():
            digest.update(part)
        digest.update(rest)
        self._hash, self._held, self._held_bytes = digest, None, 0

    def digest(self) -> str | None:
        """The whole body's SHA-256 (hex) for a body cut at the cap; ``None`` otherwise."""
        if self._hash is not None:
            return self._hash if isinstance(self._hash, str) else str(self._hash.hexdigest())
        if self._held is None:
            return None
        digest = hashlib.sha256(self.buf)  # large updates run without the GIL
        for part in self._held:
            digest.update(part)
        return str(digest.hexdigest())

    def held(self) -> int:
        """Bytes past the cap held for the digest (not yet hashed)."""
        return self._held_bytes

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled for the writer process: the kept bytes, and the digest as its hex string
        (a hash object does not pickle; a capture is complete once it is submitted)."""
        return (_restore, (self.cap, self.buf, self.truncated, self.size, self.digest()))

    def state(self) -> tuple[Any, ...] | None:
        """What a record carries of this body (``_restore`` undoes it); ``None`` for an empty
        one (its fields are those of no body). A plain tuple pickles without a ``__reduce__``.
        A body cut at the cap whose tail is held carries the held chunks, not yet a digest
        (``sealed`` hashes them off the request path)."""
        if not self.buf and not self.truncated:
            return None
        if self._held is not None:
            return (self.cap, self.buf, self.truncated, self.size, None, self._held)
        digest = self._hash.hexdigest() if self._hash is not None else None
        return (self.cap, self.buf, self.truncated, self.size, digest)

    def mark_unread(self) -> None:
        """The body exists but was not seen (a stream the library sends itself)."""
        self.truncated = True

    def fields(
        self, content_type: str | None, content_encoding: str | None = None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {}
        self.fill(message, content_type, content_encoding=content_encoding)
        return message

    def fill(
        self,
        message: dict[str, Any],
        content_type: str | None,
        layout: bool = False,
        content_encoding: str | None = None,
    ) -> None:
        """Add the body fields to ``message`` (an empty body takes no ``encode_body`` call).

        ``layout`` for a request body, which replay sends again (``body_layout``). A response
        body sent compressed (``content_encoding``) is recorded decoded, cut at ``cap`` bytes of
        content; one that does not decode (or decodes to more than ``_DECODE_FACTOR`` times the
        cap) is kept as the bytes it was. A body cut at the cap also gets ``size`` (bytes) and
        ``sha256`` (hex) of the whole body.
        """
        if not self.buf:
            message["content_type"] = content_type
            message["truncated"] = bool(self.truncated)
        else:
            data = bytes(self.buf)
            if content_encoding and not self.truncated:  # a cut stream does not decode
                limit = max(self.cap, 1) * _DECODE_FACTOR
                data = decode_content(data, content_encoding, limit) or data
            message.update(
                encode_body(
                    data, content_type, cap=self.cap, truncated=self.truncated, layout=layout
                )
            )
        if self._hash is not None or self._held is not None:
            message["size"] = self.size
            message["sha256"] = self.digest()


def _restore(
    cap: int,
    buf: bytes | bytearray,
    truncated: bool,
    size: int,
    digest: str | None,
    held: list[bytes | memoryview] | None = None,
) -> BodyCapture:
    capture = BodyCapture(cap)
    capture.buf, capture.truncated, capture.size, capture._hash = buf, truncated, size, digest
    capture._held = held
    return capture


def _seal_body(state: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    if state is None or len(state) < 6:
        return state
    return (*state[:4], _restore(*state).digest())


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


def defer(
    message: dict[str, Any],
    capture: BodyCapture,
    content_type: str | None,
    *,
    layout: bool = False,
    content_encoding: str | None = None,
) -> None:
    """Attach ``capture`` to ``message`` for ``materialize`` (O(1): nothing is parsed here)."""
    message[RAW_KEY] = (capture, content_type, layout, content_encoding)


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
        _restore(*req_body) if req_body else _NO_BODY,
        _first(req_headers, "content-type"),
        layout=True,
    )
    response: dict[str, Any] = {"status": status, "headers": resp_headers}
    coding = resp_headers.get("content-encoding")
    defer(
        response,
        _restore(*resp_body) if resp_body else _NO_BODY,
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

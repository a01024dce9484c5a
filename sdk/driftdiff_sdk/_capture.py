"""What the request path keeps of a body, and how the writer thread turns it into fields.

The request path only copies: ``BodyCapture`` keeps the first ``cap`` bytes of a body (a body
past the cap is cut, its full size and SHA-256 noted), and ``defer`` puts the capture into the
request or response object under ``RAW_KEY`` instead of its body fields. ``materialize``, run on
the writer thread before redaction, decodes a compressed response, parses JSON and fills the
body fields exactly as ``encode_body`` writes them. Until then the raw bytes are unredacted and
live in memory only: nothing is written before ``materialize`` and the redactor ran.
"""

from __future__ import annotations

import hashlib
from typing import Any

from driftdiff_sdk.exchange import decode_content, encode_body

__all__ = ["RAW_KEY", "BodyCapture", "defer", "materialize", "pending_bytes"]

#: The key under which a request/response object carries its raw capture until it is encoded
#: (never serialized: ``materialize`` replaces it by the body fields).
RAW_KEY = "_driftdiff_raw"

#: A compressed response is decoded up to this many times the body cap (the rest is cut);
#: past that it is kept compressed: bounded work and memory for the writer.
_DECODE_FACTOR = 4


class BodyCapture:
    """Keeps the first ``cap`` bytes of a stream of chunks; notes whether more went by, and
    for a body cut at the cap its full ``size`` and ``sha256`` (hashed only past the cap)."""

    __slots__ = ("_hash", "buf", "cap", "size", "truncated")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.buf = bytearray()
        self.truncated = False
        self.size = 0
        self._hash: Any = None

    def add(self, chunk: bytes | memoryview) -> None:
        if not chunk:
            return
        n = len(chunk)
        self.size += n
        if self._hash is not None:
            self._hash.update(chunk)
            return
        room = self.cap - len(self.buf)
        if room >= n:
            self.buf += chunk
            return
        if room > 0:
            self.buf += chunk[:room]
        self.truncated = True
        # the kept prefix and everything after it: the whole body's digest
        self._hash = hashlib.sha256(self.buf)
        self._hash.update(chunk[room:] if room > 0 else chunk)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled for the writer process: the kept bytes, and the digest as its hex string
        (a hash object does not pickle; a capture is complete once it is submitted)."""
        digest = self._hash.hexdigest() if self._hash is not None else None
        return (_restore, (self.cap, self.buf, self.truncated, self.size, digest))

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
        if self._hash is not None:
            message["size"] = self.size
            digest = self._hash
            message["sha256"] = digest if isinstance(digest, str) else digest.hexdigest()


def _restore(
    cap: int, buf: bytearray, truncated: bool, size: int, digest: str | None
) -> BodyCapture:
    capture = BodyCapture(cap)
    capture.buf, capture.truncated, capture.size, capture._hash = buf, truncated, size, digest
    return capture


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


def _fill(message: Any) -> None:
    if type(message) is dict:
        raw = message.pop(RAW_KEY, None)
        if raw is not None:
            capture, content_type, layout, coding = raw
            capture.fill(message, content_type, layout=layout, content_encoding=coding)


def materialize(exchange: dict[str, Any]) -> dict[str, Any]:
    """Fill the body fields of every deferred capture in ``exchange`` (in place; returned)."""
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
            return len(raw[0].buf)
    return 0


def pending_bytes(exchange: dict[str, Any]) -> int:
    """Bytes of raw body ``exchange`` holds until it is materialized (for the queue's bound)."""
    n = _raw_len(exchange.get("request")) + _raw_len(exchange.get("response"))
    outbound = exchange.get("outbound")
    if type(outbound) is list:
        for call in outbound:
            if type(call) is dict:
                n += _raw_len(call.get("request")) + _raw_len(call.get("response"))
    return n

"""What the request path keeps of a body, and how the writer turns it into body fields.

The request path only copies: ``BodyCapture`` keeps the first ``cap`` bytes of a body (a body
past the cap is cut, its full size and SHA-256 noted), and ``defer`` puts the capture into the
request or response object under ``RAW_KEY`` instead of its body fields. ``BodyCapture.fill``,
run by the writer before redaction (through ``_record.materialize``), decodes a compressed
response, parses JSON and fills the body fields exactly as ``encode_body`` writes them. Until
then the raw bytes are unredacted and live in memory only: nothing is written before that and
the redactor ran. How a whole exchange travels to the writer is ``driftdiff_sdk._record``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from driftdiff_sdk.exchange import (
    decode_content,
    encode_body,
)

__all__ = ["HOLD_BYTES", "RAW_KEY", "BodyCapture", "defer", "restore"]

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
        return (restore, (self.cap, self.buf, self.truncated, self.size, self.digest()))

    def state(self) -> tuple[Any, ...] | None:
        """What a record carries of this body (``restore`` undoes it); ``None`` for an empty
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


def restore(
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

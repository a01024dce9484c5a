"""What one exchange looks like in the writer process's pipe.

A frame is a 4-byte big-endian length and a payload. The payload is a pickle (protocol 5) of
what the request path captured, or — for an inbound record whose body bytes are large — a
*split* payload: ``SPLIT``, the number of parts, then each part with its length: the pickle
first, then the body buffers it refers to out of band (``pickle.PickleBuffer``). The request
path then pickles only the small parts (a few microseconds however large the bodies), and the
body bytes are copied once, by the kernel, when the sender thread writes them (``writev``);
the writer process unpickles them as views of what it read (no copy either).
"""

from __future__ import annotations

import pickle
import struct
from typing import Any

__all__ = ["HEADER", "SPLIT", "Split", "decode", "encode"]

HEADER = struct.Struct("!I")
#: first byte of a split payload (a pickle's first byte is ``\x80``)
SPLIT = b"B"
#: a body buffer this large or more travels out of band
OUT_OF_BAND = 64 << 10
_REQ_BODY, _RESP_BODY = 11, 14  # positions in a ``_record.record``
_dumps = pickle.dumps


class Split:
    """A split payload as the buffers to write, in order (``len``: the payload's size)."""

    __slots__ = ("parts", "size")

    def __init__(self, parts: list[Any], size: int) -> None:
        self.parts = parts
        self.size = size

    def __len__(self) -> int:
        return self.size


def _wrapped(state: Any) -> Any:
    if state is None or len(state[1]) < OUT_OF_BAND:
        return state
    return (state[0], pickle.PickleBuffer(state[1]), *state[2:])


def encode(captured: Any) -> bytes | Split:
    """The payload of one frame (no copy of a large body: it is referenced, not pickled)."""
    if not (isinstance(captured, tuple) and len(captured) > _RESP_BODY):
        return _dumps(captured, 5)
    req, resp = captured[_REQ_BODY], captured[_RESP_BODY]
    big_req = req is not None and len(req[1]) >= OUT_OF_BAND
    big_resp = resp is not None and len(resp[1]) >= OUT_OF_BAND
    if not (big_req or big_resp):
        return _dumps(captured, 5)
    rec = list(captured)
    rec[_REQ_BODY], rec[_RESP_BODY] = _wrapped(req), _wrapped(resp)
    buffers: list[pickle.PickleBuffer] = []
    data = _dumps(tuple(rec), 5, buffer_callback=buffers.append)
    views = [memoryview(b.raw()) for b in buffers]
    pack = HEADER.pack
    parts: list[Any] = [SPLIT + pack(1 + len(views)), pack(len(data)), data]
    size = len(parts[0]) + HEADER.size + len(data)
    for view in views:
        parts += [pack(view.nbytes), view]
        size += HEADER.size + view.nbytes
    return Split(parts, size)


def decode(payload: bytes) -> Any:
    """What ``encode`` made of a capture (a split payload's buffers become views of it)."""
    if payload[:1] != SPLIT:
        return pickle.loads(payload)  # from the host process only (our own pipe)
    view = memoryview(payload)
    (count,) = HEADER.unpack_from(view, 1)
    pos = 1 + HEADER.size
    parts = []
    for _ in range(count):
        (size,) = HEADER.unpack_from(view, pos)
        pos += HEADER.size
        parts.append(view[pos : pos + size])
        pos += size
    return pickle.loads(parts[0], buffers=parts[1:])

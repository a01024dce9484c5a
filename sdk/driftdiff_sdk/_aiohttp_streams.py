"""Streamed aiohttp bodies, copied as they pass: the request body a handler reads from
``request.content`` itself, and what it writes to a ``StreamResponse`` it prepared itself.

aiohttp offers no hook for either: ``StreamReader`` has ``__slots__`` (no per-instance wrapper)
and a middleware only sees the response once the handler has written it. So two class-level
wrappers are installed, once, when the first request is recorded: around
``StreamReader._read_nowait_chunk`` (where every read of the buffer ends: ``read``, ``readany``,
``readline``, ``readchunk``, ``iter_chunked``, ``iter_any``...) and around
``StreamResponse.write``/``write_eof``. Each copies bytes only when the task is serving a
recorded request (a context variable set by the middleware) and the reader or response is that
request's own (an outbound aiohttp client response in the same handler is not); otherwise it
costs one ``ContextVar.get``. Copies go into capped ``BodyCapture`` buffers and a failure is
counted, never raised. Without ``_read_nowait_chunk`` (another aiohttp) nothing is installed
and such bodies stay noted as unread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from typing import Any

from driftdiff_sdk._capture import BodyCapture
from driftdiff_sdk.recorder import count_error

__all__ = ["Streams", "install", "unwatch", "watch"]


class Streams:
    """What one recorded request's streams carried (up to the body cap)."""

    __slots__ = ("reader", "request", "response", "response_body")

    def __init__(self, reader: Any, cap: int) -> None:
        self.reader = reader
        self.request = BodyCapture(cap)
        self.response: Any = None  # the StreamResponse the handler wrote, once it writes
        self.response_body = BodyCapture(cap)


_current: ContextVar[Streams | None] = ContextVar("driftdiff_aiohttp_streams", default=None)
_installed: bool | None = None  # None: not tried yet


def install() -> bool:
    """Wrap aiohttp's reader and stream response once; ``False`` when it cannot be done."""
    global _installed
    if _installed is None:
        try:
            _installed = _install()
        except Exception:
            count_error()
            _installed = False
    return _installed


def _install() -> bool:
    from aiohttp import streams, web

    reader = streams.StreamReader
    read_chunk = getattr(reader, "_read_nowait_chunk", None)
    if read_chunk is None:
        return False
    stream = web.StreamResponse
    setattr(reader, "_read_nowait_chunk", _reading(read_chunk))  # noqa: B010
    setattr(stream, "write", _writing(stream.write, web.Response))  # noqa: B010
    setattr(stream, "write_eof", _writing(stream.write_eof, web.Response, eof=True))  # noqa: B010
    return True


def watch(request: Any, cap: int) -> tuple[Streams, Token[Streams | None]] | None:
    """Start copying ``request``'s streams (``None`` when the wrappers are not installed)."""
    if not install():
        return None
    streams = Streams(request.content, cap)
    return streams, _current.set(streams)


def unwatch(token: Token[Streams | None]) -> None:
    _current.reset(token)


def _reading(original: Callable[[Any, int], bytes]) -> Callable[[Any, int], bytes]:
    def _read_nowait_chunk(self: Any, n: int) -> bytes:
        data = original(self, n)
        streams = _current.get()
        if streams is not None and streams.reader is self:
            try:
                streams.request.add(data)
            except Exception:
                count_error()
        return data

    return _read_nowait_chunk


def _writing(
    original: Callable[..., Awaitable[None]], plain: type, eof: bool = False
) -> Callable[..., Awaitable[None]]:
    async def write(self: Any, data: Any = b"") -> None:
        streams = _current.get()
        # ``web.Response`` writes its own body (recorded from ``.body``); a second write_eof
        # sends nothing
        if streams is None or isinstance(self, plain) or (eof and _eof_sent(self)):
            await original(self, data)
            return
        await original(self, data)
        try:
            if streams.response is None:
                streams.response = self
            if streams.response is self and data:
                streams.response_body.add(bytes(data))
        except Exception:
            count_error()

    write.__name__ = "write_eof" if eof else "write"
    return write


def _eof_sent(response: Any) -> bool:
    return bool(getattr(response, "_eof_sent", False))

"""The exchange being served, carried in a ``contextvars.ContextVar``.

asyncio tasks copy the current context when they are created, and so does
``contextvars.copy_context().run`` for threads, so outbound calls made from those find the same
``ExchangeContext`` object (the variable holds a reference: appends from every task and thread
land in one list). ``list.append`` and ``next(itertools.count)`` are atomic under the GIL,
which is why no lock is needed on this hot path.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

__all__ = [
    "ExchangeContext",
    "current_exchange",
    "inside_instrumented_call",
    "instrumented_call",
    "reset_exchange",
    "set_exchange",
]


class ExchangeContext:
    """One inbound exchange: its id and the outbound calls made while serving it."""

    __slots__ = ("_seq", "id", "outbound", "replay")

    def __init__(self, exchange_id: str, *, replay: bool = False) -> None:
        self.id = exchange_id
        self.replay = replay
        self.outbound: list[dict[str, Any]] = []
        self._seq = itertools.count()

    def next_seq(self) -> int:
        return next(self._seq)


_current: ContextVar[ExchangeContext | None] = ContextVar("driftdiff_exchange", default=None)
# True while an instrumented client call runs, so a library built on another one (requests on
# urllib3) is recorded once, by the outermost adapter.
_in_call: ContextVar[bool] = ContextVar("driftdiff_in_call", default=False)


def current_exchange() -> ExchangeContext | None:
    return _current.get()


def set_exchange(ctx: ExchangeContext | None) -> Token[ExchangeContext | None]:
    return _current.set(ctx)


def reset_exchange(token: Token[ExchangeContext | None]) -> None:
    try:
        _current.reset(token)
    except ValueError:
        # the token was created in another context (a server that finishes the response
        # elsewhere): clearing is the best we can do without raising into the host
        _current.set(None)


def inside_instrumented_call() -> bool:
    return _in_call.get()


@contextmanager
def instrumented_call() -> Iterator[None]:
    token = _in_call.set(True)
    try:
        yield
    finally:
        try:
            _in_call.reset(token)
        except ValueError:
            _in_call.set(False)

"""One inbound request being recorded, the way every middleware records it.

The ASGI, WSGI, Django, aiohttp and Sanic middlewares differ in how they see a request and its
response; what they do around it is the same and lives here: take the exchange context and the
arrival time first (``Recording(mw)``), run the app inside that context (``with recording:``),
then build the exchange from what the framework saw and hand it to the writer once
(``recording.emit(...)``). An app that raised before it answered is recorded as the 500 the
server sends, with its error in ``meta``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from driftdiff_sdk import runtime
from driftdiff_sdk._inbound import (
    BodyCapture,
    InboundMiddleware,
    build_exchange,
    new_context,
    started_now,
)
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange

__all__ = ["Recording"]


class Recording:
    """A recorded request's context and arrival time, and the exchange it ends in."""

    __slots__ = ("_mw", "_token", "ctx", "failure", "started", "started_at")

    def __init__(self, mw: InboundMiddleware) -> None:
        self.started_at, self.started = started_now()
        self.ctx: ExchangeContext = new_context(False, None)
        self.failure: BaseException | None = None
        self._mw = mw
        self._token: Any = None

    def __enter__(self) -> Recording:
        """The app runs in the exchange's context (outbound calls join it)."""
        self._token = set_exchange(self.ctx)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        failure: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        reset_exchange(self._token)
        self.failure = failure  # what the app raised, if it did: recorded, then re-raised

    def emit(
        self,
        *,
        route: str | None,
        method: str,
        url: str | tuple[str, Any] | None,
        path: str,
        query: str | bytes,
        req_headers: Any,
        req_body: BodyCapture | None,
        status: int | None,
        resp_headers: Any,
        resp_body: BodyCapture | None,
    ) -> None:
        """The exchange, to the writer. ``status=None``: no response was started; a failure
        is then recorded as a 500, and without one (the client went away) nothing is.

        Headers: a name → values map or the ``(name, value)`` pairs as sent; ``url``: the URL
        or ``(scheme, server)`` (``_record.record``). The query is parsed by the writer."""
        meta = None
        if status is None:
            if self.failure is None:
                return
            status, resp_headers, resp_body = 500, {}, None
            meta = {"error": f"{type(self.failure).__name__}: {self.failure}"}
        mw = self._mw
        exchange = build_exchange(
            ctx=self.ctx,
            service=mw._service,
            started_at=self.started_at,
            started=self.started,
            route=route,
            method=method,
            url=url,
            path=path,
            query=query,
            req_headers=req_headers,
            req_body=req_body,
            status=status,
            resp_headers=resp_headers,
            resp_body=resp_body,
            meta=meta,
        )
        runtime.emit(exchange, mw.config)

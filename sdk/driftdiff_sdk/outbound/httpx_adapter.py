"""httpx: patches ``Client.send`` and ``AsyncClient.send`` (``httpx.get`` and every
``client.request`` go there). With ``stream=True`` the body is the app's to read, so the entry
has none (``truncated``); otherwise httpx has read it before ``send`` returns.
"""

from __future__ import annotations

from typing import Any

import httpx

from driftdiff_sdk.context import ExchangeContext
from driftdiff_sdk.outbound import (
    Patch,
    active_exchange,
    finish_call,
    recording,
    replay_http,
    response_dict,
    start_call,
)
from driftdiff_sdk.recorder import count_error

__all__ = ["install", "uninstall"]


def _start(ctx: ExchangeContext, request: httpx.Request) -> dict[str, Any] | None:
    body: Any = None
    try:
        body = request.content  # raises for a streaming upload that was not read
    except Exception:
        body = object()  # not ours to read: recorded as truncated, without a body
    return start_call(ctx, request.method, str(request.url), request.headers.multi_items(), body)


def _finish(
    ctx: ExchangeContext,
    call: dict[str, Any] | None,
    started: float,
    request: httpx.Request,
    response: httpx.Response,
    stream: bool,
) -> httpx.Response:
    try:
        loaded = not stream and response.is_closed
        body = response.content if loaded else None
        finish_call(
            ctx,
            call,
            started,
            response_dict(
                response.status_code,
                response.headers.multi_items(),
                body,
                unread=not loaded and request.method != "HEAD",
            ),
        )
    except Exception:
        count_error("outbound httpx")
    return response


def _send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
    ctx = active_exchange()
    if ctx is None:
        return _sync.original(self, request, **kwargs)  # type: ignore[no-any-return]
    call = _start(ctx, request)
    if ctx.replay and call is not None:
        return _replayed(call, request)
    with recording(ctx, call) as started:
        response: httpx.Response = _sync.original(self, request, **kwargs)
    return _finish(ctx, call, started, request, response, bool(kwargs.get("stream")))


async def _async_send(
    self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any
) -> httpx.Response:
    ctx = active_exchange()
    if ctx is None:
        return await _async.original(self, request, **kwargs)  # type: ignore[no-any-return]
    call = _start(ctx, request)
    if ctx.replay and call is not None:
        return _replayed(call, request)
    with recording(ctx, call) as started:
        response: httpx.Response = await _async.original(self, request, **kwargs)
    return _finish(ctx, call, started, request, response, bool(kwargs.get("stream")))


_sync = Patch(httpx.Client, "send", _send)
_async = Patch(httpx.AsyncClient, "send", _async_send)


def install() -> bool:
    return _sync.install() and _async.install()


def uninstall() -> None:
    _sync.uninstall()
    _async.uninstall()


def _error(name: str, message: str, request: httpx.Request) -> BaseException:
    exc_type = getattr(httpx, name, None)
    if not (isinstance(exc_type, type) and issubclass(exc_type, httpx.TransportError)):
        exc_type = httpx.ConnectError
    return exc_type(message or name, request=request)


def _replayed(call: dict[str, Any], request: httpx.Request) -> httpx.Response:
    status, headers, data, _ = replay_http(call, _error, request)
    return httpx.Response(status, headers=headers, content=data, request=request)

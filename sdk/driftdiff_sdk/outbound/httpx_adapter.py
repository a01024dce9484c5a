"""httpx: patches ``Client.send`` and ``AsyncClient.send`` (``httpx.get`` and every
``client.request`` go there). With ``stream=True`` the body is the app's to read, so the entry
has none (``truncated``); otherwise httpx has read it before ``send`` returns.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from driftdiff_sdk.context import ExchangeContext, instrumented_call
from driftdiff_sdk.outbound import (
    active_exchange,
    body_from_entry,
    error_class_name,
    finish_call,
    headers_from_entry,
    replay_lookup,
    response_dict,
    start_call,
)
from driftdiff_sdk.recorder import count_error

__all__ = ["install", "uninstall"]

_originals: dict[str, Any] = {}


def install() -> bool:
    if not _originals:
        _originals["sync"] = httpx.Client.send
        _originals["async"] = httpx.AsyncClient.send
        httpx.Client.send = _send  # type: ignore[method-assign]
        httpx.AsyncClient.send = _async_send  # type: ignore[method-assign]
    return True


def uninstall() -> None:
    if _originals:
        httpx.Client.send = _originals.pop("sync")  # type: ignore[method-assign]
        httpx.AsyncClient.send = _originals.pop("async")  # type: ignore[method-assign]


def _start(ctx: ExchangeContext, request: httpx.Request) -> dict[str, Any] | None:
    body: Any = None
    try:
        body = request.content  # raises for a streaming upload that was not read
    except Exception:
        body = object()  # not ours to read: recorded as truncated, without a body
    return start_call(ctx, request.method, str(request.url), request.headers.multi_items(), body)


def _finish(ctx: ExchangeContext, call: dict[str, Any] | None, started: float,
            request: httpx.Request, response: httpx.Response, stream: bool) -> None:
    try:
        loaded = not stream and response.is_closed
        body = response.content if loaded else None
        finish_call(ctx, call, started,
                    response_dict(response.status_code, response.headers.multi_items(), body,
                                  unread=not loaded and request.method != "HEAD"))
    except Exception:
        count_error("outbound httpx")


def _send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
    ctx = active_exchange()
    if ctx is None:
        return _originals["sync"](self, request, **kwargs)  # type: ignore[no-any-return]
    call = _start(ctx, request)
    if ctx.replay and call is not None:
        return _replayed(call, request)
    started = time.perf_counter()
    with instrumented_call():
        try:
            response: httpx.Response = _originals["sync"](self, request, **kwargs)
        except BaseException as exc:
            finish_call(ctx, call, started, error=exc)
            raise
    _finish(ctx, call, started, request, response, bool(kwargs.get("stream")))
    return response


async def _async_send(self: httpx.AsyncClient, request: httpx.Request,
                      **kwargs: Any) -> httpx.Response:
    ctx = active_exchange()
    if ctx is None:
        return await _originals["async"](self, request, **kwargs)  # type: ignore[no-any-return]
    call = _start(ctx, request)
    if ctx.replay and call is not None:
        return _replayed(call, request)
    started = time.perf_counter()
    with instrumented_call():
        try:
            response: httpx.Response = await _originals["async"](self, request, **kwargs)
        except BaseException as exc:
            finish_call(ctx, call, started, error=exc)
            raise
    _finish(ctx, call, started, request, response, bool(kwargs.get("stream")))
    return response


def _replayed(call: dict[str, Any], request: httpx.Request) -> httpx.Response:
    entry = replay_lookup(call)
    if entry.get("error") is not None or not isinstance(entry.get("response"), dict):
        name, message = error_class_name(entry)
        exc_type = getattr(httpx, name, None)
        if not (isinstance(exc_type, type) and issubclass(exc_type, httpx.TransportError)):
            exc_type = httpx.ConnectError
        raise exc_type(message or name, request=request)
    recorded = entry["response"]
    data = body_from_entry(recorded)
    return httpx.Response(int(recorded.get("status", 200)),
                          headers=headers_from_entry(recorded, len(data)),
                          content=data, request=request)

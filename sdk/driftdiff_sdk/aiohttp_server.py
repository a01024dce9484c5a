"""``DriftDiffAiohttpMiddleware``: records exchanges of an aiohttp server app.

``web.Application(middlewares=[DriftDiffAiohttpMiddleware()])`` and ``DRIFTDIFF_MODE=record``;
keyword arguments are ``SDKConfig`` fields (over ``DRIFTDIFF_*``). The route template is the
matched resource's ``canonical`` form from aiohttp's router (``/notes/{id:\\d+}`` gives
``/notes/{id}``; a sub-app's prefix is part of it); an unmatched path records none.

The middleware only observes: the request body is what the handler read, through
``request.read()``/``text()``/``json()``/``post()`` (cached by aiohttp) or streamed from
``request.content`` itself (``iter_chunked``, ``readany``, ... a chunked upload too: copied as
it is read, ``_aiohttp_streams``), at most ``max_body`` bytes kept; a body the handler left
unread, or read only in part, is noted as ``truncated``. A ``web.Response`` body is kept up to
the cap, and so is what the handler wrote to a ``StreamResponse`` it prepared itself (chunked,
server-sent events); a ``FileResponse`` or a payload object (sent by aiohttp after the handler
returned) is noted as unread. An ``HTTPException`` raised by the
handler is recorded as the response it is; any other exception as a 500 with its error in
``meta``. In replay mode the replay tag header is taken out before the handler sees the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from driftdiff_sdk import _aiohttp_streams
from driftdiff_sdk._aiohttp_streams import Streams
from driftdiff_sdk._inbound import BodyCapture, InboundMiddleware, new_context
from driftdiff_sdk._recording import Recording
from driftdiff_sdk.context import reset_exchange, set_exchange
from driftdiff_sdk.exchange import headers_to_map
from driftdiff_sdk.http_vocabulary import EXCHANGE_HEADER
from driftdiff_sdk.recorder import count_error

__all__ = ["DriftDiffAiohttpMiddleware"]

Handler = Callable[[Any], Awaitable[Any]]


class DriftDiffAiohttpMiddleware(InboundMiddleware):
    """aiohttp (new-style) server middleware; one instance per application."""

    __middleware_version__ = 1  # aiohttp 3.x: a (request, handler) middleware

    def __init__(self, **config: Any) -> None:
        self._configure(**config)

    async def __call__(self, request: Any, handler: Handler) -> Any:
        if self._replay:
            return await self._serve_replay(request, handler)
        if not self._record or not self._wanted(request.method, request.path):
            return await handler(request)
        return await self._serve_recorded(request, handler)

    async def _serve_replay(self, request: Any, handler: Handler) -> Any:
        replay_id = request.headers.get(EXCHANGE_HEADER)
        if replay_id is not None:
            # taken out: the handler sees the recorded request, not replay's tag
            headers = request.headers.copy()
            del headers[EXCHANGE_HEADER]
            request = request.clone(headers=headers)
        token = set_exchange(new_context(True, replay_id))
        try:
            return await handler(request)
        finally:
            reset_exchange(token)

    async def _serve_recorded(self, request: Any, handler: Handler) -> Any:
        from aiohttp import web

        recording = Recording(self)
        watched = _aiohttp_streams.watch(request, self._cap)
        response: Any = None
        try:
            with recording:
                response = await handler(request)
        except web.HTTPException as exc:  # a Response subclass: recorded as the answer it is
            response = exc
            raise
        finally:
            streams = None
            if watched is not None:
                streams = watched[0]
                _aiohttp_streams.unwatch(watched[1])
            try:
                self._emit(request, recording, response, streams)
            except Exception:
                count_error()
        return response

    def _emit(
        self, request: Any, recording: Recording, response: Any, streams: Streams | None
    ) -> None:
        recording.emit(
            route=aiohttp_route(request),
            method=request.method,
            url=str(request.url),
            path=request.path,
            query=request.query_string,
            req_headers=headers_to_map(request.headers.items()),
            req_body=_request_body(request, self._cap, streams),
            status=None if response is None else int(response.status),
            resp_headers={} if response is None else headers_to_map(response.headers.items()),
            resp_body=None if response is None else _response_body(response, self._cap, streams),
        )


def aiohttp_route(request: Any) -> str | None:
    """The matched resource's canonical template (``None`` when nothing matched)."""
    route = getattr(request.match_info, "route", None)
    resource = getattr(route, "resource", None)
    canonical = getattr(resource, "canonical", None)
    return canonical if isinstance(canonical, str) and canonical.startswith("/") else None


def _request_body(request: Any, cap: int, streams: Streams | None) -> BodyCapture | None:
    read = getattr(request, "_read_bytes", None)  # aiohttp's cache of request.read()
    if isinstance(read, bytes | bytearray):
        capture = BodyCapture(cap)
        capture.add(bytes(read))
        return capture
    if streams is not None and streams.request.size:
        # read by the handler from request.content: what it read, cut if it stopped early
        if not request.content.at_eof():
            streams.request.mark_unread()
        return streams.request
    capture = BodyCapture(cap)
    if request.body_exists:
        capture.mark_unread()  # the handler did not read it (or its reads were not seen)
    return capture


def _response_body(response: Any, cap: int, streams: Streams | None) -> BodyCapture:
    body = getattr(response, "body", None)
    if isinstance(body, bytes | bytearray):
        capture = BodyCapture(cap)
        capture.add(bytes(body))
        return capture
    if streams is not None and streams.response is response:
        return streams.response_body  # a StreamResponse the handler prepared and wrote
    capture = BodyCapture(cap)
    if streams is not None and streams.response is None and response.prepared:
        return capture  # prepared by the handler, nothing written
    if body is not None or not hasattr(response, "body"):
        capture.mark_unread()  # a payload object, or a stream written where it was not seen
    return capture

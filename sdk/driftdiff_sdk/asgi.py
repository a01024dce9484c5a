"""``DriftDiffMiddleware``: records exchanges of any ASGI app (Starlette, FastAPI, ...).

Wrap the app and set ``DRIFTDIFF_MODE=record``; that is all. The middleware only observes:
``receive`` and ``send`` messages go through untouched (the app reads every byte of a 100 MB
upload, the client gets every chunk of a streaming response), while at most ``max_body`` bytes
of each are kept for the recording. Websocket scopes are passed straight through; in a lifespan
scope the middleware flushes what is queued once the app's shutdown is done (SIGTERM under
uvicorn loses nothing), and otherwise passes it through.
The route template comes from the framework's router (Starlette's ``scope["route"]`` with any
``Mount`` prefix, FastAPI's prefixed routers, Litestar, Falcon: ``_routes``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from driftdiff_sdk import runtime
from driftdiff_sdk._inbound import BodyCapture, InboundMiddleware, new_context
from driftdiff_sdk._recording import Recording
from driftdiff_sdk._routes import falcon_route, litestar_route, sanic_route, starlette_route
from driftdiff_sdk.context import reset_exchange, set_exchange
from driftdiff_sdk.http_vocabulary import EXCHANGE_HEADER
from driftdiff_sdk.recorder import count_error

__all__ = ["DriftDiffMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_REPLAY_HEADER_B = EXCHANGE_HEADER.encode("latin-1")


class DriftDiffMiddleware(InboundMiddleware):
    """ASGI middleware; keyword arguments are ``SDKConfig`` fields (over ``DRIFTDIFF_*``)."""

    def __init__(self, app: ASGIApp, **config: Any) -> None:
        self.app = app
        self._configure(**config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan" and self._record:
                await self.app(scope, receive, _flushing_at_shutdown(send))
                return
            await self.app(scope, receive, send)
            return
        if self._replay:
            await self._serve_replay(scope, receive, send)
            return
        if not self._record or not self._wanted(
            scope.get("method") or "GET", scope.get("path") or "/"
        ):
            await self.app(scope, receive, send)
            return
        await self._serve_recorded(scope, receive, send)

    async def _serve_replay(self, scope: Scope, receive: Receive, send: Send) -> None:
        replay_id = None
        headers = list(scope.get("headers") or ())
        for name, value in headers:
            if name.lower() == _REPLAY_HEADER_B:
                replay_id = value.decode("latin-1")
                # taken out: the app sees the recorded request, not replay's tag
                scope = {**scope, "headers": [h for h in headers if h[0].lower() != name.lower()]}
                break
        token = set_exchange(new_context(True, replay_id))
        try:
            await self.app(scope, receive, send)
        finally:
            reset_exchange(token)

    async def _serve_recorded(self, scope: Scope, receive: Receive, send: Send) -> None:
        recording = Recording(self)
        cap = self._cap
        req_body = BodyCapture(cap)
        resp_body = BodyCapture(cap)
        state: dict[str, Any] = {}

        async def receive_wrapper() -> Message:
            message = await receive()
            try:
                if message["type"] == "http.request":
                    req_body.add(message.get("body", b""))
            except Exception:
                count_error()
            return message

        def send_wrapper(message: Message) -> Awaitable[None]:
            # a plain function returning the server's awaitable: no coroutine of our own per
            # message (the app awaits what it gets back, exactly as before)
            try:
                kind = message["type"]
                if kind == "http.response.body":
                    resp_body.add(message.get("body", b""))
                elif kind == "http.response.start":
                    state["status"] = message["status"]
                    state["headers"] = message.get("headers") or ()
            except Exception:
                count_error()
            return send(message)

        # read before the call: routers write into the scope while routing
        orig = (scope.get("path") or "/", scope.get("root_path") or "")
        try:
            with recording:
                await self.app(scope, receive_wrapper, send_wrapper)
        finally:
            try:
                self._emit(scope, orig, recording, req_body, resp_body, state)
            except Exception:
                count_error()

    def _emit(
        self,
        scope: Scope,
        orig: tuple[str, str],
        recording: Recording,
        req_body: BodyCapture,
        resp_body: BodyCapture,
        state: dict[str, Any],
    ) -> None:
        path, orig_root = orig
        # raw parts only (header pairs, query string, the URL's parts): the writer maps them
        recording.emit(
            route=starlette_route(scope, orig_root) or _other_route(self.app, scope, path),
            method=scope.get("method", "GET"),
            url=(scope.get("scheme", "http"), scope.get("server")),
            path=path,
            query=scope.get("query_string") or b"",
            req_headers=list(scope.get("headers") or ()),
            req_body=req_body,
            status=int(state["status"]) if "status" in state else None,
            resp_headers=list(state.get("headers") or ()),
            resp_body=resp_body,
        )


_SHUTDOWN_DONE = ("lifespan.shutdown.complete", "lifespan.shutdown.failed")


def _flushing_at_shutdown(send: Send) -> Send:
    """The lifespan's ``send``: once the app has run its shutdown, and before the server is
    told so (it exits right after), what is queued is handed to the writer process and
    written (``runtime.flush``, at most 5 s; the loop serves no request any more)."""

    async def lifespan_send(message: Message) -> None:
        try:
            if message.get("type") in _SHUTDOWN_DONE:
                runtime.flush()
        except Exception:
            count_error("flush")
        await send(message)

    return lifespan_send


def _other_route(app: Any, scope: Scope, path: str) -> str | None:
    """Litestar's, Falcon's and Sanic's templates (their routers leave no ``scope["route"]``)."""
    root = scope.get("root_path") or ""
    inner = path[len(root) :] if root and path.startswith(root) else path
    found = (
        litestar_route(scope)
        or falcon_route(app, inner or "/")
        or sanic_route(app, inner or "/", scope.get("method", "GET"), _host(scope))
    )
    return root + found if found and root and path.startswith(root) else found


def _host(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name.lower() == b"host":
            return bytes(value).decode("latin-1")
    return None

"""Recording a Sanic app under Sanic's own server: ``driftdiff_sdk.sanic_server.install(app)``
and ``DRIFTDIFF_MODE=record`` (keyword arguments are ``SDKConfig`` fields over ``DRIFTDIFF_*``).

Sanic's server runs no ASGI middleware, so this registers a request and a response middleware
(served as ASGI, ``asgi.DriftDiffMiddleware`` does the same job). Request middleware, handler
and response middleware run in one task, so outbound calls made by the handler join the
exchange. The route template is the matched route's ``uri`` (blueprint prefixes included,
``<id:int>`` written ``{id}``); Sanic answers a raised exception with a response, and that
response is what is recorded. Bodies are Sanic's: the request body as read before the handler
(a ``stream=True`` route's body is noted as unread), the response body unless streamed, the
response's ``content_type`` among its headers (Sanic adds it only when it writes the response).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from driftdiff_sdk._inbound import BodyCapture, InboundMiddleware, new_context
from driftdiff_sdk._recording import Recording
from driftdiff_sdk._routes import sanic_template
from driftdiff_sdk.context import reset_exchange, set_exchange
from driftdiff_sdk.exchange import headers_to_map
from driftdiff_sdk.http_vocabulary import EXCHANGE_HEADER
from driftdiff_sdk.recorder import count_error

__all__ = ["install"]

_STATE = "_driftdiff"  # on request.ctx: (token, the Recording; None in replay)


def install(app: Any, **config: Any) -> None:
    """Register the recording (or replay) middlewares on a ``sanic.Sanic`` app."""
    recorder = _SanicRecorder(**config)
    app.register_middleware(recorder.on_request, "request")
    app.register_middleware(recorder.on_response, "response")


class _SanicRecorder(InboundMiddleware):
    def __init__(self, **config: Any) -> None:
        self._configure(**config)

    async def on_request(self, request: Any) -> None:
        try:
            recording = None
            if self._replay:
                replay_id = request.headers.get(EXCHANGE_HEADER)
                if replay_id is not None:
                    del request.headers[EXCHANGE_HEADER]  # the handler sees the recorded request
                ctx = new_context(True, replay_id)
            elif self._record and self._wanted(request.method, request.path):
                recording = Recording(self)
                ctx = recording.ctx
            else:
                return
            setattr(request.ctx, _STATE, (set_exchange(ctx), recording))
        except Exception:
            count_error()

    async def on_response(self, request: Any, response: Any) -> None:
        state = getattr(request.ctx, _STATE, None)
        if state is None:
            return
        token, recording = state
        with suppress(ValueError):  # another task: the variable is that task's own copy
            reset_exchange(token)
        if recording is None:
            return
        try:
            self._emit(request, response, recording)
        except Exception:
            count_error()

    def _emit(self, request: Any, response: Any, recording: Recording) -> None:
        req_body = BodyCapture(self._cap)
        body = request.body
        if isinstance(body, bytes | bytearray) and body:
            req_body.add(bytes(body))
        elif _streamed_body(request):
            req_body.mark_unread()
        resp_body = BodyCapture(self._cap)
        out = getattr(response, "body", None)
        if isinstance(out, bytes | bytearray):
            resp_body.add(bytes(out))
        elif out is not None:
            resp_body.mark_unread()
        recording.emit(
            route=sanic_template(getattr(request, "route", None)),
            method=request.method,
            url=request.url,
            path=request.path,
            query=request.query_string or "",
            req_headers=headers_to_map(request.headers.items()),
            req_body=req_body,
            status=int(response.status),
            resp_headers=_response_headers(response),
            resp_body=resp_body,
        )


def _streamed_body(request: Any) -> bool:
    """A body sent to a ``stream=True`` route (Sanic preloads every other route's body before the
    request middleware): the handler reads it itself, so it is noted as unread."""
    handler = getattr(getattr(request, "route", None), "handler", None)
    if not getattr(handler, "is_stream", False):
        return False
    headers = request.headers
    return bool(headers.get("transfer-encoding")) or headers.get("content-length", "0") != "0"


def _response_headers(response: Any) -> dict[str, list[str]]:
    """The response's headers with its ``content_type``, which Sanic keeps apart from
    ``headers`` and adds only when it writes the response."""
    headers = headers_to_map(response.headers.items())
    content_type = getattr(response, "content_type", None)
    if content_type and "content-type" not in headers and _has_body(int(response.status)):
        headers["content-type"] = [str(content_type)]
    return headers


def _has_body(status: int) -> bool:
    return not (status < 200 or status in (204, 304))

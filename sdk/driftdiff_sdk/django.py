"""``DriftDiffDjangoMiddleware``: add ``"driftdiff_sdk.django.DriftDiffDjangoMiddleware"`` at
the top of ``MIDDLEWARE`` and set ``DRIFTDIFF_MODE=record``.

The request body is captured by teeing Django's input stream rather than touching
``request.body`` (that would load a 100 MB upload into memory and could trip
``DATA_UPLOAD_MAX_MEMORY_SIZE`` where the app itself streams). The route template comes from
``request.resolver_match.route`` (``users/<int:user_id>`` → ``/users/{user_id}``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from driftdiff_sdk import runtime
from driftdiff_sdk._inbound import (
    BodyCapture,
    InboundMiddleware,
    build_exchange,
    django_route,
    new_context,
    started_now,
)
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange
from driftdiff_sdk.exchange import parse_query
from driftdiff_sdk.http_vocabulary import EXCHANGE_HEADER_ENVIRON
from driftdiff_sdk.recorder import count_error
from driftdiff_sdk.wsgi import TeeInput

__all__ = ["DriftDiffDjangoMiddleware"]


class DriftDiffDjangoMiddleware(InboundMiddleware):
    """New-style (callable) Django middleware; configuration from ``DRIFTDIFF_*``."""

    sync_capable = True
    async_capable = False  # Django adapts it under ASGI; the exchange context still follows

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self._configure()

    def __call__(self, request: Any) -> Any:
        if self._replay:
            token = set_exchange(
                # taken out: the view sees the recorded request, not replay's tag
                new_context(True, request.META.pop(EXCHANGE_HEADER_ENVIRON, None))
            )
            try:
                return self.get_response(request)
            finally:
                reset_exchange(token)
        if not self._record or not self._wanted(request.method or "GET", request.path):
            return self.get_response(request)
        return self._record_call(request)

    def _record_call(self, request: Any) -> Any:
        started_at, started = started_now()
        ctx = new_context(False, None)
        req_body = BodyCapture(self._cap)
        try:
            stream = getattr(request, "_stream", None)
            if stream is not None:
                request._stream = TeeInput(stream, req_body)
        except Exception:
            count_error()
        token = set_exchange(ctx)
        try:
            response = self.get_response(request)
        except BaseException as exc:
            self._safe_emit(request, ctx, started_at, started, req_body, None, None, exc)
            raise
        finally:
            reset_exchange(token)
        try:
            if getattr(response, "streaming", False):
                resp_body = BodyCapture(self._cap)
                # emitted when the server has sent (or abandoned) the last chunk
                response.streaming_content = self._tee_stream(
                    response.streaming_content,
                    resp_body,
                    lambda: self._safe_emit(
                        request, ctx, started_at, started, req_body, response, resp_body, None
                    ),
                )
                return response
            resp_body = BodyCapture(self._cap)
            resp_body.add(bytes(response.content))
        except Exception:
            count_error()
            return response
        self._safe_emit(request, ctx, started_at, started, req_body, response, resp_body, None)
        return response

    @staticmethod
    def _tee_stream(
        content: Any, capture: BodyCapture, done: Callable[[], None]
    ) -> Iterator[bytes]:
        try:
            for chunk in content:
                try:
                    capture.add(chunk if isinstance(chunk, bytes) else bytes(chunk))
                except Exception:
                    count_error()
                yield chunk
        finally:
            done()

    def _safe_emit(
        self,
        request: Any,
        ctx: ExchangeContext,
        started_at: str,
        started: float,
        req_body: BodyCapture,
        response: Any,
        resp_body: BodyCapture | None,
        failure: BaseException | None,
    ) -> None:
        try:
            self._emit(request, ctx, started_at, started, req_body, response, resp_body, failure)
        except Exception:
            count_error()

    def _emit(
        self,
        request: Any,
        ctx: ExchangeContext,
        started_at: str,
        started: float,
        req_body: BodyCapture,
        response: Any,
        resp_body: BodyCapture | None,
        failure: BaseException | None,
    ) -> None:
        meta = None
        resp_headers: dict[str, list[str]] = {}
        if response is not None:
            status = int(response.status_code)
            for name, value in response.items():
                resp_headers.setdefault(name.lower(), []).append(str(value))
            for morsel in getattr(response, "cookies", {}).values():
                resp_headers.setdefault("set-cookie", []).append(morsel.OutputString())
        else:
            status = 500
            meta = {"error": f"{type(failure).__name__}: {failure}"}
        meta_env = request.META
        req_headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            req_headers[name.lower()] = [str(value)]
        path = request.path
        query = meta_env.get("QUERY_STRING", "") or ""
        host = meta_env.get("HTTP_HOST") or (
            f"{meta_env.get('SERVER_NAME', 'localhost')}:{meta_env.get('SERVER_PORT', '80')}"
        )
        # not build_absolute_uri(): it raises DisallowedHost, a host decision that is not ours
        url = f"{request.scheme}://{host}{path}" + (f"?{query}" if query else "")
        exchange = build_exchange(
            ctx=ctx,
            service=self._service,
            started_at=started_at,
            started=started,
            route=_route(request),
            method=request.method or "GET",
            url=url,
            path=path,
            query=parse_query(query) if query else {},
            req_headers=req_headers,
            req_body=req_body,
            status=status,
            resp_headers=resp_headers,
            resp_body=resp_body,
            meta=meta,
        )
        runtime.emit(exchange, self.config)


def _route(request: Any) -> str | None:
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    if isinstance(route, str) and route:
        script = request.META.get("SCRIPT_NAME", "") or ""
        return script.rstrip("/") + django_route(route)
    if match is not None and route == "":
        return "/"
    return None

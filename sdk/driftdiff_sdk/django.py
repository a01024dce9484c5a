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

from driftdiff_sdk._inbound import BodyCapture, InboundMiddleware, django_route, new_context
from driftdiff_sdk._recording import Recording
from driftdiff_sdk.context import reset_exchange, set_exchange
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
        recording = Recording(self)
        req_body = BodyCapture(self._cap)
        try:
            stream = getattr(request, "_stream", None)
            if stream is not None:
                request._stream = TeeInput(stream, req_body)
        except Exception:
            count_error()
        try:
            with recording:
                response = self.get_response(request)
        except BaseException:
            self._emit(request, recording, req_body, None, None)
            raise
        try:
            if getattr(response, "streaming", False):
                resp_body = BodyCapture(self._cap)
                # emitted when the server has sent (or abandoned) the last chunk
                response.streaming_content = self._tee_stream(
                    response.streaming_content,
                    resp_body,
                    lambda: self._emit(request, recording, req_body, response, resp_body),
                )
                return response
            resp_body = BodyCapture(self._cap)
            resp_body.add(bytes(response.content))
        except Exception:
            count_error()
            return response
        self._emit(request, recording, req_body, response, resp_body)
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

    def _emit(
        self,
        request: Any,
        recording: Recording,
        req_body: BodyCapture,
        response: Any,
        resp_body: BodyCapture | None,
    ) -> None:
        """The exchange, to the writer; a failure here is counted, never the host's."""
        try:
            status = None
            resp_headers: dict[str, list[str]] = {}
            if response is not None:
                status = int(response.status_code)
                for name, value in response.items():
                    resp_headers.setdefault(name.lower(), []).append(str(value))
                for morsel in getattr(response, "cookies", {}).values():
                    resp_headers.setdefault("set-cookie", []).append(morsel.OutputString())
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
            recording.emit(
                route=_route(request),
                method=request.method or "GET",
                url=url,
                path=path,
                query=query,
                req_headers=req_headers,
                req_body=req_body,
                status=status,
                resp_headers=resp_headers,
                resp_body=resp_body,
            )
        except Exception:
            count_error()


def _route(request: Any) -> str | None:
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    if isinstance(route, str) and route:
        script = request.META.get("SCRIPT_NAME", "") or ""
        return script.rstrip("/") + django_route(route)
    if match is not None and route == "":
        return "/"
    return None

"""urllib.request: patches ``AbstractHTTPHandler.do_open`` (HTTP and HTTPS handlers use it).

``do_open`` returns an ``http.client.HTTPResponse`` whose body the app has not read yet. When
its length is known and within the body cap, the body is read here and the response is rewound
onto an in-memory buffer (the app reads the same bytes, from the same object type); a larger or
unbounded (chunked, event-stream) body is left alone and recorded without a body.
In replay a real ``HTTPResponse`` is parsed from the recorded bytes, so the app's handlers
(``HTTPError`` for 4xx/5xx, cookies, redirects) behave as they did live.
"""

from __future__ import annotations

import http.client
import io
import urllib.request
from http import HTTPStatus
from typing import Any
from urllib.error import URLError

from driftdiff_sdk.outbound import (
    Patch,
    active_exchange,
    finish_call,
    max_body,
    recording,
    replay_http,
    response_dict,
    start_call,
)
from driftdiff_sdk.recorder import count_error

__all__ = ["install", "uninstall"]


def _do_open(
    self: Any, http_class: Any, req: urllib.request.Request, **kwargs: Any
) -> http.client.HTTPResponse:
    ctx = active_exchange()
    if ctx is None:
        return _patch.original(self, http_class, req, **kwargs)  # type: ignore[no-any-return]
    method = req.get_method()
    call = start_call(ctx, method, req.full_url, req.header_items(), req.data)
    if ctx.replay and call is not None:
        return _replayed(call, req, method)
    with recording(ctx, call) as started:
        response: http.client.HTTPResponse = _patch.original(self, http_class, req, **kwargs)
    try:
        data = _read_and_rewind(response, method)
        finish_call(
            ctx,
            call,
            started,
            response_dict(
                response.status,
                response.headers.items(),
                data,
                unread=data is None and method != "HEAD",
            ),
        )
    except Exception:
        count_error("outbound urllib")
    return response


_patch = Patch(urllib.request.AbstractHTTPHandler, "do_open", _do_open)
install = _patch.install
uninstall = _patch.uninstall


def _read_and_rewind(response: http.client.HTTPResponse, method: str) -> bytes | None:
    if method == "HEAD" or response.chunked:
        return None
    length = response.length
    if length is None or length > max_body():
        return None
    data = response.read()
    # put the bytes back: the app reads them from this same response object
    response.fp = io.BufferedReader(io.BytesIO(data))
    response.length = len(data)
    return data


class _RecordedSocket:
    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def makefile(self, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self._raw))


def _error(name: str, message: str) -> BaseException:
    reason: OSError = (
        TimeoutError(message)
        if "Timeout" in name or "timed out" in message
        else ConnectionRefusedError(message or name)
    )
    return URLError(reason)


def _replayed(
    call: dict[str, Any], req: urllib.request.Request, method: str
) -> http.client.HTTPResponse:
    status, headers, data, _ = replay_http(call, _error)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    head = [f"HTTP/1.1 {status} {phrase}"]
    head += [f"{name}: {value}" for name, value in headers]
    raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace") + data
    sock: Any = _RecordedSocket(raw)  # a file-like stand-in: HTTPResponse only calls makefile()
    response = http.client.HTTPResponse(sock, method=method, url=req.full_url)
    response.begin()
    response.url = req.full_url  # what do_open sets (geturl())
    # urllib expects the reason in .msg (do_open does the same)
    response.msg = response.reason  # type: ignore[assignment]
    return response

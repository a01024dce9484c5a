"""requests: patches ``Session.send`` (every ``requests.get``/``Session.request`` goes there).

Redirects re-enter ``send`` from inside the outer call, so one entry describes the call the app
made (first URL, final response), and urllib3 underneath is not recorded a second time.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

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


def _send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
    ctx = active_exchange()
    if ctx is None:
        return _patch.original(self, request, **kwargs)
    call = start_call(
        ctx, request.method or "GET", request.url or "", request.headers, request.body
    )
    if ctx.replay and call is not None:
        return _replayed(call, request)
    with recording(ctx, call) as started:
        response = _patch.original(self, request, **kwargs)
    try:
        loaded = bool(getattr(response, "_content_consumed", False)) and not kwargs.get("stream")
        body = response.content if loaded else None
        finish_call(
            ctx,
            call,
            started,
            response_dict(
                response.status_code,
                response.headers,
                body,
                unread=not loaded and request.method != "HEAD",
            ),
        )
    except Exception:
        count_error("outbound requests")
    return response


_patch = Patch(requests.Session, "send", _send)
install = _patch.install
uninstall = _patch.uninstall

_ERRORS: dict[str, type[requests.exceptions.RequestException]] = {
    "ConnectTimeout": requests.exceptions.ConnectTimeout,
    "ReadTimeout": requests.exceptions.ReadTimeout,
    "Timeout": requests.exceptions.Timeout,
    "SSLError": requests.exceptions.SSLError,
    "TooManyRedirects": requests.exceptions.TooManyRedirects,
}


def _error(name: str, message: str, request: requests.PreparedRequest) -> BaseException:
    exc_type = _ERRORS.get(name, requests.exceptions.ConnectionError)
    return exc_type(message or name, request=request)


def _replayed(call: dict[str, Any], request: requests.PreparedRequest) -> requests.Response:
    status, headers, data, recorded = replay_http(call, _error, request)
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers)
    response._content = data
    response._content_consumed = True  # type: ignore[attr-defined]
    response.url = request.url or ""
    response.request = request
    response.encoding = get_encoding_from_headers(response.headers)
    response.reason = str(recorded.get("reason") or "")
    return response

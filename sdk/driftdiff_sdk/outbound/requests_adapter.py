"""requests: patches ``Session.send`` (every ``requests.get``/``Session.request`` goes there).

Redirects re-enter ``send`` from inside the outer call, so one entry describes the call the app
made (first URL, final response), and urllib3 underneath is not recorded a second time.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from driftdiff_sdk.context import instrumented_call
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

_original: Any = None


def install() -> bool:
    global _original
    if _original is None:
        _original = requests.Session.send
        requests.Session.send = _send  # type: ignore[method-assign]
    return True


def uninstall() -> None:
    global _original
    if _original is not None:
        requests.Session.send = _original  # type: ignore[method-assign]
        _original = None


def _send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
    ctx = active_exchange()
    if ctx is None:
        return _original(self, request, **kwargs)
    call = start_call(ctx, request.method or "GET", request.url or "", request.headers,
                      request.body)
    if ctx.replay and call is not None:
        return _replayed(call, request)
    started = time.perf_counter()
    with instrumented_call():
        try:
            response = _original(self, request, **kwargs)
        except BaseException as exc:
            finish_call(ctx, call, started, error=exc)
            raise
    try:
        loaded = bool(getattr(response, "_content_consumed", False)) and not kwargs.get("stream")
        body = response.content if loaded else None
        finish_call(ctx, call, started,
                    response_dict(response.status_code, response.headers, body,
                                  unread=not loaded and request.method != "HEAD"))
    except Exception:
        count_error("outbound requests")
    return response


def _replayed(call: dict[str, Any], request: requests.PreparedRequest) -> requests.Response:
    entry = replay_lookup(call)
    if entry.get("error") is not None or not isinstance(entry.get("response"), dict):
        name, message = error_class_name(entry)
        exc_type = {
            "ConnectTimeout": requests.exceptions.ConnectTimeout,
            "ReadTimeout": requests.exceptions.ReadTimeout,
            "Timeout": requests.exceptions.Timeout,
            "SSLError": requests.exceptions.SSLError,
            "TooManyRedirects": requests.exceptions.TooManyRedirects,
        }.get(name, requests.exceptions.ConnectionError)
        raise exc_type(message or name, request=request)
    recorded = entry["response"]
    data = body_from_entry(recorded)
    response = requests.Response()
    response.status_code = int(recorded.get("status", 200))
    response.headers = CaseInsensitiveDict(headers_from_entry(recorded, len(data)))
    response._content = data
    response._content_consumed = True  # type: ignore[attr-defined]
    response.url = request.url or ""
    response.request = request
    response.encoding = get_encoding_from_headers(response.headers)
    response.reason = str(recorded.get("reason") or "")
    return response

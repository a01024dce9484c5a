"""The replayed request on the wire: exactly what was recorded, bytes and headers.

* **Headers**: the recorded ones, in recorded order, and nothing else — no ``Accept``,
  ``User-Agent``, ``Accept-Encoding`` or cookie jar of an HTTP client (``Connection`` and
  ``Keep-Alive`` too only when recorded). Left out: the framing recomputed for the bytes sent
  (``Content-Length``, ``Transfer-Encoding``), protocol switches and the client's own protocol
  negotiation (``Upgrade``, ``Expect``, ``TE``, ``Trailer``, ``Proxy-Connection``); ``Host``
  is the target's. Added: ``x-driftdiff-exchange-id`` (the SDK in the service matches
  outbound mocks by it and removes it before the app sees the request), the configured
  credentials and ``--header`` overrides.
* **Conditional GETs**: sent with their recorded validators (``If-None-Match``,
  ``If-Modified-Since``). When the build answers ``304 Not Modified`` to a safe request whose
  recorded answer was a full one (the recording client's cache copy was stale then, current
  now), the runner asks again without the validators and compares that full answer
  (``unconditional``). A request recorded with a ``304`` (a browser's cache revalidation) may
  be answered ``304`` or in full: :mod:`~drift_diff.replay.compare` accepts either.
* **Body**: the recorded bytes. Text and binary bodies are stored as they were; a JSON body is
  stored parsed with its layout (``body_layout``, exchange format 1.1) and serialised back in
  that layout. A body redaction changed is sent with the placeholders in the recorded layout;
  a layout that no known one reproduces (or a 1.0 trace) is sent compact.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode, urlsplit

from driftdiff_sdk.exchange import dump_json
from driftdiff_sdk.http_vocabulary import (
    EXCHANGE_HEADER,
    FRAMING,
    PROTOCOL_NEGOTIATION,
    SAFE_METHODS,
)

from drift_diff.replay.credentials import Secrets

__all__ = [
    "CONDITIONAL_HEADERS",
    "EXCHANGE_HEADER",
    "SAFE_METHODS",
    "asks_again_unconditional",
    "body_bytes",
    "build_request",
]

#: Cache validators: with them a server may answer 304 instead of the recorded full answer.
CONDITIONAL_HEADERS = frozenset({"if-none-match", "if-modified-since"})
#: Recorded headers never replayed: the connection's own, and framing recomputed for the body.
_DROP_HEADERS = FRAMING | PROTOCOL_NEGOTIATION | {EXCHANGE_HEADER}


def body_bytes(request: dict[str, Any]) -> bytes | None:
    """The recorded request body as bytes (a JSON body in its recorded layout)."""
    if "body" in request:
        return dump_json(request["body"], request.get("body_layout"))
    if "body_text" in request:
        return str(request["body_text"]).encode("utf-8", "surrogatepass")
    if "body_b64" in request:
        return base64.b64decode(request["body_b64"])
    return None


def asks_again_unconditional(exchange: dict[str, Any], live_status: int) -> bool:
    """Whether a live 304 to ``exchange`` should be asked again without cache validators."""
    request = exchange["request"]
    return (
        live_status == 304
        and str(request.get("method", "")).upper() in SAFE_METHODS
        and (exchange.get("response") or {}).get("status") != 304
        and any(str(k).lower() in CONDITIONAL_HEADERS for k in request.get("headers") or {})
    )


def _dropped(name: str, unconditional: bool) -> bool:
    low = name.lower()
    return low in _DROP_HEADERS or (unconditional and low in CONDITIONAL_HEADERS)


def build_request(
    exchange: dict[str, Any],
    target: str,
    overrides: dict[str, str] | None = None,
    secrets: Secrets | None = None,
    *,
    unconditional: bool = False,
) -> tuple[str, str, list[tuple[str, str]], bytes | None]:
    """Method, URL, headers and body bytes that replay ``exchange`` against ``target``
    (``unconditional``: without cache validators)."""
    request = exchange["request"]
    method = str(request["method"]).upper()
    url = request.get("url")
    raw = urlsplit(url) if isinstance(url, str) and url else None
    path = (raw.path if raw and raw.path else None) or str(request.get("path") or "/")
    query = raw.query if raw and raw.query else urlencode(request.get("query") or {}, doseq=True)
    secrets = secrets or Secrets()
    query = secrets.apply_query(query)
    full = target.rstrip("/") + (path if path.startswith("/") else "/" + path)
    if query:
        full += "?" + query
    lowered = {k.lower(): v for k, v in (overrides or {}).items()}
    headers = [
        (str(name), str(value))
        for name, values in (request.get("headers") or {}).items()
        if not _dropped(str(name), unconditional) and str(name).lower() not in lowered
        for value in (values if isinstance(values, list) else [values])
    ]
    headers = secrets.apply_headers(headers)
    headers.extend(lowered.items())
    headers.append((EXCHANGE_HEADER, str(exchange.get("id", ""))))
    return method, full, headers, body_bytes(request)

"""What learning reads of an exchange: ``learned_part`` cuts an exchange down to it.

``Inference.add`` reads of an exchange its ``source``, ``service`` and ``route``; of the request
its method, path, query, headers and body fields; of the response its status, headers and body
fields. Of the headers, it keeps only those that are not volatile (``messages``: cookies, dates,
client hints, ``server``... are in no contract). Anything else of an exchange (its ``id``, the
full ``url``, timings, ``meta``, outbound calls, a request body's ``body_layout``) is for
replay, traces and reports, and never reaches a baseline.

A HAR file learned directly (``driftdiff baseline x.har``) is cut down before it is redacted:
redaction then masks only what learning reads — every value that can reach the baseline, and
nothing else. On a browser's HAR this skips most of the work (the session cookie, a dozen
client headers, the URL), and the baseline is byte-identical (``tests/unit/test_learned.py``).
"""

from __future__ import annotations

from typing import Any

from drift_diff.infer.messages import contract_headers

__all__ = ["learned_part"]

_EXCHANGE_KEYS = ("source", "service", "route")
_BODY_KEYS = ("body", "body_text", "body_b64", "content_type", "truncated")
_REQUEST_KEYS = ("method", "path", "query", *_BODY_KEYS)
_RESPONSE_KEYS = ("status", *_BODY_KEYS)


def learned_part(exchange: dict[str, Any]) -> dict[str, Any]:
    """A new exchange holding only what ``Inference.add`` reads of ``exchange`` (which is not
    changed; values are shared with it)."""
    out = {key: exchange[key] for key in _EXCHANGE_KEYS if key in exchange}
    out["request"] = _message(exchange["request"], _REQUEST_KEYS)
    out["response"] = _message(exchange["response"], _RESPONSE_KEYS)
    return out


def _message(message: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {key: message[key] for key in keys if key in message}
    if "headers" in message:
        out["headers"] = contract_headers(message["headers"])
    return out

"""The exchange format: one JSON object per line (``schemas/exchange.schema.json`` in driftdiff).

Every capture source (SDK middleware, HAR import, proxy recorder, replay) builds its lines with
these helpers, so there is one definition of how a body, a header map or a query is written.
Stdlib only: this module runs inside production services.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

__all__ = [
    "EXCHANGE_FORMAT",
    "EXCHANGE_FORMAT_MAJOR",
    "encode_body",
    "headers_to_map",
    "is_json_content_type",
    "new_exchange_id",
    "parse_query",
    "utc_now_iso",
]

EXCHANGE_FORMAT = "driftdiff.exchange/1"
EXCHANGE_FORMAT_MAJOR = 1

#: Textual content types that are stored as ``body_text`` when they are not JSON.
_TEXT_PREFIXES = ("text/",)
_TEXT_SUFFIXES = ("+xml", "/xml", "/javascript", "/x-www-form-urlencoded", "/graphql", "/csv")


def new_exchange_id() -> str:
    return uuid.uuid4().hex


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def is_json_content_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    mt = content_type.split(";", 1)[0].strip().lower()
    return mt == "application/json" or mt.endswith("+json") or mt == "text/json"


def _is_text_content_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    mt = content_type.split(";", 1)[0].strip().lower()
    return mt.startswith(_TEXT_PREFIXES) or mt.endswith(_TEXT_SUFFIXES)


def headers_to_map(pairs: Any) -> dict[str, list[str]]:
    """Lower-cased header name → list of values, from an iterable of ``(name, value)`` pairs."""
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        out.setdefault(str(name).lower(), []).append(str(value))
    return out


def parse_query(query_string: str | bytes) -> dict[str, list[str]]:
    """Query string → name → list of values (blank values kept)."""
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    out: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        out.setdefault(name, []).append(value)
    return out


def encode_body(
    data: bytes | None,
    content_type: str | None,
    *,
    cap: int | None = None,
    truncated: bool = False,
) -> dict[str, Any]:
    """The body fields of a request/response object for ``data``.

    JSON content that parses becomes ``body``; other text becomes ``body_text``; anything else
    (or text that is not valid UTF-8) becomes ``body_b64``. Bodies longer than ``cap`` bytes are
    cut and marked ``truncated`` — a truncated JSON document is kept as text, never half-parsed.
    Always includes ``content_type`` and ``truncated``.
    """
    out: dict[str, Any] = {"content_type": content_type, "truncated": bool(truncated)}
    if not data:
        return out
    if cap is not None and len(data) > cap:
        data = data[:cap]
        out["truncated"] = True
    if is_json_content_type(content_type) and not out["truncated"]:
        try:
            out["body"] = json.loads(data)
            return out
        except (ValueError, RecursionError):
            pass  # not JSON after all: fall through and keep it as text or bytes
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        out["body_b64"] = base64.b64encode(data).decode("ascii")
        return out
    if (
        _is_text_content_type(content_type)
        or is_json_content_type(content_type)
        or (content_type is None and text.isprintable())
    ):
        out["body_text"] = text
    else:
        out["body_b64"] = base64.b64encode(data).decode("ascii")
    return out

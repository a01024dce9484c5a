"""The exchange format: one JSON object per line (``schemas/exchange.schema.json`` in driftdiff).

Every capture source (SDK middleware, HAR import, proxy recorder, replay) builds its lines with
these helpers, so there is one definition of how a body, a header map or a query is written.
Stdlib only: this module runs inside production services.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, cast
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


# Per-request work on the capture path is memoized where inputs repeat: header names (as sent,
# ``bytes`` or ``str``) → their lower-cased ``str``, content types → how bodies are stored.
_MEMO_MAX = 1024  # bounded: names and content types come from clients
_header_names: dict[bytes | str, str] = {}
_content_kinds: dict[str, tuple[bool, bool]] = {}


def headers_to_map(pairs: Any) -> dict[str, list[str]]:
    """Lower-cased header name → list of values, from an iterable of ``(name, value)`` pairs."""
    out: dict[str, list[str]] = {}
    names = _header_names
    for name, value in pairs:
        kind = type(name)
        if kind is bytes or kind is str:
            key = names.get(name)
            if key is None:
                key = (name.decode("latin-1") if kind is bytes else name).lower()
                if len(names) >= _MEMO_MAX:
                    names.clear()
                names[name] = key
        else:
            key = (name.decode("latin-1") if isinstance(name, bytes) else str(name)).lower()
        value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        values = out.get(key)
        if values is None:
            out[key] = [value]
        else:
            values.append(value)
    return out


def parse_query(query_string: str | bytes) -> dict[str, list[str]]:
    """Query string → name → list of values (blank values kept)."""
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    out: dict[str, list[str]] = {}
    if "%" in query_string or "+" in query_string:
        pairs = parse_qsl(query_string, keep_blank_values=True)
    else:  # nothing to unquote: what parse_qsl gives, without its per-field overhead
        pairs = [part.partition("=")[::2] for part in query_string.split("&") if part]
    for name, value in pairs:
        values = out.get(name)
        if values is None:
            out[name] = [value]
        else:
            values.append(value)
    return out


def _content_kind(content_type: str | None) -> tuple[bool, bool]:
    """``(is JSON, is other text)`` for a content type, memoized."""
    if type(content_type) is not str:
        return is_json_content_type(content_type), _is_text_content_type(content_type)
    kind = _content_kinds.get(content_type)
    if kind is None:
        kind = (is_json_content_type(content_type), _is_text_content_type(content_type))
        if len(_content_kinds) >= _MEMO_MAX:
            _content_kinds.clear()
        _content_kinds[content_type] = kind
    return kind


# what json.loads runs, minus its wrapping (typeshed does not declare the attribute)
_scan_once: Callable[[str, int], tuple[Any, int]] = cast(Any, json.JSONDecoder()).scan_once
_JSON_SPACE = " \t\n\r"


def _loads(data: bytes) -> Any:
    """``json.loads(data)``: an object or array in UTF-8 (the usual body) goes straight to the
    scanner; anything else, or anything it does not accept, takes ``json.loads`` itself."""
    if data[:1] in (b"{", b"[") and data[1:2] != b"\x00":  # neither a BOM nor UTF-16/32
        try:
            text = data.decode("utf-8", "surrogatepass")
            obj, end = _scan_once(text, 0)
        except (ValueError, StopIteration, RecursionError):
            pass
        else:
            if end == len(text) or not text[end:].strip(_JSON_SPACE):
                return obj
    return json.loads(data)


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
    is_json, is_text = _content_kind(content_type)
    if is_json and not out["truncated"]:
        try:
            out["body"] = _loads(data)
            return out
        except (ValueError, RecursionError):
            pass  # not JSON after all: fall through and keep it as text or bytes
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        out["body_b64"] = base64.b64encode(data).decode("ascii")
        return out
    if is_text or is_json or (content_type is None and text.isprintable()):
        out["body_text"] = text
    else:
        out["body_b64"] = base64.b64encode(data).decode("ascii")
    return out

"""The exchange format: one JSON object per line (``schemas/exchange.schema.json`` in driftdiff).

Every capture source (SDK middleware, HAR import, proxy recorder, replay) builds its lines with
these helpers, so there is one definition of how a body, a header map or a query is written.
Stdlib only: this module runs inside production services.
"""

from __future__ import annotations

import base64
import json
import uuid
import zlib
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, cast
from urllib.parse import parse_qsl

__all__ = [
    "EXCHANGE_FORMAT",
    "EXCHANGE_FORMAT_MAJOR",
    "JSON_LAYOUTS",
    "decode_content",
    "decoded_content",
    "decoded_response",
    "dump_json",
    "encode_body",
    "headers_to_map",
    "is_json_content_type",
    "json_layout",
    "new_exchange_id",
    "parse_query",
    "utc_now_iso",
]

#: 1.1 added ``body_layout`` on request bodies (1.0 lines read as before: no layout known).
EXCHANGE_FORMAT = "driftdiff.exchange/1.1"
EXCHANGE_FORMAT_MAJOR = 1

#: How the text of a JSON body was laid out: ``json.dumps`` arguments that give back the bytes
#: the client sent, from the parsed ``body``. A request body is kept parsed (inference learns
#: from it, redaction walks it) and its layout by name, so replay sends the recorded bytes again
#: (with redaction's placeholders in place of secrets) without a second, unredacted copy of the
#: text in the trace. ``None`` (no layout gives the bytes back) replays as ``compact``.
JSON_LAYOUTS: dict[str, dict[str, Any]] = {
    "compact": {"separators": (",", ":"), "ensure_ascii": False},  # JS JSON.stringify, httpx
    "spaced-ascii": {"separators": (", ", ": "), "ensure_ascii": True},  # Python json.dumps
    "spaced": {"separators": (", ", ": "), "ensure_ascii": False},
    "compact-ascii": {"separators": (",", ":"), "ensure_ascii": True},
    "indent-2": {"indent": 2, "separators": (",", ": "), "ensure_ascii": False},
    "indent-4": {"indent": 4, "separators": (",", ": "), "ensure_ascii": False},
}

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


def dump_json(body: Any, layout: str | None = None) -> bytes:
    """``body`` as JSON text in ``layout`` (one of ``JSON_LAYOUTS``; unknown or None: compact)."""
    options = JSON_LAYOUTS.get(layout or "compact") or JSON_LAYOUTS["compact"]
    return json.dumps(body, **options).encode("utf-8", "surrogatepass")


def json_layout(data: bytes, body: Any) -> str | None:
    """The name of the layout in which ``body`` serialises to exactly ``data``, or None."""
    names = list(JSON_LAYOUTS)
    if b"\n" in data:  # only an indented layout has a newline outside strings
        names = [n for n in names if n.startswith("indent")]
    for name in names:
        try:
            if dump_json(body, name) == data:
                return name
        except (ValueError, RecursionError):
            return None
    return None


#: ``Content-Encoding`` tokens undone by ``decode_content`` (``br`` only with ``brotli``).
_GZIP, _DEFLATE, _BROTLI, _IDENTITY = ("gzip", "x-gzip"), ("deflate",), ("br",), ("identity", "")


def _inflate(data: bytes, wbits: int, limit: int) -> bytes | None:
    try:
        d = zlib.decompressobj(wbits=wbits)
        out = d.decompress(data, limit + 1)  # bounded: a compression bomb stops at the limit
    except zlib.error:
        return None
    return out if d.eof and len(out) <= limit else None


def _unbrotli(data: bytes, limit: int) -> bytes | None:
    try:
        import brotli  # optional: Google's binding, as httpx uses it
    except ImportError:
        return None
    try:
        d = brotli.Decompressor()
        out = d.process(data, output_buffer_limit=limit + 1)
    except Exception:  # brotli.error, or a binding without output_buffer_limit
        return None
    return out if d.is_finished() and len(out) <= limit else None


def decode_content(data: bytes, coding: str | None, limit: int = 64 << 20) -> bytes | None:
    """``data`` with its ``Content-Encoding`` undone, or None when it is not encoded that way.

    ``coding`` is the header's value (``gzip``, ``deflate``, ``br``, or a list applied in order,
    ``gzip, br``). None also when the data does not decode (a capture that stored the body
    already decoded, a truncated or corrupt stream), when a coding is unknown (or ``br``
    without the ``brotli`` package), or when the result would exceed ``limit`` bytes.
    """
    tokens = [t.strip().lower() for t in (coding or "").split(",")]
    out: bytes | None = data
    for token in reversed(tokens):  # the last coding applied is undone first
        if out is None or token in _IDENTITY:
            continue
        if token in _GZIP:
            out = _inflate(out, 31, limit)
        elif token in _DEFLATE:  # zlib-wrapped per RFC 9110; some servers send it raw
            out = _inflate(out, 15, limit) or _inflate(out, -15, limit)
        elif token in _BROTLI:
            out = _unbrotli(out, limit)
        else:
            return None
    return out if out is not data else None


def decoded_content(data: bytes, coding: str | None, limit: int = 64 << 20) -> bytes:
    """The content of a body a capture may have stored encoded or already decoded.

    Browsers' HAR files and the SDK store decoded content beside a ``Content-Encoding`` header;
    a raw capture stores the encoded bytes. Valid UTF-8 is taken as decoded already (gzip and
    zlib streams never are, brotli streams hardly ever); anything else is decoded when it
    decodes and kept as it is when it does not.
    """
    if not data or not coding:
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        decoded = decode_content(data, coding, limit)
        return data if decoded is None else decoded
    return data


def decoded_response(response: dict[str, Any]) -> dict[str, Any]:
    """A response object whose body a capture stored still compressed, with the body decoded
    (``response`` itself when there is nothing to decode). ``Content-Encoding`` stays in the
    headers: a fact about the wire, while bodies are compared, learned and shown as content.
    Responses only: a request body is replayed as stored, so it keeps its coding."""
    headers = response.get("headers")
    coding = ",".join(headers.get("content-encoding") or []) if type(headers) is dict else ""
    if not coding or type(response.get("body_b64")) is not str or response.get("truncated"):
        return response
    try:
        data = base64.b64decode(response["body_b64"])
    except ValueError:
        return response
    content = decoded_content(data, coding)
    if content is data:
        return response
    out = {k: v for k, v in response.items() if k not in ("body", "body_text", "body_b64")}
    out.update(encode_body(content, out.get("content_type")))
    return out


def encode_body(
    data: bytes | None,
    content_type: str | None,
    *,
    cap: int | None = None,
    truncated: bool = False,
    layout: bool = False,
    loads: Callable[[bytes], Any] | None = None,
) -> dict[str, Any]:
    """The body fields of a request/response object for ``data``.

    JSON content that parses becomes ``body``; other text becomes ``body_text``; anything else
    (or text that is not valid UTF-8) becomes ``body_b64``. Bodies longer than ``cap`` bytes are
    cut and marked ``truncated`` — a truncated JSON document is kept as text, never half-parsed.
    Always includes ``content_type`` and ``truncated``; with ``layout`` (request bodies, which
    replay sends again) a parsed JSON body also gets ``body_layout`` (see ``JSON_LAYOUTS``).
    ``loads``: parses JSON as ``json.loads`` does (its value, or ``ValueError``), faster.
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
            out["body"] = (loads or _loads)(data)
        except (ValueError, RecursionError):
            pass  # not JSON after all: fall through and keep it as text or bytes
        else:
            if layout:
                out["body_layout"] = json_layout(data, out["body"])
            return out
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

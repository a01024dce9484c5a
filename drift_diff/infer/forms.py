"""Form bodies as objects of fields, so that form-field changes show in the contract.

``application/x-www-form-urlencoded`` and ``multipart/form-data`` request (or response) bodies
are decoded into ``{field: value}``: values typed from their wire text like query parameters
(``"42"`` -> 42; a repeated field is a list), and a multipart part that carries a file (a
``filename``, or a non-text content type) is a ``FilePart``, which the string strategy learns as
``{"type": "string", "format": "binary"}`` (OpenAPI's spelling of a file part). A body that does
not decode (no boundary, not text) is ``None``: the caller counts it as an opaque string.
"""

from __future__ import annotations

import base64
import binascii
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from drift_diff.infer.messages import wire_text
from drift_diff.infer.strategies import FilePart
from drift_diff.records import BodyFields

__all__ = ["FORM_MEDIA_TYPES", "FilePart", "form_fields"]

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
FORM_MEDIA_TYPES = frozenset({URLENCODED, MULTIPART})

#: fields past this many in one body are not kept (a form is small; a huge one is hostile)
_MAX_FIELDS = 1000


def _raw(message: BodyFields) -> bytes | None:
    text = message.get("body_text")
    if isinstance(text, str):
        return text.encode("utf-8", "surrogatepass")
    b64 = message.get("body_b64")
    if isinstance(b64, str):
        try:
            return base64.b64decode(b64, validate=False)
        except (binascii.Error, ValueError):
            return None
    return None


def _typed(values: list[Any]) -> Any:
    typed = [v if isinstance(v, FilePart) else wire_text(v) for v in values]
    return typed[0] if len(typed) == 1 else typed


def _group(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    grouped: dict[str, list[Any]] = {}
    for name, value in pairs[:_MAX_FIELDS]:
        grouped.setdefault(name, []).append(value)
    return {name: _typed(values) for name, values in grouped.items()}


def _urlencoded(raw: bytes) -> dict[str, Any] | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _group(parse_qsl(text, keep_blank_values=True, max_num_fields=None))


def _part_value(part: Message) -> Any:
    filename = part.get_filename()
    ctype = part.get_content_type()
    is_text = ctype.startswith("text/") or ctype == "application/json"
    if filename is not None or (part.get("Content-Type") is not None and not is_text):
        return FilePart()
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode(part.get_content_charset() or "utf-8")
    except (UnicodeDecodeError, LookupError):
        return FilePart()  # not text: a binary part without a filename


def _multipart(raw: bytes, content_type: str) -> dict[str, Any] | None:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    try:
        doc = BytesParser(policy=HTTP).parsebytes(head + raw)
        if not doc.is_multipart() or doc.get_boundary() is None:
            return None
        pairs: list[tuple[str, Any]] = []
        for part in doc.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str):
                pairs.append((name, _part_value(part)))
    except Exception:  # a hostile body (bad headers, bad charset) is an opaque string, no error
        return None
    return _group(pairs)


def form_fields(message: BodyFields, media: str) -> dict[str, Any] | None:
    """The fields of a form body (``media`` is its bare media type), or None if it won't decode."""
    raw = _raw(message)
    if raw is None:
        return None
    if media == URLENCODED:
        return _urlencoded(raw)
    content_type = message.get("content_type")
    if media == MULTIPART and isinstance(content_type, str) and "\n" not in content_type:
        return _multipart(raw, content_type)
    return None

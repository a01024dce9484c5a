"""Redaction of bodies that are not plain JSON or text: ``body_b64`` and multipart.

A body the exchange format stores as base64 (octet-stream, multipart, a JSON document with one
byte that is not UTF-8...) is decoded and scanned like text: every byte maps to one character
(Latin-1), so the secret shapes (tokens, JWTs, ``key=value``, ``"key": "value"``, URLs with
credentials) are found wherever they are ASCII, and the placeholders (ASCII) are written back in
place, leaving every other byte as it was. JSON content is parsed and walked when it parses;
multipart parts are split on their boundary, and a part named like a secret (``password``) has
its whole value replaced unless it is a file. A part's name is read in both forms, ``name="..."``
and RFC 2231/5987's ``name*=UTF-8''pass%77ord`` (continuations ``name*0*=``... too), and a name
holding a secret itself (an e-mail, a token: ``Redactor.redact_name``) is masked in place, the
extended form written back as ``name*=UTF-8''<percent-encoded placeholder>``. A file name is
scanned as text, in its extended form ``filename*=UTF-8''...`` decoded first (``_disposition``).

Other binary content (octet-stream, protobuf...) is scanned run by run: only its printable ASCII
runs of 12 characters or more, so random bytes cost a single pass. Media that cannot hold text
worth scanning (images, audio, video, fonts, archives) are left as
they are: scanning a compressed stream finds nothing, only costs time.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING

from driftdiff_sdk._disposition import extended_param, redact_extended_filename, rewrite_extended

if TYPE_CHECKING:
    from driftdiff_sdk.redact import Redactor

__all__ = ["redact_body_b64", "redact_multipart"]

_OPAQUE = ("image/", "audio/", "video/", "font/")
_ARCHIVES = ("zip", "gzip", "x-tar", "x-7z", "x-bzip", "x-xz", "zstd", "x-rar", "brotli")
_BOUNDARY = re.compile(r'boundary=(?:"([^"]{1,200})"|([^\s;,]{1,200}))', re.IGNORECASE)
# ASCII printable runs long enough to hold a secret (shortest shapes: ~16 characters)
_PRINTABLE_RUN = re.compile(r"[\x20-\x7e\t\r\n]{12,}")
_PART_NAME = re.compile(r'\bname="([^"]{0,256})"|\bname=([^\s;]{1,256})', re.IGNORECASE)


def _media_type(content_type: object) -> str:
    if not isinstance(content_type, str):
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def redact_body_b64(r: Redactor, data: str, content_type: object) -> str:
    """``body_b64`` with the secrets found in its bytes replaced (the same string if none)."""
    media = _media_type(content_type)
    if media.startswith(_OPAQUE) or media.endswith(_ARCHIVES):
        return data
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return data
    text = raw.decode("latin-1")
    if media.startswith(("text/", "multipart/")) or "json" in media or "form" in media:
        new = r.redact_body_text(text, content_type)
    else:  # binary: only its printable runs can hold a token worth finding
        new = _PRINTABLE_RUN.sub(lambda m: r.redact_text(m.group()), text)
    if new == text:
        return data
    return base64.b64encode(new.encode("latin-1", "replace")).decode("ascii")


def redact_multipart(r: Redactor, text: str, content_type: str) -> str:
    """A ``multipart/*`` body with each part's headers and value redacted."""
    m = _BOUNDARY.search(content_type)
    if m is None:
        return r.redact_text(text)
    delimiter = "--" + (m.group(1) or m.group(2))
    pieces = text.split(delimiter)
    for i in range(1, len(pieces)):  # pieces[0] is the preamble, the last the epilogue
        pieces[i] = _part(r, pieces[i])
    return delimiter.join([r.redact_text(pieces[0]), *pieces[1:]])


def _part(r: Redactor, part: str) -> str:
    sep = "\r\n\r\n" if "\r\n\r\n" in part else "\n\n"
    head, found, body = part.partition(sep)
    if not found:
        return r.redact_text(part)
    tail = ""
    for ending in ("\r\n", "\n"):
        if body.endswith(ending):
            body, tail = body[: -len(ending)], ending
            break
    name_match = _PART_NAME.search(head)
    name = (name_match.group(1) or name_match.group(2)) if name_match else None
    extended = extended_param(head, "name") if "*" in head else None
    part_type = ""
    for line in head.splitlines():
        if line.lower().startswith("content-type:"):
            part_type = line.split(":", 1)[1].strip()
    secret = any(n is not None and r.is_secret_param(n) for n in (name, extended))
    if secret and "filename" not in head.lower():
        body = r.mask_value(body)
    else:
        body = r.redact_body_text(body, part_type or None)
    if name_match is not None and name is not None:  # (first: the match's offsets hold)
        new = r.redact_name(name)
        if new != name:
            group = 1 if name_match.group(1) is not None else 2
            head = f"{head[: name_match.start(group)]}{new}{head[name_match.end(group) :]}"
    if extended is not None:
        new = r.redact_name(extended)
        if new != extended:
            head = rewrite_extended(head, "name", new)
    if "*" in head:  # ``filename*=UTF-8''...``: scanned decoded, as ``filename="..."`` is
        head = redact_extended_filename(r, head)
    return f"{r.redact_text(head)}{found}{body}{tail}"

"""RFC 2231/5987 parameters of a ``Content-Disposition``: ``name*=`` and ``filename*=``.

A multipart part's head (``_bodies``) and the ``Content-Disposition`` header of a download
(``_redact_http``) may give a name or a file name in extended form, ``filename*=UTF-8''...``:
percent-encoded, so an e-mail in it (``bob%40corp.example``) or any character of a token
hides from the text patterns, or split into continuations (``filename*0*=``, ``filename*1=``...).
Such a parameter is decoded (``extended_param``: the segments joined in index order, in their
charset), scanned, and written back when a secret was in it, as ``filename*=UTF-8''`` and the
placeholder percent-encoded, in place of the first segment (``rewrite_extended``). A part name
is scanned as a name (``redact_name``), a file name as ``filename="..."`` is, as text
(``redact_text``). Stdlib only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote_to_bytes

if TYPE_CHECKING:
    from driftdiff_sdk._redact_names import NameRedactor

__all__ = ["extended_param", "redact_disposition", "redact_extended_filename", "rewrite_extended"]

# ``<attr>*=charset'lang'value`` and its continuations ``<attr>*0*=``, ``<attr>*1=``...; groups:
# the ``;`` before it (dropped with a continuation), the index, the ``*`` of an encoded
# continuation, the value quoted or not. (``\b``: ``name*`` is not the end of ``filename*``.)
_EXTENDED = {
    attr: re.compile(
        rf'(;[ \t]*)?\b{attr}\*(\d{{1,3}})?(\*)?=(?:"([^"]{{0,1024}})"|([^\s;"]{{1,1024}}))',
        re.IGNORECASE,
    )
    for attr in ("name", "filename")
}
_MAX_SEGMENTS = 64
# RFC 5987 ``attr-char`` beyond letters, digits and ``_.-~`` (which ``quote`` always keeps)
_ATTR_CHARS = "!#$&+^`|"


def extended_param(head: str, attr: str) -> str | None:
    """The parameter ``attr`` (``name``, ``filename``) given in RFC 2231 form in ``head``
    (``attr*=UTF-8''...``, or continuations ``attr*0*=``, ``attr*1=``... joined in index order),
    decoded; ``None`` when there is none."""
    segments: list[tuple[int, bool, str]] = []
    for m in _EXTENDED[attr].finditer(head):
        value = m.group(4) if m.group(4) is not None else m.group(5)
        encoded = m.group(2) is None or m.group(3) is not None
        segments.append((int(m.group(2) or 0), encoded, value))
        if len(segments) >= _MAX_SEGMENTS:
            break
    if not segments:
        return None
    segments.sort(key=lambda seg: seg[0])
    charset, raw = "utf-8", b""
    for i, (_, encoded, value) in enumerate(segments):
        if encoded:
            if i == 0 and value.count("'") >= 2:  # charset'language'value
                cs, _, rest = value.partition("'")
                charset, value = cs or charset, rest.partition("'")[2]
            raw += unquote_to_bytes(value)
        else:
            raw += value.encode("utf-8", "surrogatepass")
    try:
        return raw.decode(charset, "replace")
    except LookupError:  # an unknown charset: read as UTF-8
        return raw.decode("utf-8", "replace")


def rewrite_extended(head: str, attr: str, value: str) -> str:
    """``head`` with its RFC 2231 parameter ``attr`` replaced by ``value`` (UTF-8,
    percent-encoded), written where the first of its segments was; the other segments are
    dropped."""
    first = True

    def sub(m: re.Match[str]) -> str:
        nonlocal first
        if not first:
            return ""
        first = False
        return f"{m.group(1) or ''}{attr}*=UTF-8''{quote(value, safe=_ATTR_CHARS)}"

    return _EXTENDED[attr].sub(sub, head, count=_MAX_SEGMENTS)


def redact_extended_filename(r: NameRedactor, head: str) -> str:
    """``head`` with a file name given as ``filename*=`` scanned decoded, as text (what
    ``filename="..."`` gets: ``redact_text``), and rewritten when that masks something."""
    filename = extended_param(head, "filename")
    if filename is None:
        return head
    new = r.redact_text(filename)
    return head if new == filename else rewrite_extended(head, "filename", new)


def redact_disposition(r: NameRedactor, value: str) -> str:
    """A ``Content-Disposition`` header value (``attachment; filename*=UTF-8''...``): its
    extended ``name*=`` scanned as a name, ``filename*=`` as text, both decoded, then the whole
    value as text (``filename="..."`` included), as any header value is."""
    if "*" in value:
        name = extended_param(value, "name")
        if name is not None:
            new = r.redact_name(name)
            if new != name:
                value = rewrite_extended(value, "name", new)
        value = redact_extended_filename(r, value)
    return r.redact_text(value)

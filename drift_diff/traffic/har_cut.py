"""A HAR file's bytes cut into pieces of its entries array, each parsed on its own, proved to
give what parsing the whole file gives.

Parsing a 263 MB HAR takes one process 1.5-3 s, and freeing what it built another 0.4 s: time
in which the other cores wait. Cut into pieces, the file is parsed by every worker at once,
each its own piece, and no process ever holds all of it. The cut is found without parsing
(``cut_entries``), then *proved* by parsing: a cut that a malformed or hostile file leads astray
makes a piece fail to parse, and the caller then parses the file whole as before. Nothing a
piece gives is used unless every piece parsed.

**Why the pieces give the whole file's entries.** ``cut_entries`` writes the file as
``P [ C1 , C2 , ... , Ck ] S``: ``P`` ends with the ``[`` that opens the array, each ``,`` is a
byte of the file chosen as a separator, ``S`` is what follows the array's closing ``]``. It holds
when both checks pass:

* ``P`` + a random string token + ``S`` parses, and its ``log.entries`` is that token
  (``_frame_ok``); and
* each piece ``Ci`` parses as the elements of a non-empty array at the depth the whole file has
  it, ``{"log":{"entries":[`` ``Ci`` ``]}}`` (``parse_piece``).

A JSON lexer reads each part of the file as it reads it on its own, since every part starts
where the lexer is outside a string at a token boundary: ``P`` at the start of the file; ``C1``
after ``[``; the next part after ``,``. Each ends there too, because its check parsed it with a
structural character right after it. So the file's tokens are ``P``'s, ``[``, ``C1``'s, ``,``...
and its grammar (context-free) puts an array of the pieces' elements exactly where the token
stood, whose place is ``log.entries`` (a later duplicate ``entries`` key would have replaced the
token; the token is random, so no file can hold it in advance). Depth limits are the same, the
pieces sitting as deep as the array does. A file that passes both checks therefore parses, and
its ``log.entries`` is the pieces' entries in order; a file that fails either is parsed whole,
which reports its error with line and column as always.

The separators are looked for where they are likely: before the key that opens the first
entry (``{"startedDateTime"`` or ``{"_initiator"``...), near evenly spaced offsets. Inside a
string a key's quotes are escaped, so such a match is nearly always a real separator; when it
is not, a check above fails.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import orjson

__all__ = ["Span", "cut_entries", "entry_pieces", "parse_piece", "span_counts"]

_ENTRIES = re.compile(rb'"entries"\s*:\s*\[')
_WS = frozenset(b" \t\r\n")
#: What a piece is parsed inside: the depth the whole file has its entries at.
_HEAD, _TAIL = b'{"log":{"entries":[', b"]}}"
#: Matches of the first entry's key skipped before a separator search gives up.
_MISSES = 64
#: Entries ``entry_pieces`` yields, at most.
FIRST_ENTRIES = 256

Span = tuple[int, int]  # bytes [start, end) of the file


def cut_entries(data: bytes, count: int) -> list[Span] | None:
    """Up to ``count`` spans of ``data`` (a HAR file's UTF-8 text) that together hold its
    entries array, each a comma-separated run of whole entries if the checks of
    ``parse_piece`` pass; ``None`` when the file's layout gives no such cut cheaply."""
    found = _ENTRIES.search(data)
    end = data.rfind(b"]")
    if found is None or end < found.end() or not _frame_ok(data, found.end() - 1, end):
        return None
    start = found.end()
    key = _first_key(data, start, end)
    if key is None:
        return None
    commas: list[int] = []
    for k in range(1, count):
        target = start + (end - start) * k // count
        comma = _separator(data, key, max(target, commas[-1] + 1 if commas else start), end)
        if comma is None:
            break
        commas.append(comma)
    starts = [start, *(c + 1 for c in commas)]
    return list(zip(starts, [*commas, end], strict=True))


def parse_piece(data: bytes, span: Span) -> list[Any] | None:
    """The entries in ``span``, parsed at the depth the file has them; ``None`` unless they
    are a non-empty run of JSON values (the proof of the cut, see the module doc)."""
    start, end = span
    try:
        doc = orjson.loads(b"".join((_HEAD, data[start:end], _TAIL)))
    except orjson.JSONDecodeError:
        return None
    entries: list[Any] = doc["log"]["entries"]
    return entries or None


def entry_pieces(data: bytes, span: Span) -> list[Span]:
    """The spans of the first entries of ``span`` one by one (at most ``FIRST_ENTRIES``), as
    far as separators are found; each must still pass ``parse_piece``."""
    start, end = span
    key = _first_key(data, start, end)
    spans: list[Span] = []
    while key is not None and len(spans) < FIRST_ENTRIES:
        comma = _separator(data, key, start + 1, end)
        if comma is None:
            spans.append((start, end))
            break
        spans.append((start, comma))
        start = comma + 1
    return spans


def span_counts(data: bytes, spans: list[Span]) -> list[int] | None:
    """How many entries each of the spans ``cut_entries`` gave holds, counted as the seams
    inside it that read exactly as the seam cut between the first two spans (the blanks, the
    ``{`` and the first key: one ``bytes.count`` per span, right when every entry is written
    alike, as HAR writers write them). A count is checked, never trusted: the parse of each
    piece must give as many entries. ``None`` for a single span."""
    if len(spans) < 2:
        return None
    comma = spans[1][0] - 1
    brace = _skip(data, comma + 1, len(data))
    quote = _skip(data, brace + 1, len(data))
    key = _first_key(data, brace, len(data))
    if key is None:
        return None
    seam = data[comma : quote + len(key)]
    return [1 + data.count(seam, start, end) for start, end in spans]


def _frame_ok(data: bytes, opening: int, closing: int) -> bool:
    """Whether the file, its array ``data[opening:closing + 1]`` replaced by a string token,
    parses with that token as ``log.entries``."""
    token = "driftdiff-" + secrets.token_hex(16)
    text = b"".join((data[:opening], b'"', token.encode(), b'"', data[closing + 1 :]))
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    log = doc.get("log") if isinstance(doc, dict) else None
    return isinstance(log, dict) and log.get("entries") == token


def _first_key(data: bytes, start: int, end: int) -> bytes | None:
    """``"name"`` of the first key of the object that starts at ``start`` (after blanks), or
    ``None`` if there is no such simple key there."""
    i = _skip(data, start, end)
    if i >= end or data[i] != ord("{"):
        return None
    i = _skip(data, i + 1, end)
    if i >= end or data[i] != ord('"'):
        return None
    close = data.find(b'"', i + 1, min(end, i + 256))
    key = data[i : close + 1] if close > i + 1 else b""
    return key if key and b"\\" not in key else None


def _separator(data: bytes, key: bytes, at: int, end: int) -> int | None:
    """The first comma at or after ``at`` followed by blanks, ``{``, blanks and ``key`` then
    a ``:`` (a likely boundary between two entries), or ``None``."""
    first = at
    for _ in range(_MISSES):
        hit = data.find(key, at, end)
        if hit < 0:
            return None
        at = hit + 1
        after = _skip(data, hit + len(key), end)
        if after >= end or data[after] != ord(":"):
            continue
        brace = _skip_back(data, hit - 1)
        if brace < 0 or data[brace] != ord("{"):
            continue
        comma = _skip_back(data, brace - 1)
        if comma >= first and data[comma] == ord(","):
            return comma
    return None


def _skip(data: bytes, i: int, end: int) -> int:
    while i < end and data[i] in _WS:
        i += 1
    return i


def _skip_back(data: bytes, i: int) -> int:
    while i >= 0 and data[i] in _WS:
        i -= 1
    return i

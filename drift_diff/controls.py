"""The one definition of the characters that must not reach a terminal or a log raw.

An input value (a recorded path, a field name, a service name, a config key) may carry
characters that change what a reader sees beyond their own cell: ESC starts a terminal escape
sequence, CR and LF (and the other C0/C1 controls, the Unicode line and paragraph separators)
end a line or a table row early, NUL and DEL are invisible, and the bidirectional embeddings,
overrides, isolates and marks reorder the text around them (CVE-2021-42574). Text and table
output and error lines show each of them as a visible escape (``\\r``, ``\\n``, ``\\x00``,
``\\x1b``, ``\\u2028``), so one input value stays one line or one row. The GitHub and Markdown
renderers, which cannot show an escape as such, drop the same characters instead.
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "escape_controls", "json_text"]

#: C0 controls (tab, CR, LF, ESC, NUL...), DEL and the C1 controls (NEL, CSI...), the Arabic
#: letter mark, LRM/RLM, the line and paragraph separators, the bidi embeddings and overrides
#: (U+202A-U+202E) and isolates (U+2066-U+2069)
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    return ascii(match.group())[1:-1]  # \t \n \r \x00 \x1b \x85 \u2028 ...


def escape_controls(text: str) -> str:
    """``text`` with every ``UNSAFE`` character written as a visible escape (``\\r``,
    ``\\x00``, ``\\u202e``); everything else, other non-ASCII letters included, as it is."""
    return UNSAFE.sub(_escaped, text)


#: what ``json.dumps(..., ensure_ascii=False)`` leaves raw of ``UNSAFE`` (it escapes C0 itself)
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(document: str) -> str:
    """A JSON document (from ``json.dumps(..., ensure_ascii=False)``) with the ``UNSAFE``
    characters JSON leaves raw (DEL, C1, separators, bidi) written as ``\\uXXXX`` escapes:
    the same data, nothing that reorders or breaks what a terminal or a viewer shows. They can
    only occur inside strings, where the escape means the same character."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", document)

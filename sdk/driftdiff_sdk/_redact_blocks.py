"""Secrets on the lines below their key: YAML ``key:`` and ``key: |`` blocks.

Part of ``redact_text``'s scan (``_redact_text``). ``key: value`` on one line is ``LINE_PAIR``'s;
a YAML value may instead start on the next line::

    password:            api_key: >-          credentials:
      hunter2              abcdef...            user: bob
                                                password: "x"
                                              tokens:
                                              - abc

A secret key alone on its line (``YAML_BLOCK_HEAD``: nothing after the ``:`` but a block
indicator ``|``/``>`` with its chomping and indentation, or a comment) owns the lines below it
that are more indented than the key itself (a ``- `` item may sit at the key's own
indentation when no indicator was given: a compact sequence); blank lines inside are part of it,
the first line indented as much as the key or less ends it. Each of those lines has its text
masked on its own, indentation and line breaks kept, so the YAML still parses:

* below ``key: |`` or ``key: >``: the whole text of each line (a block scalar is text);
* below ``key:``: a mapping or a sequence keeps its structure — ``- `` markers, ``name:`` keys
  and block indicators stay, every value is masked (a quoted one keeps its quotes), as every
  value of a container under a secret key is in JSON; the lines below a ``name: |`` inside are
  text again.

Lines are split where the header's line break is: a raw one (``\\n``, ``\\r\\n``) or one written
out (``\\n`` as two characters: YAML inside a JSON string or a log line). One pass over the
block's lines, linear in its length. Nothing here is public API.
"""

from __future__ import annotations

from typing import Protocol

from driftdiff_sdk._redact_markup import Masks, mask_padded
from driftdiff_sdk._text_patterns import BLOCK_INDICATOR, BLOCK_LINE, YAML_BLOCK_HEAD

__all__ = ["yaml_regions"]


class PairMasks(Masks, Protocol):
    """What these rules use of the redactor (``TextRedactor``)."""

    def _mask_pair_value(self, value: str) -> str: ...


def yaml_regions(r: PairMasks, text: str) -> list[tuple[int, int, str]]:
    """``(start, end, masked)`` of the lines below every secret key of ``text`` whose value
    starts on the next line (see the module's docstring). A key inside a block already taken
    is part of it."""
    regions: list[tuple[int, int, str]] = []
    taken = 0
    for m in YAML_BLOCK_HEAD.finditer(text):
        if m.start() < taken or not r.is_secret_key(m.group(2)):
            continue
        sep = "\n" if m.group(4).endswith("\n") else "\\n"
        start = m.end()
        end, new = _block(r, text, start, sep, len(m.group(1)), m.group(3) is not None)
        if end > start:
            regions.append((start, end, new))
            taken = end
    return regions


def _block(r: PairMasks, text: str, pos: int, sep: str, col: int, scalar: bool) -> tuple[int, str]:
    """Where the block starting at ``pos`` ends (after its last line that is not blank) and
    its lines masked: ``col`` is the key's indentation, ``scalar`` whether it had an
    indicator, ``sep`` the line break."""
    parts: list[str] = []
    n, width = len(text), len(sep)
    cr = "\r" if sep == "\n" else "\\r"
    last = pos
    text_below = -1  # in a mapping, the indentation of a ``name: |`` line: text below it
    while True:
        end = text.find(sep, pos)
        if end < 0:
            end = n
        line = text[pos:end]
        body = line[: len(line) - len(cr)] if line.endswith(cr) else line
        content = body.lstrip(" \t")
        if content:
            indent = len(body) - len(content)
            if indent <= col and (scalar or indent < col or not _item(content)):
                break
            if scalar or indent > text_below >= 0:
                new = mask_padded(r, content)
            else:
                new, below = _mapping_line(r, content)
                text_below = indent if below else -1
            parts += [text[last:pos], body[:indent], new, line[len(body) :]]
            last = end
        if end >= n:
            break
        pos = end + width
    return last, "".join(parts)


def _item(content: str) -> bool:
    """Whether a line (its indentation stripped) is an item of a sequence."""
    return content == "-" or content.startswith(("- ", "-\t"))


def _mapping_line(r: PairMasks, content: str) -> tuple[str, bool]:
    """A line below ``key:`` with its value masked, ``- `` markers and a ``name:`` kept; and
    whether the value is a block indicator (the lines below it are text)."""
    kept = BLOCK_LINE.match(content)
    head = kept.end() if kept is not None else 0
    value = content[head:]
    core = value.rstrip()
    if not core:
        return content, False
    if BLOCK_INDICATOR.fullmatch(core) is not None:
        return content, True
    if core[0] in "\"'" and len(core) >= 2 and core[-1] == core[0]:
        new = r._mask_pair_value(core)
    else:
        new = r.mask_value(core)
    return content[:head] + new + value[len(core) :], False

"""``-`` as an input file: standard input, read once into a private temporary file.

Commands that read one traces/HAR/baseline/OpenAPI input (``driftdiff diff - OTHER``,
``driftdiff baseline -``, ``driftdiff import har -``, ``driftdiff show -``,
``driftdiff export openapi -``) accept ``-`` for it. The bytes are copied
to a file in a fresh private folder (mode 0700, removed afterwards) whose name says what the
content is, so every reader downstream works on it unchanged:

* gzip magic bytes: ``stdin.jsonl.gz`` (compressed traces);
* a first line that is a whole JSON object followed by more lines, or one JSON object that is
  not a document we know: ``stdin.jsonl`` (traces);
* a JSON object whose first key is a HAR's ``log``: ``stdin.har``;
* any other JSON: ``stdin.json``; anything else: ``stdin.yaml`` (baselines, OpenAPI documents).

Errors about that file name ``<stdin>``, not the temporary path. Standard input can be read
only once, so ``-`` given twice is a usage error.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from drift_diff.errors import InputError, UsageError

__all__ = ["STDIN", "STDIN_NAME", "reading_stdin"]

STDIN = "-"
#: how errors name standard input
STDIN_NAME = "<stdin>"
_SNIFF_BYTES = 1 << 16
_DOCUMENT_KEYS = ("log", "openapi", "swagger", "format", "endpoints")
_HAR_START = re.compile(r'\{\s*"log"\s*:\s*\{')


def _name_for(head: bytes) -> str:
    if head.startswith(b"\x1f\x8b"):
        return "stdin.jsonl.gz"
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return "stdin.yaml"
    first, newline, rest = text.partition("\n")
    try:
        line = json.loads(first)
    except ValueError:
        line = None
    if isinstance(line, dict):
        if newline and rest.strip():
            return "stdin.jsonl"  # a JSON document cannot go on after a complete object
        if not any(key in line for key in _DOCUMENT_KEYS):
            return "stdin.jsonl"  # one exchange
        return "stdin.har" if isinstance(line.get("log"), dict) else "stdin.json"
    if _HAR_START.match(text):  # pretty-printed: a HAR's only top-level key comes first
        return "stdin.har"
    return "stdin.json"


@contextlib.contextmanager
def reading_stdin(args: Sequence[str]) -> Iterator[list[str]]:
    """``args`` with ``-`` replaced by a temporary file holding standard input."""
    if sum(1 for a in args if a == STDIN) > 1:
        raise UsageError("standard input can be read only once: '-' is given twice")
    if STDIN not in args:
        yield list(args)
        return
    with tempfile.TemporaryDirectory(prefix="driftdiff-stdin-") as folder:
        source = sys.stdin.buffer
        head = source.read(_SNIFF_BYTES)
        if not head.strip():
            raise InputError(STDIN_NAME, "standard input is empty")
        path = Path(folder) / _name_for(head)
        with open(path, "wb") as fh:
            fh.write(head)
            shutil.copyfileobj(source, fh)
        try:
            yield [str(path) if a == STDIN else a for a in args]
        except InputError as exc:
            if str(path) not in exc.path:
                raise
            raise type(exc)(
                exc.path.replace(str(path), STDIN_NAME), exc.detail, position=exc.position
            ) from None

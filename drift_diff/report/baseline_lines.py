"""Where an endpoint sits in the baseline file: the line of its key, for reports that point at
the contract (SARIF locations, GitHub annotations on the pull request's diff)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["key_lines", "line_of", "repository_path"]


def repository_path(path: str | None) -> str | None:
    """A local file's path as code scanning and annotations name it: relative to the root of
    the repository holding it (the nearest folder above with ``.git``), else to the working
    folder when it is under it, else absolute; ``None`` when ``path`` is no local file (a URL,
    ``REV:path``, ``-``)."""
    if not path or not Path(path).is_file():
        return None
    absolute = Path(os.path.abspath(path))
    for folder in absolute.parents:
        if (folder / ".git").exists():
            return absolute.relative_to(folder).as_posix()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def key_lines(path: str | None) -> dict[str, int]:
    """``{key: first line}`` for the JSON object keys of the baseline file (cheap: one pass over
    its lines, a key being a line that starts with ``"...":``; an unreadable file gives none)."""
    if not path:
        return {}
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith('"'):
            key, colon, _ = stripped.partition('":')
            if colon:
                found.setdefault(key[1:], number)
    return found


def line_of(endpoint: str, lines: dict[str, int]) -> int | None:
    """The line of ``"METHOD /path":`` (a baseline's endpoint key) or of ``"/path":`` (an
    OpenAPI document's path item in JSON)."""
    if not endpoint:
        return None
    return lines.get(endpoint) or lines.get(endpoint.partition(" ")[2])

"""Where an endpoint sits in the baseline file: the line of its key, for reports that point at
the contract (SARIF locations, GitHub annotations on the pull request's diff)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["key_lines", "line_of"]


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

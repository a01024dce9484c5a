"""Which requests are out of scope: ``exclude`` patterns shared by the SDK, proxy and baseline.

A pattern is ``[METHODS ]PATH``: ``/health``, ``GET /metrics``, ``GET,HEAD /static/**``,
``/users/{id}/avatar``. In PATH, ``*`` matches within one segment, ``**`` (a whole segment) any
number of segments, and ``{name}`` exactly one segment; a method alone (``OPTIONS``) excludes
that method on every path. Stdlib only: ``drift_diff`` imports it from here.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

__all__ = ["DEFAULT_EXCLUDES", "ExcludePatternError", "Excluder", "parse_exclude"]

#: health, metrics and static files: not part of an API contract
DEFAULT_EXCLUDES: tuple[str, ...] = (
    "/health",
    "/healthz",
    "/livez",
    "/readyz",
    "/metrics",
    "/favicon.ico",
    "/static/**",
)

_METHOD = re.compile(r"^[A-Za-z]+$")
_PARAM = re.compile(r"^\{[^{}/]+\}$")


class ExcludePatternError(ValueError):
    """An exclude pattern that cannot be understood (the message says why)."""


def parse_exclude(pattern: str) -> tuple[frozenset[str], tuple[str, ...] | None]:
    """``(methods, path segments)`` of ``pattern``; empty methods: any, None path: any."""
    text = pattern.strip()
    if not text:
        raise ExcludePatternError("empty exclude pattern")
    head, _, rest = text.partition(" ")
    if text.startswith("/"):
        methods_text, path = "", text
    elif rest.strip():
        methods_text, path = head, rest.strip()
    else:
        methods_text, path = text, ""
    methods = frozenset(m.upper() for m in methods_text.split(",") if m)
    for m in methods:
        if not _METHOD.match(m):
            raise ExcludePatternError(f"exclude pattern {pattern!r}: {m!r} is not an HTTP method")
    if not path:
        return methods, None
    if not path.startswith("/"):
        raise ExcludePatternError(f"exclude pattern {pattern!r}: the path must start with '/'")
    segments = tuple(path.strip("/").split("/")) if path.strip("/") else ()
    for seg in segments:
        if "**" in seg and seg != "**":
            raise ExcludePatternError(
                f"exclude pattern {pattern!r}: '**' must be a whole path segment"
            )
        if ("{" in seg or "}" in seg) and not _PARAM.match(seg):
            raise ExcludePatternError(f"exclude pattern {pattern!r}: bad template segment {seg!r}")
    return methods, segments


def _match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(rest, parts[i:]) for i in range(len(parts) + 1))
    if not parts:
        return False
    seg = parts[0]
    ok = bool(_PARAM.match(head)) or fnmatch.fnmatchcase(seg, head)
    return ok and _match(rest, parts[1:])


class Excluder:
    """``excludes(method, path)``: True when any pattern matches (defaults first, if kept)."""

    def __init__(self, patterns: Iterable[str] = (), *, defaults: bool = True) -> None:
        chosen = [*(DEFAULT_EXCLUDES if defaults else ()), *patterns]
        self._rules = [parse_exclude(p) for p in chosen]

    def excludes(self, method: str, path: str) -> bool:
        parts = tuple(path.split("?", 1)[0].strip("/").split("/")) if path.strip("/") else ()
        up = method.upper()
        return any(
            (not methods or up in methods) and (segments is None or _match(segments, parts))
            for methods, segments in self._rules
        )

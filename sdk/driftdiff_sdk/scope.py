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
            why = f"{m!r} is not an HTTP method"
            if not path:
                why += " (a path must start with '/')"
            raise ExcludePatternError(f"exclude pattern {pattern!r}: {why}")
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


def _segment_regex(seg: str) -> str:
    """One pattern segment as a regex over ``/segment`` (never crossing a ``/``)."""
    if seg == "**":
        return "(?:/[^/]*)*"
    if _PARAM.match(seg):
        return "/[^/]*"
    out, i = ["/"], 0
    while i < len(seg):
        ch = seg[i]
        close = seg.find("]", i + 2) if ch == "[" else -1
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif close != -1:  # a class as fnmatch reads it ([abc], [!a-z], []x]): its translation
            chunk = fnmatch.translate(seg[i : close + 1])
            out.append("(?!/)" + chunk[len("(?s:") : -len(")\\Z")])
            i = close
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _path_regex(segments: tuple[str, ...]) -> re.Pattern[str]:
    """Matches ``"/" + normalised path`` (``""`` for the root); ``**`` is any number of
    segments, ``{name}`` one, ``*`` and ``?`` stay within one."""
    return re.compile("".join(_segment_regex(seg) for seg in segments))


_WILD = re.compile(r"[*?\[{]")


class Excluder:
    """``excludes(method, path)``: True when any pattern matches (defaults first, if kept).

    Built once; a check is cheap because the SDK makes one per inbound request: patterns that
    are a literal path for every method (the defaults) are one set lookup, ``/prefix/**`` one
    ``startswith``, and only the rest walk segments."""

    def __init__(self, patterns: Iterable[str] = (), *, defaults: bool = True) -> None:
        chosen = [*(DEFAULT_EXCLUDES if defaults else ()), *patterns]
        self.patterns: tuple[str, ...] = tuple(chosen)
        literal: set[str] = set()
        prefixes: list[str] = []
        self._rules: list[tuple[frozenset[str], re.Pattern[str] | None]] = []
        for text in chosen:
            methods, segments = parse_exclude(text)
            if not methods and segments is not None and not _WILD.search("/".join(segments)):
                literal.add("/".join(segments))
            elif (
                not methods
                and segments
                and segments[-1] == "**"
                and not _WILD.search("/".join(segments[:-1]))
            ):
                prefixes.append("/".join(segments[:-1]))
            else:
                regex = None if segments is None else _path_regex(segments)
                self._rules.append((methods, regex))
        self._literal = frozenset(literal)
        self._prefixes = tuple(prefixes)

    def __bool__(self) -> bool:
        return bool(self._literal or self._prefixes or self._rules)

    def excludes(self, method: str, path: str) -> bool:
        norm = path.split("?", 1)[0].strip("/")
        if norm in self._literal:
            return True
        for prefix in self._prefixes:
            if not prefix or norm == prefix or norm.startswith(prefix + "/"):
                return True
        if not self._rules:
            return False
        subject = "/" + norm if norm else ""
        up = method.upper()
        return any(
            (not methods or up in methods) and (regex is None or regex.fullmatch(subject))
            for methods, regex in self._rules
        )

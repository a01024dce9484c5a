"""JSON locations (``response.body.items[0].id``) and ignore patterns with exact wildcards.

A pattern matches whole segments only — ``*`` is any one key, ``[*]`` any one index, ``**`` any
number of segments — and a pattern that matches a prefix of a location covers everything below
it. There is no substring matching: ``items[*].id`` never hides ``items[*].idempotency_key``
(a peer's noise list did exactly that). Patterns without a ``response.`` prefix (or starting with
``$``) are taken relative to ``response.body``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from drift_diff.infer.paths import user_template

__all__ = ["PathMatcher", "endpoint_template", "format_location", "generalize", "split_location"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_TOKEN = re.compile(r'\[(\d+|\*)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.\[\]]+)')


def format_location(root: str, parts: Iterable[str | int]) -> str:
    """``format_location("response.body", ["items", 0, "id"])`` → ``response.body.items[0].id``."""
    out = root
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.fullmatch(part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


@lru_cache(maxsize=4096)
def split_location(location: str) -> tuple[str, ...]:
    """Segments of a location: keys as they are, indices as ``[n]``."""
    tokens: list[str] = []
    for index, quoted, key in _TOKEN.findall(location):
        if index:
            tokens.append(f"[{index}]")
        elif quoted:
            tokens.append(str(json.loads(quoted)))
        elif key:
            tokens.append(key)
    return tuple(tokens)


def generalize(location: str) -> str:
    """Every array index (and the ``[]`` of aggregated locations) replaced by ``[*]``: noise
    learned on item 0 applies to item 7."""
    return re.sub(r"\[\d*\]", "[*]", location)


def _normalize_pattern(pattern: str) -> tuple[str, ...]:
    text = pattern.strip()
    if text.startswith("$"):
        text = "response.body" + text[1:]
    elif not text.startswith("response"):
        text = "response.body." + text.lstrip(".")
    return split_location(text)


def _match(pattern: Sequence[str], tokens: Sequence[str]) -> bool:
    """True when ``pattern`` matches ``tokens`` or a prefix of them."""
    if not pattern:
        return True
    head = pattern[0]
    if head == "**":
        return any(_match(pattern[1:], tokens[i:]) for i in range(len(tokens) + 1))
    if not tokens:
        return False
    token = tokens[0]
    if head == "[*]":
        ok = token.startswith("[") and token.endswith("]")
    elif head == "*":
        ok = not (token.startswith("[") and token.endswith("]"))
    else:
        ok = head == token
    return ok and _match(pattern[1:], tokens[1:])


class PathMatcher:
    """A set of ignore patterns; ``matches(location)`` says whether one of them covers it."""

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.patterns = [p for p in patterns if p and p.strip()]
        self._compiled = [_normalize_pattern(p) for p in self.patterns]

    def __bool__(self) -> bool:
        return bool(self._compiled)

    def matches(self, location: str) -> bool:
        if not self._compiled:
            return False
        tokens = split_location(location)
        return any(_match(p, tokens) for p in self._compiled)


def endpoint_template(endpoint: str, templates: Iterable[str]) -> str | None:
    """The endpoint key among ``templates`` (``METHOD /template``) that the concrete ``endpoint``
    (``GET /posts/1``) belongs to (``infer.paths.user_template`` decides the match)."""
    method, _, path = endpoint.partition(" ")
    prefix = method + " "
    paths = [key[len(prefix) :] for key in templates if key.startswith(prefix)]
    found = user_template(path, paths)
    return prefix + found if found is not None else None

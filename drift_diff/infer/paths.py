"""Path templating: ``/users/42/orders/0190f0a2-…`` → ``/users/{user_id}/orders/{order_id}``.

Two passes, both mergeable:

* **shape** (per exchange, streamed): a segment that *looks* like an id — an integer, a UUID of
  any version (v7 and nil included), a ULID, a long hex id, a long mixed token, an e-mail, a date
  (except in API-version position: first segment or right after ``api``) — becomes a parameter.
  An id followed by a file extension (``1.json``) becomes a parameter with that suffix
  (``{post_id}.json``). Words (``users``, ``query-params``), names with a number
  (``GetNavigationMenu2``) and version segments (``v1``, ``v2.1``) never do.
* **cardinality** (``plan_folds``, at finalize and merge time, over distinct endpoint keys): when
  one position under the same method and prefix takes ``FOLD_MIN_VALUES`` or more distinct
  id-like literals (segments with a digit, such as ``208methods``), those literals fold into a
  parameter. The decision only grows with the key set, and a folded position keeps absorbing
  new literals (it is marked ``x-folded``), so folding the union equals folding the parts.

Inside the package a template is a tuple of segments; a parameter is ``"{}"`` when its name is
generated (from the previous word: ``users`` → ``user_id``, de-duplicated) or ``"{name}"`` when a
framework route or the user named it, either one optionally followed by an extension
(``"{}.json"``). ``render`` gives the public string, ``parse_template`` reads it back. Templates
the user states (config ``paths:``) override inference: ``user_template`` finds the one a
concrete path belongs to.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache

from driftdiff_sdk.kinds import is_date, is_email, is_hex_id, is_mixed_token, is_ulid, is_uuid

__all__ = [
    "FOLD_MIN_VALUES",
    "GENERATED",
    "Segments",
    "is_id_literal",
    "is_param",
    "param_name",
    "param_names",
    "param_suffix",
    "parse_template",
    "plan_folds",
    "render",
    "route_segments",
    "shape_parts",
    "shape_segment",
    "shape_segments",
    "template_path",
    "user_template",
]

Segments = tuple[str, ...]
#: A parameter whose name is generated from its position.
GENERATED = "{}"
#: Distinct id-like literals at one position (same method and prefix) that make it a parameter.
FOLD_MIN_VALUES = 6

_VERSION = re.compile(r"[vV]\d+(\.\d+)*([a-z]+\d*)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z_-]*")
_ROUTE_PARAM = re.compile(r"^(?:\{([^}:]+)(?::[^}]*)?\}|<(?:[^:>]+:)?([^>]+)>|:([A-Za-z_]\w*))$")
_VERSION_PARENTS = frozenset({"", "api", "rest"})
_PARAM_SEGMENT = re.compile(r"\{([^{}/]*)\}(\.[A-Za-z][A-Za-z0-9]{0,7})?")
_EXTENSION = re.compile(r"[A-Za-z][A-Za-z0-9]{0,7}")


def is_param(segment: str) -> bool:
    """``{}``, ``{name}``, or either followed by an extension (``{post_id}.json``)."""
    return segment.startswith("{") and _PARAM_SEGMENT.fullmatch(segment) is not None


def param_name(segment: str) -> str:
    """The name of a parameter segment (``""`` for a generated one)."""
    m = _PARAM_SEGMENT.fullmatch(segment)
    return m.group(1) if m else ""


def param_suffix(segment: str) -> str:
    """The extension after a parameter (``".json"``), or ``""``."""
    m = _PARAM_SEGMENT.fullmatch(segment)
    return (m.group(2) or "") if m else ""


def _split_extension(segment: str) -> tuple[str, str] | None:
    """``1.json`` → ``("1", ".json")``; None without a short alphabetic extension."""
    stem, dot, ext = segment.rpartition(".")
    if not dot or not stem or _EXTENSION.fullmatch(ext) is None:
        return None
    return stem, "." + ext


def _is_shape_param(segment: str, prev: str | None) -> bool:
    if not segment or _VERSION.fullmatch(segment):
        return False
    if segment.isdigit():
        return True
    if is_date(segment):
        return prev is not None and prev.lower() not in _VERSION_PARENTS
    return (
        is_uuid(segment)
        or is_ulid(segment)
        or is_hex_id(segment)
        or is_mixed_token(segment)
        or is_email(segment)
    )


def is_id_literal(segment: str) -> bool:
    """A literal that may be an identifier when many siblings vary: it has a digit, no version."""
    return (
        not is_param(segment)
        and any(c.isdigit() for c in segment)
        and _VERSION.fullmatch(segment) is None
    )


def _literal(segment: str) -> str:
    return segment.replace("{", "%7B").replace("}", "%7D")


#: Shaped segment per raw segment, for segments whose shape does not depend on the previous one
#: (all but dates). Cleared when it grows past ``_SHAPED_MAX``.
_SHAPED: dict[str, str] = {}
_SHAPED_MAX = 4096


def shape_segments(path: str) -> Segments:
    """Template a concrete path by the shape of each segment."""
    raw = path.split("?", 1)[0].split("/")[1:] if path.startswith("/") else path.split("/")
    return shape_parts(raw)


def shape_parts(raw: list[str]) -> Segments:
    """``shape_segments`` of a path already split into its segments."""
    out: list[str] = []
    prev: str | None = None
    for segment in raw:
        out.append(shape_segment(segment, prev))
        prev = segment
    return tuple(out)


def _shape(segment: str, prev: str | None) -> str:
    if _is_shape_param(segment, prev):
        return GENERATED
    split = _split_extension(segment) if "." in segment else None
    if split is not None and _is_shape_param(split[0], prev):
        return GENERATED + split[1]
    return _literal(segment)


def shape_segment(segment: str, prev: str | None) -> str:
    """One segment of ``shape_segments``, given the raw segment before it (None for the first)."""
    shaped = _SHAPED.get(segment)
    if shaped is None:
        shaped = _shape(segment, prev)
        # a date's shape depends on its position; long ids (UUIDs, tokens) rarely repeat
        dated = is_date(segment) or is_date(segment.rpartition(".")[0])
        if not dated and (not is_param(shaped) or len(segment) <= 12):
            if len(_SHAPED) >= _SHAPED_MAX:
                _SHAPED.clear()
            _SHAPED[segment] = shaped
    return shaped


def route_segments(route: str) -> Segments:
    """A framework route (``/o/{id}``, ``/o/<int:id>``, ``/o/:id``) in canonical segments."""
    out: list[str] = []
    for segment in route.strip().lstrip("/").split("/"):
        match = _ROUTE_PARAM.match(segment)
        if match:
            name = next(g for g in match.groups() if g)
            out.append("{" + re.sub(r"\W", "_", name) + "}")
        else:
            out.append(segment)
    return parse_template("/" + "/".join(out))


def _singular(word: str) -> str:
    word = word.lower().replace("-", "_")
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def param_names(segments: Segments) -> dict[int, str]:
    """Position → name of every parameter (generated names de-duplicated left to right)."""
    names: dict[int, str] = {}
    used = {param_name(s) for s in segments if is_param(s)} - {""}
    for i, segment in enumerate(segments):
        if not is_param(segment):
            continue
        if param_name(segment):
            names[i] = param_name(segment)
            continue
        prev = segments[i - 1] if i else ""
        base = "id"
        if _WORD.fullmatch(prev) and not _VERSION.fullmatch(prev):
            base = _singular(prev).strip("_") + "_id"
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        names[i] = name
    return names


def render(segments: Segments) -> str:
    """The public template string, with generated parameter names filled in."""
    names = param_names(segments)
    return "/" + "/".join(
        "{" + names[i] + "}" + param_suffix(s) if i in names else s for i, s in enumerate(segments)
    )


def parse_template(template: str) -> Segments:
    """Read a rendered template back; names equal to the generated ones become ``GENERATED``."""
    parts = template.split("/")
    given = tuple(parts[1:] if template.startswith("/") else parts)
    anonymous = tuple(GENERATED if is_param(s) else s for s in given)
    generated = param_names(anonymous)
    return tuple(
        GENERATED + param_suffix(s) if is_param(s) and generated.get(i) == param_name(s) else s
        for i, s in enumerate(given)
    )


def template_path(path: str, route: str | None = None) -> str:
    """The template of one request (shape pass only): ``/users/42`` → ``/users/{user_id}``."""
    return render(route_segments(route) if route else shape_segments(path))


_PARAM_TEXT = re.compile(r"\{[^{}/]*\}")


@lru_cache(maxsize=1024)
def _template_pattern(template: str) -> re.Pattern[str]:
    """``/posts/{post_id}.json`` → a pattern for ``/posts/1.json`` (a parameter is a non-empty
    part of one segment; the literal text around it must match exactly)."""
    return re.compile("[^/]+?".join(re.escape(p) for p in _PARAM_TEXT.split(template)))


def user_template(path: str, templates: Iterable[str]) -> str | None:
    """The template among ``templates`` that the concrete ``path`` belongs to, or None: every
    segment matches; the most literal wins (fewest parameters, then the most literal text, so
    ``/items/{id}.json`` before ``/items/{id}`` and ``/items/new`` before both)."""
    best: tuple[int, int, str] | None = None
    depth = path.count("/")
    for template in templates:
        if template.count("/") != depth:
            continue
        if template == path:
            return template
        if _template_pattern(template).fullmatch(path) is None:
            continue
        rank = (len(_PARAM_TEXT.findall(template)), -len(_PARAM_TEXT.sub("", template)), template)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


EndpointId = tuple[str, Segments]  # (METHOD, segments)


def plan_folds(
    keys: Iterable[EndpointId], folded: Mapping[EndpointId, frozenset[int]]
) -> dict[EndpointId, tuple[EndpointId, dict[int, str]]]:
    """The cardinality pass: which endpoints fold into which, and the literal each one gives up.

    ``folded`` holds the positions already folded per endpoint (they keep absorbing literals).
    Returns ``old → (new, {position: literal})`` for every endpoint that changes.
    """
    current = {key: key for key in keys}
    given: dict[EndpointId, dict[int, str]] = {key: {} for key in current}
    marks: dict[EndpointId, set[int]] = defaultdict(set)
    for key in current:
        marks[key] |= folded.get(key, frozenset())
    depth = max((len(segs) for _, segs in current.values()), default=0)
    for i in range(depth):
        groups: dict[tuple[str, int, Segments], tuple[set[str], list[bool]]] = {}
        for method, segs in set(current.values()):
            if len(segs) <= i:
                continue
            ids, any_folded = groups.setdefault((method, len(segs), segs[:i]), (set(), [False]))
            if is_param(segs[i]):
                any_folded[0] = any_folded[0] or i in marks[(method, segs)]
            elif is_id_literal(segs[i]):
                ids.add(segs[i])
        for original, (method, segs) in current.items():
            if len(segs) <= i or not is_id_literal(segs[i]):
                continue
            ids, any_folded = groups[(method, len(segs), segs[:i])]
            if any_folded[0] or len(ids) >= FOLD_MIN_VALUES:
                new = (method, (*segs[:i], GENERATED, *segs[i + 1 :]))
                given[original][i] = segs[i]
                current[original] = new
                marks[new] |= marks[(method, segs)] | {i}
    return {k: (v, given[k]) for k, v in current.items() if v != k}

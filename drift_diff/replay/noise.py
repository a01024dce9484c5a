"""Structural differences between JSON bodies, and noise learned from the recording itself.

``json_differences`` runs deepdiff and returns plain :class:`Difference` records (what, where,
both values). ``NoiseModel.learn`` looks for requests recorded more than once (same method, path,
query and body) whose responses differ: the locations that differ there (indices generalised to
``[*]``) are noise for that endpoint and are compared by presence and type only; a response
header present in one of them and not the other may be absent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from drift_diff.replay.paths import format_location, generalize

__all__ = [
    "Difference",
    "NoiseModel",
    "endpoint_of",
    "json_differences",
    "request_key",
    "unstable_locations",
]

#: deepdiff report names → our kinds of difference.
_KINDS = {
    "dictionary_item_removed": "removed",
    "dictionary_item_added": "added",
    "iterable_item_removed": "item-removed",
    "iterable_item_added": "item-added",
    "values_changed": "value",
    "type_changes": "type",
}


_GROUP = {
    "removed": "presence",
    "added": "presence",
    "item-removed": "items",
    "item-added": "items",
    "value": "value",
    "type": "type",
}


@dataclass(frozen=True)
class Difference:
    kind: str  # removed | added | item-removed | item-added | value | type
    location: str
    before: Any
    after: Any


def _plain(value: Any) -> Any:
    return None if type(value).__name__ == "NotPresent" else value


def json_differences(before: Any, after: Any, root: str = "response.body") -> list[Difference]:
    """Where two JSON values differ (numbers compare as numbers: ``1 == 1.0``)."""
    if before == after:
        return []
    tree = DeepDiff(before, after, view="tree", ignore_numeric_type_changes=True)
    out: list[Difference] = []
    for report, levels in tree.items():
        kind = _KINDS.get(report)
        if kind is None:
            continue
        for level in levels:
            location = format_location(root, level.path(output_format="list"))
            out.append(Difference(kind, location, _plain(level.t1), _plain(level.t2)))
    out.sort(key=lambda d: d.location)
    return out


def unstable_locations(first: dict[str, Any], second: dict[str, Any]) -> frozenset[str]:
    """Where two live answers to the same replayed request differ (indices generalised to
    ``[*]``; an array whose items came and went as a whole): values there change from one
    answer of this very build to the next, so a recording cannot be expected to hold them.
    Nothing when the answers differ in status or content type: then the second one is another
    outcome, not the same one with other values, and forgives nothing."""
    ra, rb = first.get("response") or {}, second.get("response") or {}
    if ra.get("status") != rb.get("status") or ra.get("content_type") != rb.get("content_type"):
        return frozenset()
    out: set[str] = set()
    if "body" in ra and "body" in rb:
        for diff in json_differences(ra["body"], rb["body"]):
            location = generalize(diff.location)
            if diff.kind in ("item-removed", "item-added") and location.endswith("[*]"):
                location = location[: -len("[*]")]
            out.add(location)
    elif ("body" in ra) != ("body" in rb):
        return frozenset()
    elif any(ra.get(k) != rb.get(k) for k in ("body_text", "body_b64")):
        out.add("response.body")
    return frozenset(out)


def endpoint_of(exchange: dict[str, Any]) -> str:
    """``METHOD /route`` of an exchange (the recorded route template when known, else the path)."""
    request = exchange.get("request") or {}
    route = exchange.get("route")
    where = route if isinstance(route, str) and route else str(request.get("path", "/"))
    return f"{str(request.get('method', 'GET')).upper()} {where}"


def request_key(exchange: dict[str, Any]) -> str:
    """What makes two recordings "the same request": method, path, query and body."""
    request = exchange.get("request") or {}
    body = next((request[k] for k in ("body", "body_text", "body_b64") if k in request), None)
    return json.dumps(
        [
            str(request.get("method", "")).upper(),
            request.get("path"),
            request.get("query") or {},
            body,
        ],
        sort_keys=True,
        default=str,
    )


class NoiseModel:
    """Locations known to vary, per endpoint, learned from repeated recordings.

    What varied decides what is forgiven: a value that varied is compared by type only; a field
    that came and went may be absent, and so may everything below it; array items that came and
    went may come and go (values inside them may differ), but a field *inside* the items is
    still judged by the same request's evidence (per-request evidence wins); a type that varied
    (``null`` vs an object) may change type, and what is below it may be absent. Anything else
    at a noisy location is still reported.
    """

    def __init__(self) -> None:
        self._paths: dict[str, dict[str, set[str]]] = {}

    def add(self, endpoint: str, location: str, kind: str = "value") -> None:
        group = _GROUP.get(kind, "value")
        self._paths.setdefault(endpoint, {}).setdefault(generalize(location), set()).add(group)

    def is_noisy(self, endpoint: str, location: str, kind: str = "value") -> bool:
        paths = self._paths.get(endpoint)
        if not paths:
            return False
        general = generalize(location)
        wanted = _GROUP.get(kind, "value")
        for path, groups in paths.items():
            covers = general == path or general.startswith((path + ".", path + "["))
            if not covers:
                continue
            if wanted == "value" or wanted in groups:
                return True
            if general != path and groups & {"presence", "type"}:
                return True  # below something that came and went, or changed type, as a whole
        return False

    def paths(self, endpoint: str) -> list[str]:
        return sorted(self._paths.get(endpoint, {}))

    def __len__(self) -> int:
        return sum(len(p) for p in self._paths.values())

    @classmethod
    def learn(cls, exchanges: Iterable[dict[str, Any]]) -> NoiseModel:
        model = cls()
        first: dict[str, dict[str, Any]] = {}
        for exchange in exchanges:
            key = request_key(exchange)
            seen = first.get(key)
            if seen is None:
                first[key] = exchange
                continue
            model._learn_pair(seen, exchange)
        return model

    def _learn_pair(self, a: dict[str, Any], b: dict[str, Any]) -> None:
        ra, rb = a.get("response") or {}, b.get("response") or {}
        if ra.get("status") != rb.get("status"):
            return  # a different outcome, not noise in the same outcome
        endpoint = endpoint_of(a)
        if "body" in ra and "body" in rb:
            for diff in json_differences(ra["body"], rb["body"]):
                self.add(endpoint, diff.location, diff.kind)
        elif any(ra.get(k) != rb.get(k) for k in ("body_text", "body_b64")):
            self.add(endpoint, "response.body")
        for name in ("location",):
            if (ra.get("headers") or {}).get(name) != (rb.get("headers") or {}).get(name):
                self.add(endpoint, f"response.headers.{name}")
        names_a = {str(k).lower() for k in ra.get("headers") or {}}
        names_b = {str(k).lower() for k in rb.get("headers") or {}}
        for name in names_a ^ names_b:  # a header the same request sometimes went without
            self.add(endpoint, f"response.headers.{name}", "removed")

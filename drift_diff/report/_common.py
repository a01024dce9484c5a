"""Bits shared by the renderers, and the grouping of findings into underlying changes.

One schema change often spreads into many findings: a shared component that lost a field shows
on every endpoint returning it, an object that lost five fields shows five times. ``items``
folds them back: findings of one rule whose *field* (the location without the response status:
``response.body.owner.id``) sits under the same parent (``response.body.owner``), on exactly
the same set of endpoints, are one ``Group`` listing those endpoints and fields. Everything
else stays a single ``Change``. Grouping is presentation only: the result, its summary and the
exit code count every finding, and the JSON report keeps each one inside its group.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from drift_diff.diff.coverage import status_free
from drift_diff.diff.messages import MESSAGES, message_for
from drift_diff.model import Change, DiffResult, Severity

__all__ = [
    "ORDER",
    "Finding",
    "Group",
    "by_severity",
    "group_changes",
    "headline",
    "items",
    "items_by_severity",
]

ORDER = (Severity.BREAKING, Severity.WARNING, Severity.INFO)

#: endpoints and fields named in a group's one-line texts before "and N more"
_SHOWN = 5


class Finding(Protocol):
    """What a renderer reads of a ``Change`` or a ``Group``."""

    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def evidence(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


@dataclass(frozen=True, slots=True)
class Group:
    """Findings that are one underlying change: one rule, one place, one set of endpoints."""

    rule: str
    severity: Severity
    #: the shared place, status-free: the parent object of the fields (or the one field)
    location: str
    endpoints: tuple[str, ...]
    #: the status-free locations of the members, sorted
    fields: tuple[str, ...]
    changes: tuple[Change, ...]

    @property
    def endpoint(self) -> str:
        if len(self.endpoints) == 1:
            return self.endpoints[0]
        return f"{len(self.endpoints)} endpoints"

    @property
    def message(self) -> str:
        first = self.changes[0]
        template = MESSAGES.get(self.rule, "")
        alike = all((c.before, c.after) == (first.before, first.after) for c in self.changes)
        if template and (alike or ("{before}" not in template and "{after}" not in template)):
            what = message_for(
                self.rule,
                endpoint=self.endpoint,
                location=self._place(),
                before=first.before,
                after=first.after,
            )
        else:
            what = f"{len(self.fields)} fields: {self.rule}"
        where = (
            self.endpoints[0] if len(self.endpoints) == 1 else f"{len(self.endpoints)} endpoints"
        )
        return f"{what} (one change: {len(self.changes)} findings on {where})"

    def _place(self) -> str:
        """``response.body.owner.{email, id}``: the fields under their shared object."""
        if len(self.fields) == 1:
            return self.fields[0]
        prefix = self.location + "."
        names = [f.removeprefix(prefix) for f in self.fields]
        return f"{self.location}.{{{_listing(names)}}}"

    @property
    def evidence(self) -> str:
        return f"endpoints: {_listing(self.endpoints)}; fields: {_listing(self.fields)}"

    @property
    def fingerprint(self) -> str:
        text = "\x00".join((self.rule, self.location, *self.endpoints, *self.fields))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
            "endpoints": list(self.endpoints),
            "fields": list(self.fields),
            "fingerprint": self.fingerprint,
            "changes": [c.to_dict() for c in self.changes],
        }


def _parent(field: str) -> str:
    return field.rsplit(".", 1)[0] if "." in field else field


def group_changes(changes: Iterable[Change]) -> list[Change | Group]:
    """``changes`` (in order) with each underlying change folded into one ``Group``; a group
    stands where its first finding stood."""
    ordered = list(changes)
    position = {id(c): i for i, c in enumerate(ordered)}
    # 1. sites: one rule changing one field the same way, with the endpoints it happens on
    sites: dict[tuple[str, str, str, str], list[Change]] = defaultdict(list)
    for c in ordered:
        sites[(c.rule, status_free(c.location), repr(c.before), repr(c.after))].append(c)
    # 2. groups: sites of one rule under one parent on the same endpoints
    groups: dict[tuple[str, str, frozenset[str]], list[tuple[str, list[Change]]]] = defaultdict(
        list
    )
    for (rule, field, _, _), members in sites.items():
        endpoints = frozenset(c.endpoint for c in members)
        groups[(rule, _parent(field), endpoints)].append((field, members))
    home: dict[int, Group] = {}
    for (rule, parent, endpoints), parts in groups.items():
        members = [c for _, cs in parts for c in cs]
        if len(members) < 2:
            continue
        fields = tuple(sorted({f for f, _ in parts}))
        members.sort(key=lambda c: position[id(c)])
        group = Group(
            rule=rule,
            severity=max(c.severity for c in members),
            location=fields[0] if len(fields) == 1 else parent,
            endpoints=tuple(sorted(endpoints)),
            fields=fields,
            changes=tuple(members),
        )
        for c in members:
            home[id(c)] = group
    out: list[Change | Group] = []
    placed: set[int] = set()
    for c in ordered:
        owner = home.get(id(c))
        if owner is None:
            out.append(c)
        elif id(owner) not in placed:
            placed.add(id(owner))
            out.append(owner)
    return out


def items(result: DiffResult) -> list[Change | Group]:
    """The result's findings as renderers show them: underlying changes grouped."""
    return group_changes(result.changes)


def items_by_severity(result: DiffResult, severity: Severity) -> list[Change | Group]:
    return [i for i in items(result) if i.severity is severity]


def by_severity(result: DiffResult, severity: Severity) -> list[Change]:
    return [c for c in result.changes if c.severity is severity]


def headline(result: DiffResult) -> str:
    s = result.summary
    text = f"{s['breaking']} breaking, {s['warning']} warning, {s['info']} info"
    if result.ignored:
        text += f" ({len(result.ignored)} ignored by config)"
    return text

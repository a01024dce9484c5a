"""One finding per location across exchanges: what replay found in each replayed exchange,
grouped by rule, endpoint, location and severity, the evidence counting the occurrences.

Array indices fold (``items[3].price`` → ``items[].price``), and so do keys that are ids
(``["12"].price`` → ``{}.price``, a map keyed by id): a change to every element of a list or
map is one finding, whose message keeps the first concrete example.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from driftdiff_sdk.kinds import value_kind

from drift_diff.model import Change

__all__ = ["aggregate_changes"]

_ARRAY_INDEX = re.compile(r"\[\d+\]")
#: A key written quoted (``["12"]``: not an identifier) that is an id: a number, a UUID, a hex
#: id... — the key of a map keyed by id (datasette's ``?_shape=object``), folded to ``{}``
#: as the baseline writes a map's values.
_QUOTED_KEY = re.compile(r'\["([^"\\]{1,64})"\]')


def _fold(location: str) -> str:
    location = _ARRAY_INDEX.sub("[]", location)
    if '["' not in location:
        return location
    return _QUOTED_KEY.sub(_fold_key, location)


def _fold_key(match: re.Match[str]) -> str:
    key = match.group(1)
    return "{}" if key.isdigit() or value_kind(key) is not None else match.group()


def aggregate_changes(changes: Iterable[Change]) -> list[Change]:
    """One finding per rule, endpoint, folded location and severity (see the module doc)."""
    groups: dict[tuple[str, str, str, str], list[Change]] = {}
    for change in changes:
        key = (
            change.rule,
            change.endpoint,
            _fold(change.location),
            change.severity.value,
        )
        groups.setdefault(key, []).append(change)
    out: list[Change] = []
    for (_, _, location, _), members in groups.items():
        first = members[0]
        if len(members) == 1:
            out.append(first)
            continue
        exchanges = len({m.evidence for m in members})
        evidence = f"{first.evidence}; {len(members)} occurrence(s) in {exchanges} exchange(s)"
        out.append(
            Change(
                first.rule,
                first.severity,
                first.endpoint,
                location,
                first.message,
                first.before,
                first.after,
                evidence,
            )
        )
    out.sort(key=lambda c: (-c.severity.rank, c.endpoint, c.location, c.rule))
    return out

"""Fold a replay finding into the schema change that already reports the same break.

``check`` sees one break twice: replay finds ``response.body.price`` changed type in some
exchanges, and the diff of the live contract finds ``response.200.body.price`` changed type in
the baseline. One change should be one finding, so the replay finding is folded into the schema
change (its evidence appended) when both name the same endpoint, the same place and the same
kind of change, and the schema change is at least as severe. A replay finding with no such
counterpart (a value change, a mock not found, a break seen only in some exchanges) stays.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from drift_diff.model import Change
from drift_diff.replay.compare import (
    RULE_CONTENT_TYPE_CHANGED,
    RULE_FIELD_ADDED,
    RULE_FIELD_MISSING,
    RULE_STATUS_CHANGED,
    RULE_TYPE_CHANGED,
)

__all__ = ["fold_replay_findings"]

#: replay rule → what the matching schema rule's id contains
_KIND = {
    RULE_FIELD_MISSING: "property-removed",
    RULE_TYPE_CHANGED: "type-",
    RULE_FIELD_ADDED: "property-added",
    RULE_CONTENT_TYPE_CHANGED: "media-type-removed",
    RULE_STATUS_CHANGED: "status-removed",
}
_STATUS_BODY = re.compile(r"^response\.\d{3}\.body")
_STATUS = re.compile(r"^response\.(\d{3})")


def _schema_places(change: Change) -> set[str]:
    """The replay-style locations a schema change speaks for."""
    places = {_STATUS_BODY.sub("response.body", change.location)}
    m = _STATUS.match(change.location)
    if m and "status-removed" in change.rule:
        places.add(f"response.status:{m.group(1)}")
    if m and "media-type-removed" in change.rule:
        places.add("response.content-type")
    return places


def _replay_place(change: Change) -> str:
    if change.rule == RULE_STATUS_CHANGED:
        return f"response.status:{change.before}"
    if change.rule == RULE_CONTENT_TYPE_CHANGED:
        return "response.content-type"
    return change.location


def fold_replay_findings(
    replay: Sequence[Change], schema: Sequence[Change]
) -> tuple[list[Change], list[Change]]:
    """``(replay findings left, schema changes with folded evidence)``."""
    index: dict[tuple[str, str], list[int]] = {}
    for i, change in enumerate(schema):
        for place in _schema_places(change):
            index.setdefault((change.endpoint, place), []).append(i)
    folded = list(schema)
    left: list[Change] = []
    for change in replay:
        kind = _KIND.get(change.rule)
        target = None
        if kind is not None:
            for i in index.get((change.endpoint, _replay_place(change)), []):
                if kind in folded[i].rule and folded[i].severity >= change.severity:
                    target = i
                    break
        if target is None:
            left.append(change)
            continue
        into = folded[target]
        folded[target] = dataclasses.replace(
            into, evidence=f"{into.evidence}; {change.rule}: {change.message} ({change.evidence})"
        )
    return left, folded

"""One finding per break: replay findings filed under their endpoint template, then folded into
the schema change that reports the same break.

``check`` sees one break twice: replay finds ``response.body.price`` changed type in exchanges of
``GET /items/7``, and the diff of the live contract finds ``response.200.body.price`` changed type
under ``GET /items/{item_id}``. ``file_under_templates`` first files every replay finding under
the endpoint template its concrete path belongs to (the path stays in the evidence), so findings
of ``/items/7`` and ``/items/8`` become one. ``fold_replay_findings`` then joins a replay finding
and a schema change that name the same endpoint, the same place and related rules (the
``related`` set of the replay rule's registry entry, not substrings): the more severe of the two
is kept — a break seen in the same recorded request outranks "optional across the endpoint" —
carrying the other's evidence. A replay finding
with no such counterpart (a value change, a mock not found) stays as it is. A status that became
404/405/410 on an endpoint the diff found retired (deprecated, its sunset come:
``endpoint-retired``) is that retirement, and folds into it at its severity (info).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence

from drift_diff.catalogue import RULES
from drift_diff.deprecation import GONE_STATUSES, RETIRED_RULE
from drift_diff.model import Change, Severity
from drift_diff.replay.aggregate import aggregate_changes
from drift_diff.replay.paths import endpoint_template
from drift_diff.replay.rules import RULE_CONTENT_TYPE_CHANGED, RULE_STATUS_CHANGED

__all__ = ["file_under_templates", "fold_replay_findings"]


def _related(rule_id: str) -> frozenset[str]:
    """The catalogue rules that report the same break as replay rule ``rule_id`` (its
    registry entry's ``related``; nothing for an id the catalogue does not know)."""
    entry = RULES.get(rule_id)
    return entry.related if entry is not None else frozenset()


_STATUS_PART = re.compile(r"^response\.\d{3}\.(body|headers)")
_STATUS = re.compile(r"^response\.(\d{3})(?:$|\.)")
_INDEX = re.compile(r"\[\d+\]")


def _schema_place(change: Change) -> str:
    """The replay-style place a schema change speaks for (``response.200.body.x`` →
    ``response.body.x``; a removed status → ``response.status:200``; a removed media type,
    ``response.200.content(application/json)`` → ``response.content_type``)."""
    m = _STATUS.match(change.location)
    if m and change.rule in _related(RULE_STATUS_CHANGED):
        return f"response.status:{m.group(1)}"
    if m and change.rule in _related(RULE_CONTENT_TYPE_CHANGED):
        return "response.content_type"
    return _STATUS_PART.sub(r"response.\1", change.location)


def _replay_place(change: Change) -> str:
    if change.rule == RULE_STATUS_CHANGED:
        return f"response.status:{change.before}"
    return _INDEX.sub("[]", change.location)


def file_under_templates(changes: Iterable[Change], templates: Iterable[str]) -> list[Change]:
    """Replay findings of a concrete path (``GET /posts/1``) filed under the endpoint template
    among ``templates`` it belongs to (``GET /posts/{post_id}``); the concrete request goes into
    the evidence, and findings that now coincide are aggregated into one."""
    keys = list(templates)
    out: list[Change] = []
    for change in changes:
        template = endpoint_template(change.endpoint, keys)
        if template is None or template == change.endpoint:
            out.append(change)
            continue
        evidence = f"{change.endpoint}: {change.evidence}"
        out.append(dataclasses.replace(change, endpoint=template, evidence=evidence))
    return aggregate_changes(out)


def _overridden(change: Change, overrides: Mapping[str, Severity]) -> Change:
    severity = overrides.get(change.rule)
    if severity is None or severity is change.severity:
        return change
    return dataclasses.replace(change, severity=severity)


def _with_evidence(kept: Change, other: Change) -> Change:
    return dataclasses.replace(
        kept, evidence=f"{kept.evidence}; {other.rule}: {other.message} ({other.evidence})"
    )


def fold_replay_findings(
    replay: Sequence[Change],
    schema: Sequence[Change],
    severity: Mapping[str, Severity] | None = None,
) -> tuple[list[Change], list[Change]]:
    """``(replay findings left, schema changes with folded evidence)``.

    Where the replay finding is the more severe, it takes the schema change's place (with the
    schema change's evidence), so each break is listed once at the severity it deserves.
    ``severity`` holds the config's overrides (rule id → severity): they apply first, so a
    downgraded rule never wins a fold at the severity it no longer has.
    """
    overrides = severity or {}
    replay = [_overridden(c, overrides) for c in replay]
    schema = [_overridden(c, overrides) for c in schema]
    index: dict[tuple[str, str], list[int]] = {}
    for i, change in enumerate(schema):
        index.setdefault((change.endpoint, _schema_place(change)), []).append(i)
    folded = list(schema)
    retired = {c.endpoint: i for i, c in enumerate(schema) if c.rule == RETIRED_RULE}
    left: list[Change] = []
    for change in replay:
        at = retired.get(change.endpoint)
        if (
            at is not None
            and change.rule == RULE_STATUS_CHANGED
            and str(change.after) in GONE_STATUSES
        ):
            folded[at] = _with_evidence(folded[at], change)
            continue
        related = _related(change.rule)
        target = next(
            (
                i
                for i in index.get((change.endpoint, _replay_place(change)), [])
                if folded[i].rule in related or folded[i].rule == change.rule
            ),
            None,
        )
        if target is None:
            left.append(change)
            continue
        into = folded[target]
        if into.severity >= change.severity:
            folded[target] = _with_evidence(into, change)
        else:
            folded[target] = _with_evidence(change, into)
    return left, folded

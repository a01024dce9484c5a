"""Evidence from presence statistics: "present in 4,980 of 5,000 responses; now in 0 of 212"."""

from __future__ import annotations

from drift_diff.diff import facts as F
from drift_diff.diff.coverage import UNOBSERVED, unobserved_evidence
from drift_diff.diff.facts import Fact, Presence
from drift_diff.diff.lifecycle import PARAM_RETIRED, REMOVED_BEFORE_SUNSET, RETIRED

__all__ = ["evidence_for"]


def _side(p: Presence | None, noun: str, first: bool) -> str:
    if p is None:
        return "not described" if first else "now not described"
    if p.declared:
        word = "required" if p.required else "optional"
        return f"declared {word}" if first else f"now declared {word}"
    seen, total = p.seen or 0, p.total or 0
    if first:
        return f"present in {seen:,} of {total:,} {noun}"
    return f"now in {seen:,} of {total:,}"


def _count(p: Presence | None, noun: str, prefix: str) -> str:
    if p is None or p.declared:
        return f"{prefix}declared"
    return f"{prefix}seen in {p.seen or 0:,} {noun}"


def evidence_for(fact: Fact) -> str:
    """One line of evidence for a fact (a judging pass's note first); empty when neither side
    has anything to say."""
    return "; ".join(part for part in (fact.note, _counts(fact)) if part)


def _counts(fact: Fact) -> str:
    if fact.kind == UNOBSERVED:
        return unobserved_evidence(fact)
    if fact.kind in (
        F.ENDPOINT_REMOVED,
        RETIRED,
        REMOVED_BEFORE_SUNSET,
        F.STATUS_REMOVED,
        F.MEDIA_TYPE_REMOVED,
        F.BODY_REMOVED,
    ):
        return f"{_count(fact.base, fact.noun, '')}; now absent"
    if fact.kind in (F.ENDPOINT_ADDED, F.STATUS_ADDED, F.MEDIA_TYPE_ADDED):
        return _count(fact.current, fact.noun, "now ")
    if fact.base is None and fact.current is None:
        if fact.samples or fact.current_samples:
            return f"seen in {fact.samples:,} {fact.noun}; now in {fact.current_samples:,}"
        return ""
    if fact.kind == F.PROPERTY_ADDED:
        cur = fact.current
        if cur is None or cur.declared:
            return _side(cur, fact.noun, False)
        return f"new; present in {cur.seen or 0:,} of {cur.total or 0:,} {fact.noun}"
    now = _side(fact.current, fact.noun, False)
    if fact.kind in (F.PROPERTY_REMOVED, PARAM_RETIRED) and (
        fact.current is None or fact.current.declared
    ):
        now = "now absent"
    text = f"{_side(fact.base, fact.noun, True)}; {now}"
    if fact.kind == F.VALUES_CHANGED:
        text += f" (values learned from {fact.samples:,} samples)"
    return text

"""Small predicates shared by the rule modules."""

from __future__ import annotations

from drift_diff.diff.facts import Fact
from drift_diff.model import Direction

__all__ = [
    "BODY",
    "NO_REQUEST_MIRROR",
    "PARAM",
    "PROP",
    "REQ",
    "RESP",
    "in_targets",
    "is_always",
    "was_always",
]

REQ = Direction.REQUEST
RESP = Direction.RESPONSE

#: fact targets each rule family groups together
BODY = frozenset({"body"})
PROP = frozenset({"property", "items", "header"})
PARAM = frozenset({"parameter"})

NO_REQUEST_MIRROR = "none: statuses and response media types exist only on the response side"


def in_targets(fact: Fact, side: Direction, targets: frozenset[str]) -> bool:
    return fact.side is side and fact.target in targets


def was_always(fact: Fact) -> bool:
    """The base saw it in every sample (or declared it required)."""
    return fact.base is not None and fact.base.always


def is_always(fact: Fact) -> bool:
    """The current side sees it in every sample (or declares it required)."""
    return fact.current is not None and fact.current.always

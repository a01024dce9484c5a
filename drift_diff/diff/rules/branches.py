"""``oneOf``/``anyOf`` branches removed or added.

The structural diff folds a union into one view (types united, ``required`` intersected) and
adds what that view hides, branch by branch (``schema_walk.SchemaWalker``): a branch removed
or added, a branch gaining a required field (the ``*-became-required`` and
``new-required-request-property`` rules, located ``request.body(oneOf/1).name``), a branch's
type changed. Requests: a branch removed breaks the clients that send that shape; one added is
info. Responses: a branch added warns (consumers switching over the known shapes may fail, as
for a new enum value); one removed is info. Ids are oasdiff's.
"""

from __future__ import annotations

from collections.abc import Callable

from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.registry import rule
from drift_diff.diff.rules._common import REQ, RESP
from drift_diff.model import Direction, Severity

REQUEST_BODY_ONE_OF_REMOVED = "request-body-one-of-removed"
RESPONSE_PROPERTY_ONE_OF_ADDED = "response-property-one-of-added"

_TARGETS = {"body": frozenset({"body"}), "property": frozenset({"property", "items", "header"})}
_SEVERITY = {
    (REQ, "removed"): Severity.BREAKING,
    (REQ, "added"): Severity.INFO,
    (RESP, "added"): Severity.WARNING,
    (RESP, "removed"): Severity.INFO,
}


def _check(side: Direction, targets: frozenset[str], keyword: str) -> Callable[[Fact], bool]:
    def check(fact: Fact) -> bool:
        return fact.side is side and fact.target in targets and f"({keyword}/" in fact.location

    return check


def _register() -> None:
    for (side, what), severity in _SEVERITY.items():
        other = RESP if side is REQ else REQ
        flip = "added" if what == "removed" else "removed"
        for target, targets in _TARGETS.items():
            for keyword, word in (("oneOf", "one-of"), ("anyOf", "any-of")):
                effect = {
                    (REQ, "removed"): "clients sending that shape are refused",
                    (REQ, "added"): "one more shape is accepted",
                    (RESP, "added"): "consumers may meet a shape they do not know",
                    (RESP, "removed"): "one shape is no longer given",
                }[(side, what)]
                rule(
                    f"{side.value}-{target}-{word}-{what}",
                    severity,
                    side,
                    "schema",
                    f"A {keyword} branch of a {side.value} {target} was {what}: {effect}.",
                    kinds=F.BRANCH_REMOVED if what == "removed" else F.BRANCH_ADDED,
                    mirror=f"{other.value}-{target}-{word}-{flip}",
                )(_check(side, targets, keyword))


_register()

"""One (base, current) endpoint pair per lifecycle rule (deprecation, sunset, retirement).

Sunsets are far in the past or the future, so the cases hold whatever day the tests run;
``POLICY_CASES`` need a notice policy (``deprecation_days``) to fire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift_diff.config import Config

Pair = tuple[dict[str, Any], dict[str, Any]]

PAST = "2000-01-31"
FUTURE = "2999-12-31"
LATER = "3000-06-30"
#: a policy no date can meet: every sunset is too soon under it
POLICY = Config(deprecation_days=36500)


def deprecated(ep: dict[str, Any], sunset: str | None = None) -> dict[str, Any]:
    return {**ep, "deprecation": {"sunset": sunset} if sunset else {}}


def lifecycle_cases(ep: dict[str, Any]) -> dict[str, Pair]:
    """``ep``: any endpoint; ``moved`` stands for it gone (another path answers instead)."""
    moved = {**ep, "path": "/other"}
    return {
        "endpoint-deprecated": (ep, deprecated(ep, FUTURE)),
        "endpoint-reactivated": (deprecated(ep, FUTURE), ep),
        "endpoint-retired": (deprecated(ep, PAST), moved),
        "endpoint-sunset-changed": (deprecated(ep, FUTURE), deprecated(ep, LATER)),
        "api-sunset-date-too-small": (ep, deprecated(ep, PAST)),
        "api-sunset-date-changed-too-small": (deprecated(ep, FUTURE), deprecated(ep, PAST)),
        "sunset-deleted": (deprecated(ep, FUTURE), deprecated(ep)),
    }


def policy_cases(
    ep: dict[str, Any], place: Callable[[str, str, Any], dict[str, Any]]
) -> dict[str, tuple[dict[str, Any], dict[str, Any], Config]]:
    plain = place("request", "parameter", {"type": "string"})
    marked = place("request", "parameter", {"type": "string", "deprecated": True})
    return {
        "api-deprecated-sunset-missing": (ep, deprecated(ep), POLICY),
        "request-parameter-deprecated-sunset-missing": (plain, marked, POLICY),
    }


def parameter_cases(place: Callable[[str, str, Any], dict[str, Any]]) -> dict[str, Pair]:
    """The parameter rules, on query parameter ``p`` (``place``: ``_diff_cases.place``)."""
    plain = {"type": "string"}

    def param(sunset: str | None = None, *, deprecated: bool = True) -> dict[str, Any]:
        mark = {"deprecated": True, **({"x-sunset": sunset} if sunset else {})}
        return place("request", "parameter", {**plain, **(mark if deprecated else {})})

    gone = {k: v for k, v in param(deprecated=False).items() if k != "query"}
    return {
        "request-parameter-deprecated": (param(deprecated=False), param(FUTURE)),
        "request-parameter-reactivated": (param(FUTURE), param(deprecated=False)),
        "request-parameter-removed-with-deprecation": (param(PAST), gone),
        "request-parameter-sunset-date-too-small": (param(deprecated=False), param(PAST)),
    }

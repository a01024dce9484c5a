"""Endpoint lifecycle: deprecation and sunset judged against today, as oasdiff does.

The structural diff only says *that* something changed (``ENDPOINT_REMOVED``,
``DEPRECATION_CHANGED``); whether it is fine depends on the day the diff runs and on the
notice the project asks for (``deprecation_days`` in the config, oasdiff's
``--deprecation-days-stable``). This pass re-reads those facts into the kinds the rules judge:

* a removed endpoint that the base deprecated is **retired** (info) when it had no sunset date
  or its sunset has come (``today >= sunset``); removed *before* its sunset it stays a removal
  (breaking), with the sunset in the evidence; never deprecated, it is a removal as before;
* an endpoint retired the same way that the current side still lists, but only with
  ``GONE_STATUSES`` answers (404/405/410: what a replay of old recordings gets from a build
  without it), is **retired** too: one finding instead of its status changes;
* newly deprecated: **deprecated** (info); with a sunset fewer than ``deprecation_days`` days
  away (or already past) **sunset too soon** (warning); with no sunset while
  ``deprecation_days`` > 0, **sunset missing** (warning);
* no longer deprecated: **reactivated** (info);
* still deprecated with another sunset: moved earlier to fewer than ``deprecation_days`` days
  away (or the past) is **sunset shortened** (warning), a sunset added that soon **sunset too
  soon**; the sunset dropped is **sunset deleted** (warning: a deprecated endpoint without a
  sunset may be retired at once, so this would skip the notice); any other sunset change is
  **sunset changed** (info).

Query and header parameters (OpenAPI ``deprecated: true`` on the parameter, kept as JSON
Schema's ``deprecated`` in its schema with ``x-sunset`` beside it) follow the same calendar, as
oasdiff's parameter checks do: removed on or after the sunset (or without one) is **parameter
retired** (info), before it stays ``request-parameter-removed``; newly deprecated is **parameter
deprecated** (info), or **parameter sunset too soon** / **missing** (warnings, as for
endpoints); no longer deprecated is
**parameter reactivated** (info). Other sunset moves of a parameter are not reported.

The dated facts carry the reason in ``Fact.note`` (the evidence line) and the sunsets as
``before``/``after`` (``YYYY-MM-DD`` or None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from drift_diff.deprecation import GONE_STATUSES, RETIRED_RULE, days_until, param_deprecation
from drift_diff.diff import facts as F
from drift_diff.diff.facts import Fact
from drift_diff.diff.structural import match_key
from drift_diff.model import Baseline, Direction

__all__ = [
    "DEPRECATED",
    "PARAM_DEPRECATED",
    "PARAM_REACTIVATED",
    "PARAM_RETIRED",
    "PARAM_SUNSET_MISSING",
    "PARAM_SUNSET_TOO_SOON",
    "REACTIVATED",
    "REMOVED_BEFORE_SUNSET",
    "RETIRED",
    "RETIRED_ANSWERING_GONE",
    "SUNSET_CHANGED",
    "SUNSET_DELETED",
    "SUNSET_MISSING",
    "SUNSET_SHORTENED",
    "SUNSET_TOO_SOON",
    "date_lifecycle",
]

RETIRED = RETIRED_RULE
#: retired, but still listed by the current side with gone answers only (``GONE_STATUSES``)
RETIRED_ANSWERING_GONE = "endpoint-answers-gone"
REMOVED_BEFORE_SUNSET = "endpoint-removed-before-sunset"
DEPRECATED = "endpoint-deprecated"
REACTIVATED = "endpoint-reactivated"
SUNSET_TOO_SOON = "sunset-too-soon"
SUNSET_MISSING = "sunset-missing"
SUNSET_SHORTENED = "sunset-shortened"
SUNSET_CHANGED = "sunset-changed"
SUNSET_DELETED = "sunset-deleted"
PARAM_RETIRED = "request-parameter-removed-with-deprecation"
PARAM_DEPRECATED = "request-parameter-deprecated"
PARAM_REACTIVATED = "request-parameter-reactivated"
PARAM_SUNSET_TOO_SOON = "request-parameter-sunset-date-too-small"
PARAM_SUNSET_MISSING = "request-parameter-deprecated-sunset-missing"
#: where parameters live in a baseline endpoint, by location prefix
_PARAM_PARTS = (("request.query.", "query"), ("request.headers.", "headers"))


def _sunset(record: Any) -> str | None:
    value = record.get("sunset") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _when(days: int) -> str:
    if days == 0:
        return "today"
    span = f"{abs(days):,} day{'s' if abs(days) != 1 else ''}"
    return f"in {span}" if days > 0 else f"{span} ago"


def _notice(days: int, min_days: int) -> str:
    need = f"at least {min_days:,} days' notice" if min_days else "a date not in the past"
    return f"is {_when(days)}; deprecation_days asks for {need}"


def _retirement(record: Any, today: dt.date) -> tuple[bool, str | None, str]:
    """(may it be gone, its sunset, why) for a base endpoint's deprecation record."""
    sunset = _sunset(record)
    days = days_until(sunset, today)
    if sunset is None or days is None:
        return True, None, "deprecated with no sunset date"
    if days <= 0:
        return True, sunset, f"sunset {sunset} was {_when(days)}"
    return False, sunset, f"deprecated, but its sunset {sunset} is {_when(days)}"


def _removed(fact: Fact, base: Baseline, today: dt.date) -> Fact:
    data = base.endpoints.get(fact.endpoint)
    record = data.get("deprecation") if data is not None else None
    if record is None:
        return fact
    gone, sunset, note = _retirement(record, today)
    if gone:
        return replace(fact, kind=RETIRED, before=sunset, note=note)
    return replace(fact, kind=REMOVED_BEFORE_SUNSET, after=sunset, note=note)


def _answering_gone(base: Baseline, current: Baseline, today: dt.date) -> dict[str, Fact | None]:
    """Current endpoint key -> its retirement fact, for deprecated base endpoints that the
    current side answers only with ``GONE_STATUSES`` (the base answered otherwise); None while
    the sunset has not come (the status changes stay; the gone answers, which carry no
    deprecation headers, do not read as un-deprecation)."""
    deprecated = {
        match_key(k): (k, d["deprecation"])
        for k, d in base.endpoints.items()
        if d.get("deprecation") is not None
    }
    out: dict[str, Fact | None] = {}
    for key, data in current.endpoints.items():
        found = deprecated.get(match_key(key))
        if found is None:
            continue
        statuses = set(data.get("responses") or {})
        before = set(base.endpoints[found[0]].get("responses") or {})
        if not statuses or not statuses <= GONE_STATUSES or before <= GONE_STATUSES:
            continue
        gone, sunset, note = _retirement(found[1], today)
        if not gone:
            out[key] = None
            continue
        answers = ", ".join(sorted(statuses))
        samples = data.get("samples")
        counted = f" to {samples:,} requests" if isinstance(samples, int) else ""
        out[key] = Fact(
            RETIRED_ANSWERING_GONE,
            key,
            "",
            Direction.ENDPOINT,
            "endpoint",
            before=sunset,
            noun="requests",
            note=f"{note}; now answers {answers}{counted}",
        )
    return out


def _changed(fact: Fact, today: dt.date, min_days: int) -> Fact:
    was, now = fact.before is not None, fact.after is not None
    old, new = _sunset(fact.before), _sunset(fact.after)
    days = days_until(new, today)
    if was and not now:
        note = f"was deprecated (sunset {old})" if old else "was deprecated with no sunset date"
        return replace(fact, kind=REACTIVATED, before=old, after=None, note=note)
    dated = replace(fact, before=old, after=new)
    if new is None or days is None:
        if not was and min_days > 0:
            note = f"no sunset date; deprecation_days asks for one at least {min_days:,} days away"
            return replace(dated, kind=SUNSET_MISSING, note=note)
        if not was:
            return replace(dated, kind=DEPRECATED, note="no sunset date")
        note = f"sunset {old} removed; still deprecated, so it could now be removed any day"
        return replace(dated, kind=SUNSET_DELETED, note=note)
    too_soon = days < min_days  # with no policy (0): a sunset already past
    if too_soon and (old is None or not was):
        return replace(dated, kind=SUNSET_TOO_SOON, note=f"sunset {new} {_notice(days, min_days)}")
    if not was:
        return replace(dated, kind=DEPRECATED, note=f"sunset {new}, {_when(days)}")
    if too_soon and old is not None and new < old:
        note = f"sunset moved from {old} to {new}, which {_notice(days, min_days)}"
        return replace(dated, kind=SUNSET_SHORTENED, note=note)
    return replace(dated, kind=SUNSET_CHANGED, note=f"sunset {old or 'none'} -> {new}")


def _base_param(base: Baseline, bkey: str | None, location: str) -> Any:
    """The base schema of the parameter at ``location`` (``request.query.limit``), if any."""
    data: Any = base.endpoints.get(bkey) if bkey is not None else None
    for prefix, part in _PARAM_PARTS:
        if isinstance(data, dict) and location.startswith(prefix):
            params = data.get(part)
            props = params.get("properties") if isinstance(params, dict) else None
            return props.get(location[len(prefix) :]) if isinstance(props, dict) else None
    return None


def _param_removed(fact: Fact, schema: Any, today: dt.date) -> Fact:
    record = param_deprecation(schema)
    if record is None:
        return fact
    gone, sunset, note = _retirement(record, today)
    if gone:
        return replace(fact, kind=PARAM_RETIRED, after=sunset, note=note)
    return replace(fact, note=note)


def _param_changed(fact: Fact, today: dt.date, min_days: int) -> Fact | None:
    old, new = _sunset(fact.before), _sunset(fact.after)
    if fact.before is not None and fact.after is None:
        return replace(fact, kind=PARAM_REACTIVATED, before=old, after=None)
    if fact.before is not None:
        return None  # a sunset moved: oasdiff reports that for endpoints only
    days = days_until(new, today)
    dated = replace(fact, before=None, after=new)
    if new is not None and days is not None and days < min_days:
        note = f"sunset {new} {_notice(days, min_days)}"
        return replace(dated, kind=PARAM_SUNSET_TOO_SOON, note=note)
    if new is not None and days is not None:
        return replace(dated, kind=PARAM_DEPRECATED, note=f"sunset {new}, {_when(days)}")
    if min_days > 0:
        note = f"no sunset date; deprecation_days asks for one at least {min_days:,} days away"
        return replace(dated, kind=PARAM_SUNSET_MISSING, note=note)
    return replace(dated, kind=PARAM_DEPRECATED, note="no sunset date")


def date_lifecycle(
    facts: Iterable[Fact],
    base: Baseline,
    current: Baseline,
    *,
    today: dt.date,
    min_days: int = 0,
) -> Iterator[Fact]:
    """``facts`` with removals of deprecated endpoints and deprecation changes dated."""
    answering_gone = _answering_gone(base, current, today)
    replaced: set[str] = set()
    bkeys = {match_key(k): k for k in base.endpoints}
    for fact in facts:
        if fact.endpoint in answering_gone:
            retired = answering_gone[fact.endpoint]
            if retired is None:
                if fact.kind != F.DEPRECATION_CHANGED:
                    yield fact
            elif fact.endpoint not in replaced:  # one finding in place of all that endpoint's
                replaced.add(fact.endpoint)
                yield retired
        elif fact.kind == F.ENDPOINT_REMOVED:
            yield _removed(fact, base, today)
        elif fact.kind == F.DEPRECATION_CHANGED:
            yield _changed(fact, today, min_days)
        elif fact.kind == F.PROPERTY_REMOVED and fact.is_request and fact.target == "parameter":
            schema = _base_param(base, bkeys.get(match_key(fact.endpoint)), fact.location)
            yield _param_removed(fact, schema, today)
        elif fact.kind == F.PARAM_DEPRECATION_CHANGED:
            dated = _param_changed(fact, today, min_days)
            if dated is not None:
                yield dated
        else:
            yield fact

"""Deprecation and sunset of an endpoint: the words and dates every stage shares.

An endpoint is *deprecated* when an OpenAPI document says ``deprecated: true`` on its
operation, or when the service answered it with a ``Deprecation`` header (RFC 9745) or a
``Sunset`` header (RFC 8594: the date after which it may stop answering). Its *sunset* is the
day it may be removed: ``x-sunset`` on the operation (oasdiff's extension: an RFC 3339 date or
date-time) or the ``Sunset`` header's HTTP-date. Baselines keep the sunset as a day
(``YYYY-MM-DD``, UTC): a diff judges "removed before / after its sunset" by the day, as
oasdiff does.

The baseline record (``records.DeprecationRecord``, ``schemas/baseline.schema.json``):
``deprecation: {samples, sunset}`` on an endpoint; present means deprecated; ``samples`` counts
the responses that said so (absent when a document declared it); ``sunset`` is the latest
sunset seen (the strictest reading for removal).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "DEPRECATION_HEADER",
    "GONE_STATUSES",
    "RETIRED_RULE",
    "SUNSET_EXTENSION",
    "SUNSET_HEADER",
    "days_until",
    "header_facts",
    "later_sunset",
    "param_deprecation",
    "parse_sunset",
    "parse_sunset_header",
    "sunset_day",
]

#: response headers (lower-case, as exchanges store them)
DEPRECATION_HEADER = "deprecation"
SUNSET_HEADER = "sunset"
#: the OpenAPI operation extension oasdiff reads
SUNSET_EXTENSION = "x-sunset"
#: what a server answers for an endpoint it no longer has
GONE_STATUSES = frozenset({"404", "405", "410"})
#: the rule of a deprecated endpoint gone once its sunset came (``diff/rules/lifecycle.py``);
#: replay folds a status that became one of ``GONE_STATUSES`` into it
RETIRED_RULE = "endpoint-retired"


def parse_sunset(value: Any) -> dt.date | None:
    """An ``x-sunset`` value: an RFC 3339 date (``2027-01-31``) or date-time
    (``2027-01-31T00:00:00Z``, taken in UTC); ``None`` when it is neither. YAML may already
    have read it as a date."""
    if isinstance(value, dt.datetime):
        return _utc_day(value)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else _utc_day(_datetime(text))
    except ValueError:
        return None


def _datetime(text: str) -> dt.datetime:
    if "T" not in text.upper():
        raise ValueError(text)
    # Python 3.10's fromisoformat takes neither "Z" nor a lower-case "t"
    text = text[:10] + "T" + text[11:]
    return dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)


def _utc_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.date()


def parse_sunset_header(value: str) -> dt.date | None:
    """A ``Sunset`` header: an HTTP-date (``Sat, 31 Jan 2027 23:59:59 GMT``); an RFC 3339 date
    is accepted too. ``None`` when it is neither (the header then says nothing dated)."""
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return parse_sunset(value)
    return _utc_day(moment)


def sunset_day(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def later_sunset(a: str | None, b: str | None) -> str | None:
    """The later of two ``YYYY-MM-DD`` sunsets (ISO days sort as text); either may be absent."""
    if a is None or b is None:
        return a if b is None else b
    return max(a, b)


def header_facts(headers: Mapping[str, Any] | None) -> tuple[bool, str | None]:
    """(deprecated, sunset day) that one response's headers state: a ``Deprecation`` header
    with any value (RFC 9745's ``@<epoch>``, or the drafts' ``true`` or HTTP-date) or a
    ``Sunset`` header deprecates; the sunset is the latest readable ``Sunset`` value."""
    if not headers:
        return False, None
    sunsets: Iterable[Any] = headers.get(SUNSET_HEADER) or ()
    if isinstance(sunsets, str):
        sunsets = (sunsets,)
    day: str | None = None
    for raw in sunsets:
        if isinstance(raw, str):
            day = later_sunset(day, sunset_day(parse_sunset_header(raw)))
    return DEPRECATION_HEADER in headers or SUNSET_HEADER in headers, day


def param_deprecation(schema: Any) -> dict[str, str] | None:
    """A parameter's deprecation, kept in its schema (JSON Schema's ``deprecated: true``, with
    ``x-sunset`` beside it): ``{}`` / ``{"sunset": day}``, or None when not deprecated."""
    if not isinstance(schema, dict):
        return None
    if schema.get("deprecated") is not True:  # a named schema's parameter: {allOf: [ref, mark]}
        parts = schema.get("allOf")
        marks = (
            [p for p in parts if isinstance(p, dict) and p.get("deprecated") is True]
            if isinstance(parts, list)
            else []
        )
        if not marks:
            return None
        schema = marks[0]
    sunset = schema.get(SUNSET_EXTENSION)
    return {"sunset": sunset} if isinstance(sunset, str) else {}


def days_until(sunset: str | None, today: dt.date) -> int | None:
    """Days from ``today`` to a ``YYYY-MM-DD`` sunset (negative once it has passed)."""
    if sunset is None:
        return None
    return (dt.date.fromisoformat(sunset) - today).days

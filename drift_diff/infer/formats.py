"""String shapes: the JSON Schema ``format`` of a value (the kind checks come from
``driftdiff_sdk.kinds``, re-exported here for inference's other modules).

``string_format`` returns at most one format per string (the checks are mutually exclusive), so
a strategy can track a single candidate and drop it on the first counterexample — which keeps
inference mergeable: the candidate of a union is the intersection of the candidates.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Collection
from functools import lru_cache

from driftdiff_sdk.kinds import (
    DATE,
    DATE_TIME,
    EMAIL,
    UUID,
    is_date,
    is_date_time,
    is_email,
    is_hex_id,
    is_mixed_token,
    is_ulid,
    is_uuid,
)

__all__ = [
    "FORMATS",
    "all_have_format",
    "is_date",
    "is_hex_id",
    "is_mixed_token",
    "is_ulid",
    "is_uuid",
    "matches_format",
    "string_format",
]

#: Every format we learn, in the order ``string_format`` tries them.
FORMATS = ("uuid", "date-time", "date", "email", "ipv4", "ipv6", "uri")

# The id and time patterns are the shared kinds (``driftdiff_sdk.kinds``): inference, replay and
# redaction agree on what a UUID, a ULID or an e-mail is. URIs and IP addresses are formats only.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#]*[^\s]*")
_IPV4 = re.compile(r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}")


def _is_ipv6(s: str) -> bool:
    if ":" not in s or len(s) > 45 or "/" in s:
        return False
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return True


_CHECKS: dict[str, Callable[[str], bool]] = {
    "uuid": is_uuid,
    "date-time": is_date_time,
    "date": is_date,
    "email": is_email,
    "ipv4": lambda s: 7 <= len(s) <= 15 and _IPV4.fullmatch(s) is not None,
    "ipv6": _is_ipv6,
    "uri": lambda s: "://" in s and _URI.fullmatch(s) is not None,
}


def matches_format(s: str, fmt: str) -> bool:
    """Does ``s`` still fit the candidate ``fmt``? Defined through ``string_format`` so that a
    string has exactly one format (or none), whatever order the values arrive in."""
    return string_format(s) == fmt


@lru_cache(maxsize=8192)
def string_format(s: str) -> str | None:
    """The one format ``s`` has, or None. Cached: the same strings recur across exchanges."""
    for fmt in FORMATS:
        if _CHECKS[fmt](s):
            return fmt
    return None


def _joined(pattern: str) -> re.Pattern[str]:
    """``pattern`` repeated, one string per line: one match call checks a whole column."""
    return re.compile(f"(?:(?:{pattern})\n)*(?:{pattern})")


# Subsets of the exact patterns (ASCII digits for \d), for columns joined by newlines, which
# none of these patterns can match. A column that passes is in the format; else the exact
# check decides (so a rare Unicode digit costs time, not correctness).
_DIGITS_DATE = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_FAST_COLUMN = {
    "uuid": _joined(UUID.pattern),
    "date": _joined(_DIGITS_DATE),
    "date-time": _joined(
        _DIGITS_DATE + r"[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?"
        r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])"
    ),
}


def all_have_format(strings: Collection[str], fmt: str) -> bool:
    """``all(string_format(s) == fmt for s in strings)`` for a non-empty column of strings.

    The checks are mutually exclusive (each format needs what the earlier ones forbid: date-time
    a ``:``, date ten characters, email an ``@``, ipv4 digits and dots only, ipv6 a ``:`` and no
    ``-``/``@``, uri a ``://``), so a string has ``fmt`` exactly when ``fmt``'s check passes.
    """
    fast = _FAST_COLUMN.get(fmt)
    if fast is not None:
        joined = "\n".join(strings)
        if joined.count("\n") == len(strings) - 1 and fast.fullmatch(joined) is not None:
            if fmt != "date-time":
                return True
            lengths = set(map(len, strings))
            if min(lengths) >= 20 and max(lengths) <= 40:
                return True
    return _each_has_format(strings, fmt)


def _each_has_format(strings: Collection[str], fmt: str) -> bool:
    """``all_have_format``, string by string: the common formats' patterns at C speed."""
    if fmt == "uuid":
        return all(map(UUID.fullmatch, strings))  # the pattern is 36 characters long
    if fmt == "date":
        return all(map(DATE.fullmatch, strings))  # the pattern is 10 characters long
    if fmt == "date-time":
        lengths = set(map(len, strings))
        return min(lengths) >= 20 and max(lengths) <= 40 and all(map(DATE_TIME.fullmatch, strings))
    if fmt == "email":  # the pattern needs the "@"
        return max(map(len, strings)) <= 254 and all(map(EMAIL.fullmatch, strings))
    if fmt == "uri":  # the pattern needs the "://"
        return all(map(_URI.fullmatch, strings))
    check = _CHECKS[fmt]
    return all(map(check, strings))

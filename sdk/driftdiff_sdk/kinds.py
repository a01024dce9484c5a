"""Kinds of values: the one definition of "is this an id, a time, a duration, a placeholder".

Three stages ask the same questions about a string or a number and must get the same answer:

* **inference** (``drift_diff.infer.formats``, ``drift_diff.infer.paths``) learns JSON Schema
  formats (``uuid``, ``date-time``, ``email``…) and templates id-like path segments;
* **replay** (``drift_diff.replay.compare``) compares values that change on every run — ids,
  timestamps, durations, redacted placeholders — by their *kind* instead of their value;
* **redaction** (``driftdiff_sdk._masks``) keeps a secret's kind in its placeholder, and replay
  must recognise those placeholders (``user-1a2b3c4d@redacted.invalid`` stands for any e-mail).

So the patterns, the placeholder shapes and the timing field names live here, once. Kinds are
decided by format; the only name-based decision is ``is_timing_field`` (a duration is a plain
number, so only its field name tells ``query_ms: 3`` from ``quantity: 3``). Every pattern is
ASCII, anchored by ``fullmatch`` and bounded, so hostile input costs linear time. Stdlib only:
this module is imported inside production services.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "DATE",
    "DATE_TIME",
    "EMAIL",
    "REDACTED_EMAIL_DOMAIN",
    "REDACTED_JWT_HEADER",
    "REDACTED_JWT_PAYLOAD",
    "REDACTED_JWT_SIGNATURE",
    "REDACTED_PREFIX",
    "UUID",
    "is_date",
    "is_date_time",
    "is_duration_text",
    "is_email",
    "is_hex_id",
    "is_jwt",
    "is_mixed_token",
    "is_timing_field",
    "is_ulid",
    "is_uuid",
    "normalize_kinds",
    "placeholder_kind",
    "same_kind",
    "value_kind",
]

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: Crockford base32 in either case (``01ARZ3NDEKTSV4RRFFQ69G5FAV`` and its lowercase form).
ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}")
HEX_ID = re.compile(r"[0-9a-fA-F]{16,}")
MIXED = re.compile(r"[A-Za-z0-9_-]{16,}")
#: A name with a short numeric suffix (``GetNavigationMenu2``, ``report-2``): words, not a token.
_NAME_WITH_NUMBER = re.compile(r"[A-Za-z]+(?:[-_][A-Za-z]+)*[-_]?\d{1,4}")
DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", re.ASCII)
#: RFC 3339 ``date-time`` (the JSON Schema format): seconds and an offset are required.
DATE_TIME = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):?[0-5]\d)",
    re.ASCII,
)
#: Any ISO-8601-like timestamp (seconds and offset optional): the replay kind ``timestamp``.
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE | re.ASCII,
)
_HTTP_DATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} GMT",
    re.ASCII,
)
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{2,}={0,2}\.[A-Za-z0-9_-]{2,}={0,2}\.[A-Za-z0-9_-]*={0,2}")
#: A duration written as text: ``12ms``, ``0.5 s``, ``1m30s``, ISO 8601 ``PT1.5S``.
_DURATION = re.compile(
    r"(?:\d{1,12}(?:\.\d{1,9})? ?(?:ns|us|µs|ms|s|sec|secs|m|min|h))+"
    r"|P(?:\d{1,9}D)?T(?:\d{1,9}H)?(?:\d{1,9}M)?(?:\d{1,9}(?:\.\d{1,9})?S)?",
    re.IGNORECASE,
)

# Epoch numbers within 2001-09-09 .. 2096-10-02: wide enough for real data, narrow enough that
# small counters and prices are never mistaken for times.
_EPOCH_S = (1_000_000_000, 4_000_000_000)
_EPOCH_MS = (1_000_000_000_000, 4_000_000_000_000)

# The placeholders redaction writes (``driftdiff_sdk._masks`` builds them from these parts).
REDACTED_EMAIL_DOMAIN = "@redacted.invalid"
REDACTED_JWT_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # {"alg":"HS256","typ":"JWT"}
REDACTED_JWT_PAYLOAD = "eyJyZWRhY3RlZCI6dHJ1ZX0"  # {"redacted":true}, unpadded base64url
#: How a redacted JWT that keeps its header and claims (``_masks``) starts its signature.
REDACTED_JWT_SIGNATURE = "redacted-"
REDACTED_PREFIX = "redacted"  # the start of a 16+ character secret's placeholder
_REDACTED_SECRET = re.compile(REDACTED_PREFIX + r"[a-z2-7]{8,1016}")

# Field names that hold a measured duration (matched on the snake_case form of the last key).
_TIMING_WORDS = frozenset({"elapsed", "took", "duration", "latency", "runtime", "uptime", "timing"})
_TIMING_UNITS = frozenset({"ms", "us", "ns", "millis", "msec", "usec", "nsec", "micros"})
_TIMING_TIME = frozenset(
    {"query", "response", "processing", "execution", "exec", "render", "server", "request"}
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MAX_LEN = 4096  # longer strings are never of a kind (nor worth a regex)


def is_uuid(s: str) -> bool:
    """Any UUID version (v1–v8, nil, max): the canonical 8-4-4-4-12 hex form, either case."""
    return len(s) == 36 and UUID.fullmatch(s) is not None


def is_ulid(s: str) -> bool:
    """A ULID (26 Crockford base32 characters, either case) that mixes letters and digits."""
    if len(s) != 26 or ULID.fullmatch(s) is None:
        return False
    return any(c.isdigit() for c in s) and any(c.isalpha() for c in s)


def is_hex_id(s: str) -> bool:
    """16+ hex digits with at least one digit (object ids, hashes) — not a long word."""
    return HEX_ID.fullmatch(s) is not None and any(c.isdigit() for c in s)


def is_mixed_token(s: str) -> bool:
    """A long opaque token: 16+ url-safe characters mixing letters and digits.

    A name with a numeric suffix (``GetNavigationMenu2``) is words, not a token.
    """
    if MIXED.fullmatch(s) is None or _NAME_WITH_NUMBER.fullmatch(s) is not None:
        return False
    return any(c.isdigit() for c in s) and any(c.isalpha() for c in s)


def is_date(s: str) -> bool:
    return len(s) == 10 and DATE.fullmatch(s) is not None


def is_date_time(s: str) -> bool:
    """An RFC 3339 date-time (the JSON Schema ``date-time`` format)."""
    return 20 <= len(s) <= 40 and DATE_TIME.fullmatch(s) is not None


def is_email(s: str) -> bool:
    return "@" in s and len(s) <= 254 and EMAIL.fullmatch(s) is not None


def is_jwt(s: str) -> bool:
    return s.startswith("eyJ") and len(s) <= _MAX_LEN and _JWT.fullmatch(s) is not None


def is_duration_text(s: str) -> bool:
    """A duration written with its unit (``12ms``, ``1.5 s``, ``PT2M``)."""
    return 2 <= len(s) <= 64 and s[0] in "0123456789Pp" and _DURATION.fullmatch(s) is not None


def is_timing_field(name: str) -> bool:
    """Does a field of this name hold a measured duration (``query_ms``, ``elapsed``, ``took``,
    ``durationMs``, ``response_time``)? Its value then changes on every run."""
    words = _CAMEL.sub("_", name).lower().replace("-", "_").split("_")
    words = [w for w in words if w]
    if not words or len(words) > 6:
        return False
    if any(w in _TIMING_WORDS for w in words):
        return True
    if len(words) > 1 and words[-1] in _TIMING_UNITS:
        return True
    return len(words) > 1 and words[-1] == "time" and words[-2] in _TIMING_TIME


def placeholder_kind(value: Any) -> str | None:
    """The kind a redaction placeholder stands for (``"email"``, ``"jwt"``, ``"secret"``), or None.

    Only placeholders that carry a mark are recognised: the e-mail domain, the JWT payload
    ``{"redacted":true}`` or signature ``redacted-…``, the ``redacted…`` prefix of a long
    secret's placeholder.
    """
    if not isinstance(value, str) or len(value) > _MAX_LEN:
        return None
    if value.endswith(REDACTED_EMAIL_DOMAIN) and is_email(value):
        return "email"
    if value.startswith("eyJ") and is_jwt(value):
        if value.startswith(f"{REDACTED_JWT_HEADER}.{REDACTED_JWT_PAYLOAD}."):
            return "jwt"
        if value.rpartition(".")[2].startswith(REDACTED_JWT_SIGNATURE):
            return "jwt"
    if value.startswith(REDACTED_PREFIX) and _REDACTED_SECRET.fullmatch(value):
        return "secret"
    return None


def _fits_placeholder(kind: str, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if kind == "email":
        return is_email(value)
    if kind == "jwt":
        return is_jwt(value)
    return bool(value)  # a secret's placeholder stands for any non-empty string


def _number_kind(value: int | float) -> str | None:
    if _EPOCH_S[0] <= value < _EPOCH_S[1]:
        return "epoch-s"
    if _EPOCH_MS[0] <= value < _EPOCH_MS[1]:
        return "epoch-ms"
    return None


def value_kind(value: Any) -> str | None:
    """The kind of a value that differs on every run (``"uuid"``, ``"timestamp"``, ``"jwt"``,
    ``"ulid"``, ``"hex-id"``, ``"epoch-s"``…), or None for an ordinary value.

    Durations are not a kind on their own (``"30 min"`` may be content): they compare by kind
    only under a timing field name (``same_kind``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _number_kind(value)
    if not isinstance(value, str) or len(value) > _MAX_LEN or len(value) < 2:
        return None
    first = value[0]
    if first.isdigit():
        if is_date(value):
            return "date"
        if _TIMESTAMP.fullmatch(value):
            return "timestamp"
        digits = value.isdigit() and value.isascii() and 10 <= len(value) <= 13
        if digits and _number_kind(int(value)) is not None:
            return "epoch-string"
    if is_uuid(value):
        return "uuid"
    if is_jwt(value):
        return "jwt"
    if first in "MTWFS" and _HTTP_DATE.fullmatch(value):
        return "http-date"
    if is_ulid(value):
        return "ulid"
    if is_hex_id(value):
        return "hex-id"
    return None


def same_kind(before: Any, after: Any, field_name: str | None = None) -> bool:
    """Do two values differ only as values of one kind do (so replay compares them by kind)?

    True for two ids/times/durations of the same kind, a redaction placeholder and a live value
    of the kind it stands for, and two numbers (or two duration texts) under a timing field name.
    """
    kind = value_kind(before)
    if kind is not None and kind == value_kind(after):
        return True
    stands_for = placeholder_kind(before) or placeholder_kind(after)
    if stands_for is not None:
        live = after if placeholder_kind(before) else before
        return _fits_placeholder(stands_for, live)
    if field_name is not None and is_timing_field(field_name):
        numbers = all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in (before, after)
        )
        return numbers or all(isinstance(v, str) and is_duration_text(v) for v in (before, after))
    return False


def normalize_kinds(value: Any) -> Any:
    """A copy of a JSON value with every value of a kind replaced by ``"<kind>"``."""
    if isinstance(value, dict):
        return {k: normalize_kinds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize_kinds(v) for v in value]
    kind = value_kind(value)
    return f"<{kind}>" if kind else value

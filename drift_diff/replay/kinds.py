"""Kinds of dynamic values: ids and times that differ on every run but keep their *kind*.

Replay compares such values by kind (a UUID still a UUID, an ISO timestamp still an ISO
timestamp) instead of by value, and the mock server's relaxed stage matches request bodies whose
only differences are values of the same kind. Detection is by format, never by field name (peers
that keyed on the last path segment fought false positives one name at a time).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["dynamic_kind", "normalize_dynamic"]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX_ID = re.compile(r"[0-9a-f]{32}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HTTP_DATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} GMT"
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")

# Epoch numbers within 2001-09-09 .. 2096-10-02: wide enough for real data, narrow enough that
# small counters and prices are never mistaken for times.
_EPOCH_S = (1_000_000_000, 4_000_000_000)
_EPOCH_MS = (1_000_000_000_000, 4_000_000_000_000)


def dynamic_kind(value: Any) -> str | None:
    """The kind of a dynamic value (``"uuid"``, ``"datetime"``, ``"jwt"``, …) or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if _EPOCH_S[0] <= value < _EPOCH_S[1]:
            return "epoch-s"
        if _EPOCH_MS[0] <= value < _EPOCH_MS[1]:
            return "epoch-ms"
        return None
    if not isinstance(value, str) or len(value) > 4096:
        return None
    if _UUID.fullmatch(value):
        return "uuid"
    if _DATETIME.fullmatch(value):
        return "datetime"
    if _DATE.fullmatch(value):
        return "date"
    if _JWT.fullmatch(value):
        return "jwt"
    if _HTTP_DATE.fullmatch(value):
        return "http-date"
    if _HEX_ID.fullmatch(value):
        return "hex-id"
    if _ULID.fullmatch(value):
        return "ulid"
    if value.isdigit() and 10 <= len(value) <= 13:
        number = int(value)
        if _EPOCH_S[0] <= number < _EPOCH_S[1] or _EPOCH_MS[0] <= number < _EPOCH_MS[1]:
            return "epoch-string"
    return None


def normalize_dynamic(value: Any) -> Any:
    """A copy of a JSON value with every dynamic value replaced by ``"<kind>"``."""
    if isinstance(value, dict):
        return {k: normalize_dynamic(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize_dynamic(v) for v in value]
    kind = dynamic_kind(value)
    return f"<{kind}>" if kind else value

"""Model types that the pipeline stages exchange.

Stages talk through these types, never through each other's internals:

* ``Exchange`` — one inbound request/response plus the outbound calls made while serving it.
  It is a thin, typed view over the JSON line of the exchange format
  (``schemas/exchange.schema.json``);
  ``Exchange.raw`` is the line's dict, the single source of truth.
* ``Baseline`` / ``Endpoint`` — the learned contract (``schemas/baseline.schema.json``).
* ``Change`` / ``Severity`` — findings of a diff or a replay. Data, never exceptions.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from driftdiff_sdk.exchange import EXCHANGE_FORMAT

__all__ = [
    "BASELINE_FORMAT",
    "EXCHANGE_FORMAT",
    "FAIL_ON",
    "Baseline",
    "Change",
    "Direction",
    "Endpoint",
    "Exchange",
    "Message",
    "Severity",
    "endpoint_key",
    "fail_on_threshold",
    "fails_at",
    "split_endpoint_key",
]

#: Format tag written in every baseline file. The reader refuses another major version.
BASELINE_FORMAT = "driftdiff.baseline/1"

JSON = Any  # a decoded JSON value


class Severity(str, enum.Enum):
    """How much a finding matters to a consumer; ordered ``INFO < WARNING < BREAKING``."""

    INFO = "info"
    WARNING = "warning"
    BREAKING = "breaking"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.BREAKING: 2}

#: what ``fail-on`` accepts (the CLI's ``--fail-on``, the Action's input): a severity — fail on a
#: finding at it or above — or ``none``, never fail on findings
FAIL_ON = ("breaking", "warning", "info", "none")


def fail_on_threshold(value: str) -> Severity | None:
    """The severity a ``fail-on`` value names, in any case; ``None`` for ``none``.

    Raises ``ValueError`` for anything else (the caller words the error for its input)."""
    low = value.strip().lower()
    if low not in FAIL_ON:
        raise ValueError(value)
    return None if low == "none" else Severity(low)


def fails_at(counts: Mapping[str, int], threshold: Severity | None) -> bool:
    """Whether findings counted per severity value (``{"breaking": 1, ...}``) reach
    ``threshold`` (never when it is ``None``)."""
    return threshold is not None and any(
        counts.get(s.value, 0) > 0 for s in Severity if s >= threshold
    )


class Direction(str, enum.Enum):
    """Which side of the contract a rule looks at: what the server accepts or what it gives."""

    REQUEST = "request"
    RESPONSE = "response"
    ENDPOINT = "endpoint"


def endpoint_key(method: str, template: str) -> str:
    """``"GET /orders/{order_id}"`` — the key of an endpoint in a baseline."""
    return f"{method.upper()} {template}"


def split_endpoint_key(key: str) -> tuple[str, str]:
    method, _, template = key.partition(" ")
    return method, template


@dataclass(frozen=True, slots=True)
class Message:
    """A request or a response of an exchange, as a view over its dict in the trace line."""

    raw: dict[str, Any]

    @property
    def headers(self) -> dict[str, list[str]]:
        return self.raw.get("headers") or {}

    @property
    def content_type(self) -> str | None:
        ct = self.raw.get("content_type")
        return ct if isinstance(ct, str) else None

    @property
    def has_json_body(self) -> bool:
        return "body" in self.raw

    @property
    def body(self) -> JSON:
        """The JSON body (``None`` when absent — check ``has_json_body`` to tell ``null`` apart)."""
        return self.raw.get("body")

    @property
    def body_text(self) -> str | None:
        return self.raw.get("body_text")

    @property
    def body_b64(self) -> str | None:
        return self.raw.get("body_b64")

    @property
    def truncated(self) -> bool:
        return bool(self.raw.get("truncated", False))


@dataclass(frozen=True, slots=True)
class Exchange:
    """One inbound request/response and its outbound calls. ``raw`` is the trace line's dict."""

    raw: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.raw.get("id", ""))

    @property
    def service(self) -> str:
        return str(self.raw.get("service") or "")

    @property
    def source(self) -> str:
        return str(self.raw.get("source") or "")

    @property
    def route(self) -> str | None:
        r = self.raw.get("route")
        return r if isinstance(r, str) and r else None

    @property
    def method(self) -> str:
        return str(self.raw["request"]["method"]).upper()

    @property
    def path(self) -> str:
        return str(self.raw["request"]["path"])

    @property
    def query(self) -> dict[str, list[str]]:
        return self.raw["request"].get("query") or {}

    @property
    def request(self) -> Message:
        return Message(self.raw["request"])

    @property
    def response(self) -> Message:
        return Message(self.raw["response"])

    @property
    def status(self) -> int:
        return int(self.raw["response"]["status"])

    @property
    def outbound(self) -> list[dict[str, Any]]:
        return self.raw.get("outbound") or []


@dataclass(slots=True)
class Endpoint:
    """One ``METHOD /template`` entry of a baseline (see ``schemas/baseline.schema.json``)."""

    method: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return endpoint_key(self.method, self.template)

    @property
    def samples(self) -> int:
        return int(self.data.get("samples", 0))


@dataclass(slots=True)
class Baseline:
    """A learned (or imported) contract: ``endpoints`` keyed ``METHOD /template``.

    ``endpoints`` values are the JSON objects of the baseline file (documented in
    ``schemas/baseline.schema.json``); ``Endpoint`` gives a typed view of one.
    """

    service: str
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)
    format: str = BASELINE_FORMAT
    #: named schemas reference nodes (``{"x-ref": name}``) stand for, converted once each
    #: (OpenAPI imports only; in memory, never written: the diff resolves them lazily)
    refs: dict[str, Any] = field(default_factory=dict)

    def endpoint(self, key: str) -> Endpoint:
        method, template = split_endpoint_key(key)
        return Endpoint(method, template, self.endpoints[key])

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "service": self.service,
            "sources": self.sources,
            "endpoints": self.endpoints,
        }


@dataclass(frozen=True, slots=True)
class Change:
    """A finding: one rule that fired at one place, with the evidence for it."""

    rule: str
    severity: Severity
    endpoint: str
    location: str
    message: str
    before: JSON = None
    after: JSON = None
    evidence: str = ""

    @property
    def fingerprint(self) -> str:
        """Stable short id (rule + endpoint + location) that ignore lists and PR comments cite."""
        text = f"{self.rule}\x00{self.endpoint}\x00{self.location}"
        # surrogatepass: a lone surrogate from a hostile field name must not crash a report
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "endpoint": self.endpoint,
            "location": self.location,
            "before": self.before,
            "after": self.after,
            "message": self.message,
            "evidence": self.evidence,
            "fingerprint": self.fingerprint,
        }

r"""Model types that the pipeline stages exchange.

Stages talk through these types, never through each other's internals:

* ``ExchangeRecord`` — one inbound request/response plus the outbound calls made while serving
  it: the JSON line of the exchange format (``schemas/exchange.schema.json``) as a
  ``TypedDict`` (``drift_diff/records.py``, checked against the schema by a test).
* ``Baseline`` / ``Endpoint`` — the learned contract (``schemas/baseline.schema.json``); its
  endpoints are ``EndpointRecord``\ s, ``to_dict`` gives the file's ``BaselineRecord``.
* ``Change`` / ``Severity`` — findings of a diff or a replay. Data, never exceptions.
* ``DiffResult`` — the findings of one diff or check after the configuration (what the
  renderers render); ``DiffSide`` / ``SideKind`` — a contract and what kind of input it was
  read from (``drift_diff.contracts`` loads them).
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from driftdiff_sdk.exchange import EXCHANGE_FORMAT

from drift_diff.records import BaselineRecord, EndpointRecord, ExchangeRecord

__all__ = [
    "BASELINE_FORMAT",
    "EXCHANGE_FORMAT",
    "FAIL_ON",
    "Baseline",
    "BaselineRecord",
    "Change",
    "DiffResult",
    "DiffSide",
    "Direction",
    "Endpoint",
    "EndpointRecord",
    "ExchangeRecord",
    "IgnoredChange",
    "Severity",
    "SideKind",
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


@dataclass(slots=True)
class Endpoint:
    """One ``METHOD /template`` entry of a baseline (see ``schemas/baseline.schema.json``)."""

    method: str
    template: str
    data: EndpointRecord

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
    endpoints: dict[str, EndpointRecord] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    format: str = BASELINE_FORMAT
    #: named schemas reference nodes (``{"x-ref": name}``) stand for, converted once each
    #: (OpenAPI imports only; in memory, never written: the diff resolves them lazily)
    refs: dict[str, Any] = field(default_factory=dict)

    def endpoint(self, key: str) -> Endpoint:
        method, template = split_endpoint_key(key)
        return Endpoint(method, template, self.endpoints[key])

    def to_dict(self) -> BaselineRecord:
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


class SideKind(str, enum.Enum):
    """What a diff side was read from."""

    BASELINE = "baseline"
    OPENAPI = "openapi"
    #: HAR, trace files/folders, replay output: observations, not a contract
    TRAFFIC = "traffic"


@dataclass(frozen=True, slots=True)
class DiffSide:
    """One side of a diff: the contract it reads as, and what kind of input it was."""

    baseline: Baseline
    kind: SideKind

    @property
    def is_traffic(self) -> bool:
        return self.kind is SideKind.TRAFFIC


@dataclass(frozen=True, slots=True)
class IgnoredChange:
    """A finding the configuration ignores, with the reason it gives."""

    change: Change
    reason: str


@dataclass(slots=True)
class DiffResult:
    """What a diff or a check found, after the configuration: what every renderer renders."""

    changes: list[Change] = field(default_factory=list)
    ignored: list[IgnoredChange] = field(default_factory=list)
    #: notes for the reader, e.g. ignores that expired and no longer apply
    expired_ignores: list[str] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for c in self.changes if c.severity is severity)

    @property
    def summary(self) -> dict[str, int]:
        return {
            s.value: self.count(s) for s in (Severity.BREAKING, Severity.WARNING, Severity.INFO)
        }

    def fails(self, threshold: Severity) -> bool:
        """True when a change at or above ``threshold`` remains (after ignores)."""
        return any(c.severity >= threshold for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "changes": [c.to_dict() for c in self.changes],
            "ignored": [{**i.change.to_dict(), "reason": i.reason} for i in self.ignored],
            "notes": list(self.expired_ignores),
        }

"""The JSON records that cross stage boundaries, typed: exchange lines and baseline files.

``schemas/exchange.schema.json`` and ``schemas/baseline.schema.json`` describe these files for
validation and for users; the ``TypedDict``\\ s here describe the same objects for mypy, so a
renamed or misspelt field is a type error in every stage that reads it
(``tests/unit/test_records.py`` checks both descriptions agree: every schema property is a key
here, and the schema's ``required`` are exactly the required keys).

The stages pass them along: the trace reader yields ``ExchangeRecord``\\ s, inference consumes
them and builds a ``model.Baseline`` whose ``endpoints`` are ``EndpointRecord``\\ s, the
baseline writer and loader turn a ``Baseline`` into a ``BaselineRecord`` and back, and the diff
reads the ``EndpointRecord``\\ s of both sides. Readers validate against the schema first
(``traffic/traces.py``, ``baseline.py``), so the types are what a validated file holds.

Required keys are declared in a base class and optional ones in a ``total=False`` subclass
(``typing.Required`` is Python 3.11+; this package supports 3.10). Where the SDK (plain dicts,
stdlib-only) hands an exchange over, ``as_exchange`` is the one conversion. Embedded JSON Schemas
(a body's or a parameter set's learned schema) stay ``dict[str, Any]``: their keywords are
JSON Schema's, not ours.
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

__all__ = [
    "BaselineRecord",
    "BodyFields",
    "DeprecationRecord",
    "EndpointRecord",
    "ExchangeRecord",
    "MediaRecord",
    "Multimap",
    "OutboundRecord",
    "RequestBodyRecord",
    "RequestRecord",
    "ResponseContractRecord",
    "ResponseRecord",
    "as_exchange",
]

#: header and query maps: name → every value, in order
Multimap = dict[str, list[str]]
#: a JSON Schema 2020-12 object (with ``x-`` annotations in learned baselines)
SchemaObject = dict[str, Any]


# --------------------------------------------------------------------- exchange lines
class BodyFields(TypedDict, total=False):
    """The body of a request or response: at most one of ``body``/``body_text``/``body_b64``."""

    content_type: str | None
    truncated: bool
    size: int
    sha256: str
    body: Any
    body_layout: str | None
    body_text: str
    body_b64: str


class _RequestKeys(TypedDict):
    method: str
    path: str


class RequestRecord(_RequestKeys, BodyFields, total=False):
    """An exchange's request (``url`` is absolute for outbound HTTP calls)."""

    url: str | None
    query: Multimap
    headers: Multimap


class _ResponseKeys(TypedDict):
    status: int


class ResponseRecord(_ResponseKeys, BodyFields, total=False):
    """An exchange's response."""

    headers: Multimap


class _OutboundKeys(TypedDict):
    kind: str
    seq: int


class OutboundRecord(_OutboundKeys, total=False):
    """One call the service made while serving the request: HTTP, or a datastore command."""

    duration_ms: float | None
    request: RequestRecord
    response: ResponseRecord
    error: str | None
    command: Any
    result: Any


class _ExchangeKeys(TypedDict):
    format: str
    id: str
    source: str
    request: RequestRecord
    response: ResponseRecord


class ExchangeRecord(_ExchangeKeys, total=False):
    """One line of a trace file (``schemas/exchange.schema.json``)."""

    service: str | None
    recorded_at: str | None
    duration_ms: float | None
    route: str | None
    outbound: list[OutboundRecord]
    meta: dict[str, Any]


def as_exchange(line: dict[str, Any]) -> ExchangeRecord:
    """An exchange line that driftdiff's own code built (the HAR importer, the SDK's redactor,
    the replay runner) as the record it is: the one place a plain dict becomes a record.

    No copy and no check: the SDK, stdlib-only, builds and redacts exchanges as plain dicts;
    what it builds is pinned by the schema tests and by every reader's validation."""
    return cast(ExchangeRecord, line)


# --------------------------------------------------------------------- baseline files
class _MediaKeys(TypedDict):
    schema: SchemaObject | bool


class MediaRecord(_MediaKeys, total=False):
    """The body learned for one media type."""

    samples: int


class RequestBodyRecord(TypedDict, total=False):
    """An endpoint's request body: ``samples`` of the requests had one."""

    samples: int
    required: bool
    content: dict[str, MediaRecord]


class ResponseContractRecord(TypedDict, total=False):
    """What an endpoint answered with one status code."""

    samples: int
    content: dict[str, MediaRecord]
    headers: SchemaObject


class DeprecationRecord(TypedDict, total=False):
    """An endpoint's deprecation (``drift_diff.deprecation``): present means deprecated;
    ``samples`` = responses that carried a ``Deprecation``/``Sunset`` header (absent when a
    document declared it), ``sunset`` = the day it may be removed (``YYYY-MM-DD``)."""

    samples: int
    sunset: str


class _EndpointKeys(TypedDict):
    method: str
    path: str
    responses: dict[str, ResponseContractRecord]


class EndpointRecord(_EndpointKeys, total=False):
    """One ``METHOD /template`` of a baseline; parameter sets are object schemas."""

    samples: int
    path_params: SchemaObject
    query: SchemaObject
    headers: SchemaObject
    request: RequestBodyRecord
    deprecation: DeprecationRecord


class _BaselineKeys(TypedDict):
    format: str
    service: str
    endpoints: dict[str, EndpointRecord]


class BaselineRecord(_BaselineKeys, total=False):
    """A baseline file (``schemas/baseline.schema.json``)."""

    sources: dict[str, int]

"""What a replay run found: per-request outcomes and the findings (``Change``) they add up to.

Failure classes are kept apart: a request that failed (timeout, service gone) is
``replay-request-failed``; an outbound call with no recorded answer is ``replay-mock-not-found``;
a connection no instrumentation covered is ``replay-unpatched-dependency``; only exchanges free of
those are compared response against response, so a mock miss never shows up as a mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drift_diff.model import Change, Severity
from drift_diff.redaction import redact_change
from drift_diff.replay.aggregate import aggregate_changes
from drift_diff.replay.compare import CompareContext, compare_exchange
from drift_diff.replay.mockserver import MOCK_NOT_FOUND, UNPATCHED, MockEvent
from drift_diff.replay.noise import endpoint_of
from drift_diff.replay.rules import (
    RULE_MOCK_NOT_FOUND,
    RULE_REQUEST_FAILED,
    RULE_UNPATCHED_DEPENDENCY,
)

if TYPE_CHECKING:
    from drift_diff.replay.mockserver import MockStore

__all__ = ["ReplayRun", "RequestOutcome", "collect_findings"]

PASS, MISMATCH, MOCK_MISS, FAILED, SKIPPED = (
    "pass",
    "mismatch",
    "mock-not-found",
    "failed",
    "skipped",
)


@dataclass
class RequestOutcome:
    """One replayed request: what was recorded, what came back, what was found."""

    exchange_id: str
    endpoint: str
    method: str
    path: str
    recorded_status: int
    live_status: int | None = None
    duration_ms: float = 0.0
    error: str | None = None
    skipped: str | None = None
    events: list[MockEvent] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @classmethod
    def for_exchange(cls, exchange: dict[str, Any]) -> RequestOutcome:
        request = exchange["request"]
        return cls(
            exchange_id=str(exchange.get("id", "")),
            endpoint=endpoint_of(exchange),
            method=str(request.get("method", "")).upper(),
            path=str(request.get("path", "")),
            recorded_status=int(exchange["response"]["status"]),
        )

    @property
    def result(self) -> str:
        if self.skipped:
            return SKIPPED
        if self.error:
            return FAILED
        if any(e.kind == MOCK_NOT_FOUND for e in self.events):
            return MOCK_MISS
        if self.events:
            return UNPATCHED
        if any(c.severity >= Severity.WARNING for c in self.changes):
            return MISMATCH
        return PASS

    @property
    def detail(self) -> str:
        if self.skipped:
            return self.skipped
        if self.error:
            return self.error
        if self.events:
            return self.events[0].message
        worst = max(self.changes, key=lambda c: c.severity.rank, default=None)
        if worst is None or worst.severity < Severity.WARNING:
            return ""
        more = len([c for c in self.changes if c.severity >= Severity.WARNING]) - 1
        return worst.message + (f" (+{more} more)" if more > 0 else "")


@dataclass
class ReplayRun:
    """The result of ``run_replay``: outcomes in recorded order, live exchanges, findings."""

    target: str
    outcomes: list[RequestOutcome]
    live: list[dict[str, Any]]
    service_exit: str | None = None
    elapsed_s: float = 0.0
    mock_lookups: int = 0
    changes: list[Change] = field(default_factory=list)
    service_events: list[MockEvent] = field(default_factory=list)
    out_file: Path | None = None
    #: exchange id → where a second live answer differed from the first (``second_answer``)
    unstable: dict[str, frozenset[str]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {PASS: 0, MISMATCH: 0, MOCK_MISS: 0, UNPATCHED: 0, FAILED: 0, SKIPPED: 0}
        for outcome in self.outcomes:
            out[outcome.result] = out.get(outcome.result, 0) + 1
        return out


def _event_change(event: MockEvent, endpoint: str) -> Change:
    evidence = f"exchange {event.exchange_id}" if event.exchange_id else "outside any exchange"
    if event.kind == MOCK_NOT_FOUND:
        return Change(
            RULE_MOCK_NOT_FOUND,
            Severity.BREAKING,
            endpoint,
            f"outbound {event.call}",
            event.message,
            evidence=evidence,
        )
    where = event.message.rsplit("connect to ", 1)[-1] if "connect to " in event.message else ""
    return Change(
        RULE_UNPATCHED_DEPENDENCY,
        Severity.BREAKING,
        endpoint,
        f"outbound connect {where}".rstrip(),
        event.message,
        evidence=evidence,
    )


def collect_findings(
    run: ReplayRun, recorded: dict[str, dict[str, Any]], store: MockStore, ctx: CompareContext
) -> None:
    """Fill ``outcome.changes`` and ``run.changes`` (aggregated over exchanges)."""
    live_by_id = {str(e.get("id")): e for e in run.live}
    everything: list[Change] = []
    for outcome in run.outcomes:
        outcome.events = store.events(outcome.exchange_id)
        if outcome.skipped:
            continue
        if outcome.error:
            outcome.changes = [
                Change(
                    RULE_REQUEST_FAILED,
                    Severity.BREAKING,
                    outcome.endpoint,
                    "request",
                    f"{outcome.method} {outcome.path}: {outcome.error}",
                    before=outcome.recorded_status,
                    evidence=f"exchange {outcome.exchange_id}",
                )
            ]
        elif outcome.events:
            outcome.changes = [_event_change(e, outcome.endpoint) for e in outcome.events]
        else:
            live = live_by_id.get(outcome.exchange_id)
            if live is not None:
                outcome.changes = compare_exchange(
                    recorded[outcome.exchange_id],
                    live,
                    ctx,
                    run.unstable.get(outcome.exchange_id, frozenset()),
                )
        outcome.changes = [redact_change(c) for c in outcome.changes]  # live values
        everything.extend(outcome.changes)
    known = {o.exchange_id for o in run.outcomes}
    run.service_events = [e for e in store.all_events() if e.exchange_id not in known]
    everything.extend(redact_change(_event_change(e, "(service)")) for e in run.service_events)
    run.changes = aggregate_changes(everything)

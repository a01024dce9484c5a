"""One case per replay rule: a recorded exchange and what replaying it gave, judged by the real
comparison (``compare_exchange``) or the real findings collector over a real ``MockStore``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift_diff.model import Change
from drift_diff.replay.compare import CompareContext, compare_exchange
from drift_diff.replay.findings import ReplayRun, RequestOutcome, collect_findings
from drift_diff.replay.mockserver import MockStore


def _exchange(
    body: Any, *, status: int = 200, ct: str = "application/json", **headers: str
) -> dict[str, Any]:
    return {
        "id": "e1",
        "route": "/orders/{id}",
        "request": {
            "method": "GET",
            "path": "/orders/1",
            "query": {},
            "url": "http://api.example:8000/orders/1",
            "headers": {},
        },
        "response": {"status": status, "headers": dict(headers), "content_type": ct, "body": body},
    }


def _compared(before: dict[str, Any], after: dict[str, Any]) -> Callable[[], list[Change]]:
    return lambda: compare_exchange(before, after)


def _collected(
    *, error: str | None = None, store_messages: tuple[dict[str, Any], ...] = ()
) -> Callable[[], list[Change]]:
    def run() -> list[Change]:
        recorded = _exchange({"id": 1})
        store = MockStore([recorded])
        for message in store_messages:
            store.handle(message)
        outcome = RequestOutcome.for_exchange(recorded)
        outcome.error = error
        live = [] if error else [_exchange({"id": 1})]
        replay = ReplayRun(target="http://127.0.0.1:1", outcomes=[outcome], live=live)
        collect_findings(replay, {"e1": recorded}, store, CompareContext())
        return replay.changes

    return run


_CALL = {
    "kind": "http",
    "request": {"method": "GET", "url": "http://payments.local/charge", "headers": {}},
}

#: replay rule id → what produces its finding (and nothing else)
REPLAY_CASES: dict[str, Callable[[], list[Change]]] = {
    "replay-status-changed": _compared(_exchange({"id": 1}), _exchange({"id": 1}, status=500)),
    "replay-content-type-changed": _compared(_exchange("a"), _exchange("a", ct="application/xml")),
    "replay-field-missing": _compared(_exchange({"id": 1, "n": 2}), _exchange({"id": 1})),
    "replay-type-changed": _compared(_exchange({"id": 1}), _exchange({"id": "1"})),
    "replay-value-changed": _compared(
        _exchange({"id": 1, "name": "a"}), _exchange({"id": 1, "name": "b"})
    ),
    "replay-field-added": _compared(_exchange({"id": 1}), _exchange({"id": 1, "n": 2})),
    "replay-header-missing": _compared(
        _exchange({"id": 1}, **{"X-Total-Count": "3"}), _exchange({"id": 1})
    ),
    "replay-array-emptied": _compared(_exchange({"items": [1]}), _exchange({"items": []})),
    "replay-mock-not-found": _collected(
        store_messages=({"op": "lookup", "exchange": "e1", "call": _CALL},)
    ),
    "replay-unpatched-dependency": _collected(
        store_messages=(
            {"op": "report", "exchange": "e1", "message": "tried to connect to 10.0.0.9:5432"},
        )
    ),
    "replay-request-failed": _collected(error="timed out after 5 s"),
}

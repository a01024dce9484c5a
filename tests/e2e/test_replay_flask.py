"""Record a Flask (WSGI, requests) service with its upstream up, replay it with it stopped."""

from __future__ import annotations

import pytest

from tests.e2e.apps.harness import (
    Recording,
    findings,
    listener_on,
    record,
    reported_rules,
)

pytestmark = pytest.mark.e2e

FLASK_TRAFFIC: list[tuple[str, str, object]] = [
    ("GET", "/health", None),
    ("GET", "/orders/1", None),
    ("GET", "/orders/2", None),
    ("GET", "/prices?currency=EUR", None),
    ("POST", "/orders", {"sku": "sku-1", "qty": 2}),
]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    return record("flask", tmp_path_factory.mktemp("flask"), FLASK_TRAFFIC)


def test_own_build_passes_check_with_upstream_stopped(recording: Recording) -> None:
    with listener_on(recording.upstream_port) as upstream:
        result = recording.replay("--fail-on", "warning", "--format", "json", command="check")
    assert result.code == 0, result.stdout + result.stderr
    assert findings(result)["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    assert "6 pass" in result.stderr  # FLASK_TRAFFIC + the readiness poll
    assert upstream.accepted == 0


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("field-removed", {"replay-field-missing"}),
        ("type-changed", {"replay-type-changed"}),
        ("status-changed", {"replay-status-changed"}),
        ("new-call", {"replay-mock-not-found"}),
    ],
)
def test_changed_build_fails_check(recording: Recording, variant: str, expected: set[str]) -> None:
    result = recording.replay(
        "--fail-on-breaking", "--format", "json", command="check", variant=variant
    )
    assert result.code == 1, result.stdout + result.stderr
    assert expected <= reported_rules(result)

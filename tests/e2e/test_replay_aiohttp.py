"""Record an aiohttp server (its own runner, aiohttp client calls) with its upstream up, replay
it with the upstream stopped: zero findings; a changed build fails with the named rule."""

from __future__ import annotations

import json

import pytest

from tests.e2e import planted
from tests.e2e.apps.harness import (
    Recording,
    assert_secrets_kept_out,
    findings,
    listener_on,
    record,
    reported_rules,
)

pytestmark = pytest.mark.e2e

TRAFFIC: list[tuple[str, str, object]] = [
    ("GET", "/health", None),
    ("GET", "/orders/1", None),
    ("GET", "/orders/2", None),
    ("GET", "/prices?currency=EUR", None),
    ("POST", "/orders", {"sku": "sku-1", "qty": 2, "password": planted.FORM_PASSWORD}),
    ("GET", "/orders/2/lines", None),  # a StreamResponse written in pieces (chunked)
    ("POST", "/imports", {"orders": [{"sku": "sku-1"}, {"sku": "sku-2"}]}),  # read as a stream
]

#: Sent with every recorded request: planted secrets in a header and in a body's field.
HEADERS = {"Authorization": f"Bearer {planted.BEARER}"}
SECRETS = [planted.BEARER, planted.FORM_PASSWORD]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    pytest.importorskip("aiohttp", reason="aiohttp not installed")
    return record("aiohttp", tmp_path_factory.mktemp("aiohttp"), TRAFFIC, headers=HEADERS)


def test_recorded_with_route_templates_and_outbound_calls(recording: Recording) -> None:
    lines = [
        json.loads(line)
        for f in sorted(recording.traces.glob("*.jsonl"))
        for line in f.read_text().splitlines()
    ]
    routes = {ex["request"]["path"]: ex["route"] for ex in lines}
    assert routes["/orders/1"] == "/orders/{order_id}"
    order = next(ex for ex in lines if ex["request"]["path"] == "/orders/2")
    assert [call["kind"] for call in order["outbound"]] == ["http"]
    streamed = next(ex for ex in lines if ex["request"]["path"] == "/orders/2/lines")
    assert streamed["route"] == "/orders/{order_id}/lines"
    assert [line["n"] for line in streamed["response"]["body"]["lines"]] == [0, 1]
    imported = next(ex for ex in lines if ex["request"]["path"] == "/imports")
    assert imported["request"]["body"] == {"orders": [{"sku": "sku-1"}, {"sku": "sku-2"}]}
    assert imported["response"]["body"] == {"imported": 2}


def test_planted_secrets_in_headers_and_bodies_never_reach_the_trace(
    recording: Recording,
) -> None:
    assert_secrets_kept_out(recording, SECRETS)


def test_own_build_passes_check_with_upstream_stopped(recording: Recording) -> None:
    with listener_on(recording.upstream_port) as upstream:
        result = recording.replay("--fail-on", "warning", "--format", "json", command="check")
    assert result.code == 0, result.stdout + result.stderr
    assert findings(result)["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    assert upstream.accepted == 0


@pytest.mark.parametrize(
    ("variant", "expected"),
    [("type-changed", {"replay-type-changed"}), ("new-call", {"replay-mock-not-found"})],
)
def test_changed_build_fails_check(recording: Recording, variant: str, expected: set[str]) -> None:
    with listener_on(recording.upstream_port) as upstream:
        result = recording.replay(
            "--fail-on-breaking", "--format", "json", command="check", variant=variant
        )
    assert result.code == 1, result.stdout + result.stderr
    assert expected <= reported_rules(result)
    assert upstream.accepted == 0
    if variant == "new-call":  # the unrecorded call is named by its method and URL
        changes = findings(result)["changes"]
        assert isinstance(changes, list)
        missing = [c for c in changes if c["rule"] == "replay-mock-not-found"]
        assert len(missing) == 1, changes
        call = f"no recorded GET http://127.0.0.1:{recording.upstream_port}/fees"
        assert call in str(missing[0]["message"])

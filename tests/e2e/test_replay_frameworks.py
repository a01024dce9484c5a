"""Litestar (uvicorn), Sanic (its own server) and Falcon (WSGI under gunicorn; ASGI under
uvicorn in CI's heavy pass), and the shop behind Starlette ``Mount``s and FastAPI router prefixes
(uvicorn, heavy): one harness, each framework a real server process. Record with the
upstream up, then ``driftdiff check`` with the upstream stopped: no finding, endpoints keyed by
the framework's route templates; a changed response fails with its named rule; an unrecorded
outbound call is named."""

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

#: harness app name -> the framework's package
FRAMEWORKS = {
    "litestar": "litestar",
    "sanic": "sanic",
    "falcon": "falcon",
    "falcon-asgi": "falcon",
    "starlette-mounts": "starlette",
    "fastapi-prefixes": "fastapi",
}
#: Where the mounted shops serve each route: a Mount / router prefix, nested for the prices.
PREFIXED = {"/orders": "/v1/orders", "/prices": "/v1/quotes/prices"}

TRAFFIC: list[tuple[str, str, object]] = [
    ("GET", "/health", None),
    ("GET", "/orders/1", None),
    ("GET", "/orders/2", None),
    ("GET", "/prices?currency=EUR", None),
    ("POST", "/orders", {"sku": "sku-1", "qty": 2, "password": planted.FORM_PASSWORD}),
]

ENDPOINTS = {"GET /health", "GET /orders/{order_ref}", "POST /orders", "GET /prices"}


def at(app: str, path: str) -> str:
    """``path`` (or ``METHOD path``) where ``app`` serves it."""
    method, _, rest = path.rpartition(" ")
    if app in ("starlette-mounts", "fastapi-prefixes"):
        head = next((p for p in PREFIXED if rest == p or rest.startswith((p + "/", p + "?"))), "")
        rest = PREFIXED[head] + rest[len(head) :] if head else rest
    return f"{method} {rest}" if method else rest


#: Litestar in the README's run; the others with the heavy tests, which CI runs too: Sanic and
#: Falcon (their adapters' route templates and recording are in the README's run through
#: tests/integration/test_sdk_routes_more.py), Falcon's ASGI app (the same test through the
#: ASGI middleware), and the mounted shops (the same test on Starlette/FastAPI, whose
#: unprefixed shop is test_replay_fastapi)
PARAMS = [
    pytest.param(app, marks=[pytest.mark.heavy] if app != "litestar" else [])
    for app in sorted(FRAMEWORKS)
]

#: Sent with every recorded request: planted secrets in a header and in a body's field.
HEADERS = {"Authorization": f"Bearer {planted.BEARER}"}
SECRETS = [planted.BEARER, planted.FORM_PASSWORD]


@pytest.fixture(scope="module", params=PARAMS)
def recording(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Recording:
    app = str(request.param)
    pytest.importorskip(FRAMEWORKS[app], reason=f"{FRAMEWORKS[app]} not installed")
    traffic = [(method, at(app, path), body) for method, path, body in TRAFFIC]
    return record(app, tmp_path_factory.mktemp(app), traffic, headers=HEADERS)


def test_endpoints_are_the_framework_route_templates(recording: Recording) -> None:
    lines = [
        json.loads(line)
        for f in sorted(recording.traces.glob("*.jsonl"))
        for line in f.read_text().splitlines()
    ]
    app = recording.app
    routes = {ex["request"]["path"]: ex["route"] for ex in lines}
    assert (
        routes[at(app, "/orders/1")]
        == routes[at(app, "/orders/2")]
        == at(app, "/orders/{order_ref}")
    )
    order = next(ex for ex in lines if ex["request"]["path"] == at(app, "/orders/2"))
    assert [call["kind"] for call in order["outbound"]] == ["http"]
    post = next(ex for ex in lines if ex["request"]["method"] == "POST")
    assert {k: post["request"]["body"][k] for k in ("sku", "qty")} == {"sku": "sku-1", "qty": 2}
    endpoints = set(json.loads(recording.baseline.read_text())["endpoints"])
    assert endpoints == {at(app, e) for e in ENDPOINTS}


def test_planted_secrets_in_headers_and_bodies_never_reach_the_trace(
    recording: Recording,
) -> None:
    assert_secrets_kept_out(recording, SECRETS)


def test_own_build_passes_check_with_upstream_stopped(recording: Recording) -> None:
    with listener_on(recording.upstream_port) as upstream:
        result = recording.replay("--fail-on", "warning", "--format", "json", command="check")
    assert result.code == 0, result.stdout + result.stderr
    assert findings(result)["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    recorded = sum(f.read_bytes().count(b"\n") for f in recording.traces.glob("*.jsonl"))
    assert recorded > len(TRAFFIC)  # + the readiness polls (one or more)
    assert f"replayed {recorded} request(s)" in result.stderr
    assert f": {recorded} pass" in result.stderr
    assert upstream.accepted == 0


def test_changed_response_fails_check_with_named_rule(recording: Recording) -> None:
    with listener_on(recording.upstream_port):
        result = recording.replay(
            "--fail-on-breaking", "--format", "json", command="check", variant="type-changed"
        )
    assert result.code == 1, result.stdout + result.stderr
    assert "replay-type-changed" in reported_rules(result)
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    assert {c["endpoint"] for c in changes} == {at(recording.app, "GET /orders/{order_ref}")}


def test_unrecorded_outbound_call_is_reported_by_name(recording: Recording) -> None:
    with listener_on(recording.upstream_port) as upstream:
        result = recording.replay(
            "--fail-on-breaking", "--format", "json", command="check", variant="new-call"
        )
    assert result.code == 1, result.stdout + result.stderr
    changes = findings(result)["changes"]
    assert isinstance(changes, list)
    assert {c["endpoint"] for c in changes} == {at(recording.app, "GET /prices")}
    # the app answers 500 without its mock: the status change is reported beside it
    missing = [c for c in changes if c["rule"] == "replay-mock-not-found"]
    assert len(missing) == 1, changes
    call = f"no recorded GET http://127.0.0.1:{recording.upstream_port}/fees"
    assert call in str(missing[0]["message"])
    assert upstream.accepted == 0

"""One HTTP vocabulary (``driftdiff_sdk.http_vocabulary``): each stage's header and method
decisions follow the shared sets, so they cannot drift apart again."""

from __future__ import annotations

from typing import Any

from driftdiff_sdk.http_vocabulary import (
    FRAMING,
    HOP_BY_HOP,
    PROTOCOL_NEGOTIATION,
    SAFE_METHODS,
    TRACE_CONTEXT,
)

from drift_diff.infer.messages import is_volatile_header
from drift_diff.replay.matching import RecordedCall, match_call
from drift_diff.replay.wire import build_request
from drift_diff.traffic.proxy_headers import forward_request_headers


def _call(method: str, **headers: str) -> dict[str, Any]:
    return {
        "kind": "http",
        "request": {
            "method": method,
            "url": "http://payments.local/charge",
            "headers": {k: [v] for k, v in headers.items()},
        },
        "response": {"status": 200},
    }


def test_inference_leaves_out_connection_framing_and_trace_headers() -> None:
    for name in HOP_BY_HOP | FRAMING | TRACE_CONTEXT:
        assert is_volatile_header(name), name
    assert not is_volatile_header("x-total-count") and not is_volatile_header("authorization")


def test_proxy_forwards_no_hop_by_hop_or_framing_header() -> None:
    sent = [(name.title(), "v") for name in sorted(HOP_BY_HOP | FRAMING)] + [("X-Keep", "1")]
    assert forward_request_headers(sent, "upstream:80") == [
        ("Host", "upstream:80"),
        ("X-Keep", "1"),
    ]


def test_replay_sends_the_recorded_connection_headers_but_not_negotiation_or_framing() -> None:
    names = sorted(PROTOCOL_NEGOTIATION | FRAMING | {"connection", "x-keep"})
    exchange = {"request": {"method": "GET", "path": "/", "headers": {n: ["v"] for n in names}}}
    sent = {name for name, _ in build_request(exchange, "http://t")[2]}
    assert sent == {"connection", "x-keep", "x-driftdiff-exchange-id"}


def test_outbound_matching_ignores_trace_context_and_repeats_safe_methods() -> None:
    recorded = [RecordedCall(0, _call("GET", traceparent="00-a-b-01", **{"x-b3-traceid": "a"}))]
    assert match_call(recorded, _call("GET", traceparent="00-c-d-01")).entry is not None
    assert "TRACE" in SAFE_METHODS  # RFC 9110 §9.2.1
    trace = [RecordedCall(0, _call("TRACE"))]
    assert match_call(trace, _call("TRACE")).entry is not None
    assert match_call(trace, _call("TRACE")).entry is not None  # a safe call may repeat
    post = [RecordedCall(0, _call("POST"))]
    assert match_call(post, _call("POST")).entry is not None
    assert match_call(post, _call("POST")).entry is None


def test_replay_tags_requests_with_the_header_the_sdk_takes_out() -> None:
    from driftdiff_sdk import replay
    from driftdiff_sdk.http_vocabulary import EXCHANGE_HEADER, EXCHANGE_HEADER_ENVIRON

    exchange = {"id": "e7", "request": {"method": "GET", "path": "/", "headers": {}}}
    assert (EXCHANGE_HEADER, "e7") in build_request(exchange, "http://t")[2]
    assert replay.EXCHANGE_HEADER == EXCHANGE_HEADER
    assert EXCHANGE_HEADER_ENVIRON == "HTTP_X_DRIFTDIFF_EXCHANGE_ID"

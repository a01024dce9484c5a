"""The replay mock server: matching stages, recorded order, repeats, explanations, the wire."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from driftdiff_sdk import replay as sdk_replay
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange

from drift_diff.replay.mockserver import MOCK_NOT_FOUND, UNPATCHED, MockServer, MockStore

UP = "http://payments.local:8001"


def call(
    method: str,
    path: str,
    *,
    body: Any = None,
    headers: dict[str, list[str]] | None = None,
    query: dict[str, list[str]] | None = None,
    origin: str = UP,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": method,
        "url": origin + path,
        "path": path,
        "query": query or {},
        "headers": headers or {},
    }
    if body is not None:
        request["body"] = body
        request["content_type"] = "application/json"
    return {"kind": "http", "request": request}


def entry(seq: int, req: dict[str, Any], status: int = 200, answer: Any = None) -> dict[str, Any]:
    return {**req, "seq": seq, "response": {"status": status, "body": answer}}


def store_of(*entries: dict[str, Any], exchange: str = "ex1") -> MockStore:
    return MockStore([{"id": exchange, "outbound": list(entries)}])


def test_exact_match_and_recorded_order_for_repeated_calls() -> None:
    charge = call("POST", "/charge", body={"amount": 5})
    store = store_of(entry(0, charge, answer={"n": 1}), entry(1, charge, answer={"n": 2}))
    first = store.lookup("ex1", charge)
    second = store.lookup("ex1", charge)
    assert first.entry is not None and first.entry["response"]["body"] == {"n": 1}
    assert first.stage == "exact"
    assert second.entry is not None and second.entry["response"]["body"] == {"n": 2}
    third = store.lookup("ex1", charge)
    assert third.entry is None
    assert "already used" in third.explanation and "recorded 2 times" in third.explanation
    assert [e.kind for e in store.events("ex1")] == [MOCK_NOT_FOUND]


def test_safe_call_repeated_more_than_recorded_replays_last_answer() -> None:
    get = call("GET", "/rates")
    store = store_of(entry(0, get, answer={"v": 1}))
    assert store.lookup("ex1", get).entry is not None
    again = store.lookup("ex1", get)
    assert again.entry is not None and again.repeated
    assert store.events("ex1") == []


def test_seq_decides_recorded_order_not_list_order() -> None:
    get = call("GET", "/rates")
    store = store_of(entry(1, get, answer="second"), entry(0, get, answer="first"))
    result = store.lookup("ex1", get)
    assert result.entry is not None and result.entry["response"]["body"] == "first"


def test_headers_are_ignored_in_the_second_stage() -> None:
    recorded = call("GET", "/rates", headers={"x-tenant": ["a"]})
    store = store_of(entry(0, recorded))
    result = store.lookup("ex1", call("GET", "/rates", headers={"x-tenant": ["b"]}))
    assert result.entry is not None and result.stage == "headers-ignored"


def test_exact_stage_prefers_the_call_with_the_same_headers() -> None:
    a = call("GET", "/rates", headers={"x-tenant": ["a"]})
    b = call("GET", "/rates", headers={"x-tenant": ["b"]})
    store = store_of(entry(0, a, answer="A"), entry(1, b, answer="B"))
    result = store.lookup("ex1", b)
    assert result.entry is not None and result.entry["response"]["body"] == "B"


def test_volatile_headers_do_not_count_in_the_exact_stage() -> None:
    recorded = call("GET", "/rates", headers={"user-agent": ["python-httpx/0.27"]})
    store = store_of(entry(0, recorded))
    result = store.lookup("ex1", call("GET", "/rates", headers={"user-agent": ["other"]}))
    assert result.stage == "exact"


def test_dynamic_body_values_match_by_kind() -> None:
    recorded = call(
        "POST",
        "/charge",
        body={
            "id": "6f1c3a0e-58a1-4a43-9f57-2b0b2f1e3a10",
            "at": "2024-05-01T10:00:00Z",
            "amount": 5,
        },
    )
    store = store_of(entry(0, recorded))
    live = call(
        "POST",
        "/charge",
        body={
            "id": "0b7e2f44-9c39-4c1f-8f0e-7f1d6a5b4c3d",
            "at": "2025-01-02T03:04:05.123+00:00",
            "amount": 5,
        },
    )
    result = store.lookup("ex1", live)
    assert result.entry is not None and result.stage == "dynamic-body"


def test_a_stable_body_value_never_matches_loosely() -> None:
    store = store_of(entry(0, call("POST", "/charge", body={"amount": 5})))
    result = store.lookup("ex1", call("POST", "/charge", body={"amount": 6}))
    assert result.entry is None
    assert "body differed" in result.explanation
    assert "method, host, path, query matched" in result.explanation


def test_explanation_names_the_closest_candidate_and_what_differed() -> None:
    store = store_of(entry(0, call("POST", "/charge")), entry(1, call("GET", "/rates")))
    result = store.lookup("ex1", call("POST", "/charges"))
    assert result.entry is None
    message = result.explanation
    assert message.startswith(f"no recorded POST {UP}/charges for exchange ex1")
    assert "found 2 recorded calls" in message
    assert "closest #1 (POST http://payments.local:8001/charge)" in message
    assert "method" in message and "path differed (/charge vs /charges)" in message


def test_host_and_query_are_matched() -> None:
    store = store_of(entry(0, call("GET", "/rates", query={"cur": ["EUR"]})))
    assert store.lookup("ex1", call("GET", "/rates", query={"cur": ["USD"]})).entry is None
    assert (
        store.lookup(
            "ex1", call("GET", "/rates", query={"cur": ["EUR"]}, origin="http://other:8001")
        ).entry
        is None
    )
    ok = store.lookup(
        "ex1", call("GET", "/rates", query={"cur": ["EUR"]}, origin="HTTP://Payments.local:8001")
    )
    assert ok.entry is not None


def test_default_port_is_normalised() -> None:
    store = store_of(entry(0, call("GET", "/x", origin="http://up")))
    assert store.lookup("ex1", call("GET", "/x", origin="http://up:80")).entry is not None


def test_unknown_exchange_and_exchange_without_outbound() -> None:
    store = MockStore([{"id": "quiet", "outbound": []}])
    unknown = store.lookup("nope", call("GET", "/x"))
    assert unknown.entry is None and "exchange nope is not in the recording" in unknown.explanation
    quiet = store.lookup("quiet", call("GET", "/x"))
    assert quiet.entry is None and "recorded no outbound calls" in quiet.explanation


def test_mocks_are_scoped_per_exchange() -> None:
    get = call("GET", "/rates")
    store = MockStore(
        [
            {"id": "a", "outbound": [entry(0, get, answer="A")]},
            {"id": "b", "outbound": [entry(0, get, answer="B")]},
        ]
    )
    b = store.lookup("b", get)
    a = store.lookup("a", get)
    assert a.entry is not None and a.entry["response"]["body"] == "A"
    assert b.entry is not None and b.entry["response"]["body"] == "B"


def test_non_http_kinds_match_by_command() -> None:
    redis = {"kind": "redis", "seq": 0, "command": ["GET", "k"], "result": "v"}
    store = MockStore([{"id": "ex1", "outbound": [redis]}])
    assert store.lookup("ex1", {"kind": "redis", "command": ["GET", "k"]}).entry is not None
    miss = store.lookup("ex1", {"kind": "redis", "command": ["GET", "other"]})
    assert miss.entry is None and "command differed" in miss.explanation
    miss = store.lookup("ex1", call("GET", "/x"))
    assert miss.entry is None and "recorded only redis calls" in miss.explanation


def test_handle_protocol_messages() -> None:
    store = store_of(entry(0, call("GET", "/x")))
    assert store.handle({"op": "ping"}) == {"ok": True}
    assert store.handle("junk")["ok"] is False
    assert store.handle({"op": "lookup"})["error"] == "bad-request"
    reply = store.handle({"op": "lookup", "exchange": "ex1", "call": call("GET", "/x")})
    assert reply["ok"] is True and reply["entry"]["seq"] == 0
    reply = store.handle({"op": "lookup", "exchange": "ex1", "call": call("GET", "/y")})
    assert reply == {"ok": False, "error": MOCK_NOT_FOUND, "message": reply["message"]}
    store.handle({"op": "report", "exchange": "ex1", "kind": UNPATCHED, "message": "m"})
    assert store.events("ex1")[-1].kind == UNPATCHED


# --- over the wire, with the SDK client and its socket guard ---------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[MockServer]:
    store = store_of(entry(0, call("GET", "/rates"), answer={"eur": 1.1}))
    server = MockServer(store, unix_path=str(tmp_path / "m.sock"), tcp=True)
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield server
    finally:
        sdk_replay.deactivate()
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


class _Config:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


def test_sdk_lookup_over_unix_socket(served: MockServer) -> None:
    sdk_replay.activate(_Config(mock_socket=served.unix_path, allow_ports=[1]))
    token = set_exchange(ExchangeContext("ex1", replay=True))
    try:
        got = sdk_replay.lookup(call("GET", "/rates"))
        assert got["response"]["body"] == {"eur": 1.1}
        with pytest.raises(sdk_replay.MockNotFound, match="path differed"):
            sdk_replay.lookup(call("GET", "/rate"))
    finally:
        reset_exchange(token)


def test_sdk_lookup_over_tcp_fallback(served: MockServer) -> None:
    assert served.tcp_addr is not None
    host, port = served.tcp_addr
    sdk_replay.activate(_Config(mock_addr=f"{host}:{port}", mock_socket=None, allow_ports=[1]))
    token = set_exchange(ExchangeContext("ex1", replay=True))
    try:
        assert sdk_replay.lookup(call("GET", "/rates"))["response"]["status"] == 200
    finally:
        reset_exchange(token)


def test_lookup_without_exchange_raises_mock_not_found(served: MockServer) -> None:
    sdk_replay.activate(_Config(mock_socket=served.unix_path, allow_ports=[1]))
    with pytest.raises(sdk_replay.MockNotFound, match="x-driftdiff-exchange-id"):
        sdk_replay.lookup(call("GET", "/rates"))


def test_socket_guard_blocks_and_reports_unlisted_loopback(served: MockServer) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    allowed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    allowed.bind(("127.0.0.1", 0))
    allowed.listen(5)
    allowed_port = allowed.getsockname()[1]
    sdk_replay.activate(_Config(mock_socket=served.unix_path, allow_ports=[allowed_port]))
    token = set_exchange(ExchangeContext("ex1", replay=True))
    try:
        with pytest.raises(sdk_replay.UnpatchedDependency, match=f"connect to 127.0.0.1:{port}"):
            socket.create_connection(("127.0.0.1", port), timeout=2)
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        assert probe.connect_ex(("127.0.0.1", port)) != 0
        probe.close()
        with socket.create_connection(("127.0.0.1", allowed_port), timeout=2):
            pass  # a port driftdiff listed (the service's own) stays reachable
    finally:
        reset_exchange(token)
        sdk_replay.deactivate()
    with pytest.raises(BlockingIOError):
        listener.accept()  # nothing ever reached the blocked port
    listener.close()
    allowed.close()
    events = served.store.events("ex1")
    assert [e.kind for e in events] == [UNPATCHED, UNPATCHED]
    assert events[0].message == f"unpatched dependency: connect to 127.0.0.1:{port}"

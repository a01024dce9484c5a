"""redis-py adapter against a real redis-server: record, then replay with the server stopped."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redis.asyncio
from driftdiff_sdk import replay, runtime
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange
from driftdiff_sdk.redact import Redactor

from drift_diff.replay.mockserver import MockStore
from tests.integration.servers import Server, redis_server, require

pytestmark = pytest.mark.integration
require("redis")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with redis_server() as srv:
        yield srv


@pytest.fixture(autouse=True)
def sdk(tmp_path: Any) -> Iterator[None]:
    runtime.init(mode="record", traces_dir=str(tmp_path / "traces"))
    yield
    runtime.shutdown()


def _workload(client: redis.Redis, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    client.delete(key, f"{key}:h", f"{key}:z")
    out["set"] = client.set(key, b"\xff\x00bin")
    out["get"] = client.get(key)
    out["hset"] = client.hset(f"{key}:h", mapping={"a": "1", "b": "two"})
    out["hgetall"] = client.hgetall(f"{key}:h")
    client.zadd(f"{key}:z", {"x": 1.5, "y": 2})
    out["zrange"] = client.zrange(f"{key}:z", 0, -1, withscores=True)
    out["incr"] = client.incr(f"{key}:n")
    with client.pipeline() as pipe:
        out["pipe"] = pipe.set(f"{key}:p", 1).get(f"{key}:p").execute()
    try:
        client.lpush(key, "x")  # WRONGTYPE
    except redis.ResponseError as exc:
        out["error"] = str(exc)
    out["get_again"] = client.get(key)
    return out


def _record(server: Server, exchange_id: str, key: str) -> tuple[ExchangeContext, dict[str, Any]]:
    ctx = ExchangeContext(exchange_id)
    token = set_exchange(ctx)
    try:
        got = _workload(redis.Redis(port=server.port), key)
    finally:
        reset_exchange(token)
    return ctx, got


def _as_recorded(exchange_id: str, ctx: ExchangeContext) -> dict[str, Any]:
    """What the writer puts on disk: redacted, JSON."""
    exchange = {"id": exchange_id, "outbound": ctx.outbound}
    recorded: dict[str, Any] = json.loads(json.dumps(Redactor().redact_exchange(exchange)))
    return recorded


def _use_store(monkeypatch: pytest.MonkeyPatch, store: MockStore) -> None:
    def lookup(call: dict[str, Any]) -> dict[str, Any]:
        ctx_id = replay._current_exchange_id() or ""
        result = store.lookup(ctx_id, json.loads(json.dumps(call)))
        if result.entry is None:
            raise replay.MockNotFound(result.explanation)
        return result.entry

    monkeypatch.setattr(replay, "lookup", lookup)
    monkeypatch.delenv("DRIFTDIFF_ALLOW_PORTS", raising=False)


def test_commands_are_recorded_on_their_exchange_in_order(server: Server) -> None:
    ctx, got = _record(server, "ex-1", "rec")
    assert got["get"] == b"\xff\x00bin" and got["hgetall"] == {b"a": b"1", b"b": b"two"}
    calls = ctx.outbound
    assert [c["seq"] for c in calls] == list(range(len(calls)))
    assert all(c["kind"] == "redis" and c["duration_ms"] >= 0 for c in calls)
    commands = [c["command"] for c in calls]
    assert ["SET", "rec", {"$b64": "/wBiaW4="}] in commands
    assert ["MULTI", ["SET", "rec:p", "1"], ["GET", "rec:p"]] in commands
    get = next(c for c in calls if c["command"] == ["GET", "rec"])
    assert get["result"] == {"$b64": "/wBiaW4="}
    hgetall = next(c for c in calls if c["command"][0] == "HGETALL")
    assert hgetall["result"] == {
        "$map": [[{"$bytes": "a"}, {"$bytes": "1"}], [{"$bytes": "b"}, {"$bytes": "two"}]]
    }
    error = next(c for c in calls if c["command"][0] == "LPUSH")
    assert error["error"].startswith("ResponseError: WRONGTYPE") and "result" not in error


def test_outside_an_exchange_nothing_is_recorded(server: Server) -> None:
    assert redis.Redis(port=server.port).ping() is True  # no exchange: plain pass-through


def test_auth_and_hello_secrets_never_recorded(server: Server) -> None:
    admin = redis.Redis(port=server.port)
    admin.acl_setuser(
        "alice", enabled=True, passwords=["+s3cret-pw"], keys=["*"], commands=["+@all"]
    )
    ctx = ExchangeContext("ex-auth")
    token = set_exchange(ctx)
    try:
        client = redis.Redis(port=server.port)
        assert client.auth("s3cret-pw", username="alice") is True
        client.execute_command("HELLO", 2, "AUTH", "alice", "s3cret-pw")
        client.execute_command("ACL", "SETUSER", "bob", "on", ">bob-s3cret-pw")
    finally:
        reset_exchange(token)
    commands = [c["command"] for c in ctx.outbound]
    assert commands[0] == ["AUTH", "[REDACTED]", "[REDACTED]"]
    assert commands[1] == ["HELLO", "2", "AUTH", "[REDACTED]", "[REDACTED]"]
    assert commands[2] == ["ACL", "SETUSER", "bob", "on", ">[REDACTED]"]
    assert "s3cret" not in json.dumps(_as_recorded("ex-auth", ctx))


def test_replay_answers_from_the_recording_with_the_server_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with redis_server() as own:  # a server of its own, stopped before replay
        ctx, live = _record(own, "ex-r", "rep")
        port = own.port
    store = MockStore([_as_recorded("ex-r", ctx)])
    _use_store(monkeypatch, store)
    replay.activate()
    replayed_ctx = ExchangeContext("ex-r", replay=True)
    token = set_exchange(replayed_ctx)
    try:
        with pytest.raises(replay.UnpatchedDependency):  # an uninstrumented Redis client
            socket.create_connection(("127.0.0.1", port), timeout=1)
        replayed = _workload(redis.Redis(port=port), "rep")
        assert redis.Redis(port=port).get("rep") == b"\xff\x00bin"  # a read repeats
        with pytest.raises(replay.MockNotFound, match=r"found \d+ recorded redis calls"):
            redis.Redis(port=port).incr("rep:n")  # a write is answered once only
        with pytest.raises(replay.MockNotFound, match="command differed"):
            redis.Redis(port=port).get("never-recorded")
    finally:
        reset_exchange(token)
        replay.deactivate()
    assert replayed == live
    assert replayed_ctx.outbound == []
    assert store.unused("ex-r") == []


def test_asyncio_client_records_and_replays(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def work() -> list[Any]:
        client = redis.asyncio.Redis(port=server.port, decode_responses=True)
        try:
            await client.set("async:k", "v")
            async with client.pipeline(transaction=False) as pipe:
                pipe.get("async:k").exists("async:k")
                piped = await pipe.execute()
            return [await client.get("async:k"), piped]
        finally:
            await client.aclose()

    def run(ctx: ExchangeContext) -> list[Any]:
        token = set_exchange(ctx)
        try:
            return asyncio.run(work())
        finally:
            reset_exchange(token)

    recorded = ExchangeContext("ex-a")
    live = run(recorded)
    assert live == ["v", ["v", 1]]
    assert [c["command"][0] for c in recorded.outbound] == ["SET", "PIPELINE", "GET"]
    _use_store(monkeypatch, MockStore([_as_recorded("ex-a", recorded)]))
    replay.activate()
    try:
        assert run(ExchangeContext("ex-a", replay=True)) == live
    finally:
        replay.deactivate()

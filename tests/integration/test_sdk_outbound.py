"""Outbound adapters against a real upstream process: record, then replay without network."""

from __future__ import annotations

import asyncio
import contextvars
import json
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
import requests
import urllib3
from driftdiff_sdk import outbound, replay, runtime
from driftdiff_sdk._record import materialize
from driftdiff_sdk.context import ExchangeContext, reset_exchange, set_exchange

from tests.integration.apps.harness import upstream
from tests.support import free_port

pytestmark = pytest.mark.integration


def _written(ctx: ExchangeContext) -> list[dict[str, Any]]:
    """The calls with their bodies encoded, as the writer thread does it (the request path
    keeps raw bytes only)."""
    calls: list[dict[str, Any]] = materialize({"outbound": list(ctx.outbound)})["outbound"]
    return calls


@pytest.fixture(scope="module")
def up() -> Iterator[str]:
    with upstream() as url:
        yield url


@pytest.fixture(autouse=True)
def sdk(tmp_path: Any) -> Iterator[None]:
    runtime.init(mode="record", traces_dir=str(tmp_path / "traces"))
    yield
    runtime.shutdown()


def _serve(ctx: ExchangeContext) -> Any:
    return set_exchange(ctx)


def _all_clients(base: str) -> dict[str, Any]:
    """One GET through each client library; returns the JSON each got."""
    out: dict[str, Any] = {}
    out["requests"] = requests.get(f"{base}/items/1", params={"tag": "r"}).json()
    out["httpx"] = httpx.get(f"{base}/items/2?tag=h").json()
    out["urllib3"] = json.loads(urllib3.PoolManager().request("GET", f"{base}/items/3?tag=u3").data)
    with urllib.request.urlopen(f"{base}/items/4?tag=ul") as resp:
        out["urllib"] = json.loads(resp.read())

    async def both() -> tuple[Any, Any]:
        async with httpx.AsyncClient() as client:
            a = (await client.get(f"{base}/items/5?tag=ha")).json()
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{base}/echo?tag=ai", json={"n": 6}) as r,
        ):
            b = await r.json()
        return a, b

    out["httpx_async"], out["aiohttp"] = asyncio.run(both())
    return out


def test_every_client_is_recorded_once_in_call_order(up: str) -> None:
    ctx = ExchangeContext("ex-1")
    token = _serve(ctx)
    try:
        got = _all_clients(up)
    finally:
        reset_exchange(token)
    assert got["requests"]["tag"] == "r" and got["aiohttp"]["received"] == {"n": 6}
    calls = _written(ctx)
    # requests runs on urllib3: still one entry per call the app made
    assert [c["seq"] for c in calls] == list(range(6))
    assert [c["request"]["query"]["tag"][0] for c in calls] == ["r", "h", "u3", "ul", "ha", "ai"]
    for call in calls:
        assert call["kind"] == "http" and call["duration_ms"] >= 0
        assert call["request"]["url"].startswith(up)
        assert call["response"]["status"] == 200
        assert call["response"]["truncated"] is False
        assert isinstance(call["response"]["body"], dict), call
    assert calls[5]["request"]["body"] == {"n": 6}
    assert calls[5]["request"]["method"] == "POST"


def test_outside_an_exchange_nothing_is_recorded(up: str) -> None:
    assert requests.get(f"{up}/items/1").status_code == 200  # no context: plain pass-through


def test_errors_binary_and_404_are_recorded(up: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    ctx = ExchangeContext("ex-2")
    token = _serve(ctx)
    try:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{dead}/x", timeout=2)
        assert httpx.get(f"{up}/binary").content == bytes(range(256))
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{up}/missing")
        assert json.loads(info.value.read()) == {"error": "not found"}
    finally:
        reset_exchange(token)
    err, binary, missing = _written(ctx)
    assert err["error"].startswith("ConnectionError") and "response" not in err
    assert "body_b64" in binary["response"]
    assert missing["response"]["status"] == 404
    assert missing["response"]["body"] == {"error": "not found"}


def test_streamed_bodies_are_left_to_the_app(up: str) -> None:
    ctx = ExchangeContext("ex-3")
    token = _serve(ctx)
    try:
        r = requests.get(f"{up}/items/9", stream=True)
        assert json.loads(b"".join(r.iter_content(7)))["id"] == "9"
        with httpx.stream("GET", f"{up}/items/10") as s:
            assert json.loads(s.read())["id"] == "10"
    finally:
        reset_exchange(token)
    calls = _written(ctx)
    assert [c["response"]["truncated"] for c in calls] == [True, True]
    assert all("body" not in c["response"] for c in calls)


def test_threads_with_copied_context_and_tasks_attach_to_their_exchange(up: str) -> None:
    results: dict[str, list[str]] = {}

    def serve(name: str) -> None:
        ctx = ExchangeContext(name)
        token = _serve(ctx)
        try:
            copied = contextvars.copy_context()
            worker = threading.Thread(
                target=copied.run,
                args=(lambda: requests.get(f"{up}/items/1", params={"tag": name}),),
            )
            worker.start()
            worker.join()

            async def fan() -> None:
                async with httpx.AsyncClient() as client:
                    await asyncio.gather(
                        *(
                            asyncio.create_task(client.get(f"{up}/items/{i}", params={"tag": name}))
                            for i in range(3)
                        )
                    )

            asyncio.run(fan())
        finally:
            reset_exchange(token)
        results[name] = [c["request"]["query"]["tag"][0] for c in ctx.outbound]

    servers = [threading.Thread(target=serve, args=(f"x{i}",)) for i in range(4)]
    for s in servers:
        s.start()
    for s in servers:
        s.join()
    assert results == {f"x{i}": [f"x{i}"] * 4 for i in range(4)}


def test_init_is_idempotent_and_uninstallable() -> None:
    patched = requests.Session.send
    runtime.init(mode="record")
    assert requests.Session.send is patched
    # the libraries this process has imported are patched; the others wait for their import
    imported = [name for name in outbound.ADAPTERS if outbound.TRIGGERS[name] in sys.modules]
    assert {"requests_adapter", "httpx_adapter", "aiohttp_adapter"} <= set(imported)
    assert outbound.installed() == sorted(imported)
    runtime.shutdown()
    assert requests.Session.send.__module__ == "requests.sessions"
    assert httpx.Client.send.__module__ == "httpx._client"
    assert outbound.installed() == []


def test_replay_answers_every_client_from_the_recording_without_network(
    up: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = ExchangeContext("ex-rec")
    token = _serve(recording)
    try:
        live = _all_clients(up)
    finally:
        reset_exchange(token)
    entries = {(c["request"]["method"], c["request"]["url"]): c for c in _written(recording)}
    asked: list[dict[str, Any]] = []

    def lookup(call: dict[str, Any]) -> dict[str, Any]:
        asked.append(call)
        key = (call["request"]["method"], call["request"]["url"])
        if key not in entries:
            raise replay.MockNotFound(f"no recorded {key}")
        return entries[key]

    monkeypatch.setattr(replay, "lookup", lookup)
    monkeypatch.delenv("DRIFTDIFF_ALLOW_PORTS", raising=False)
    replay.activate()  # the socket guard: any real connection now fails loudly
    replayed_ctx = ExchangeContext("ex-rec", replay=True)
    token = _serve(replayed_ctx)
    try:
        with pytest.raises(replay.UnpatchedDependency):
            __import__("socket").create_connection(("127.0.0.1", int(up.rsplit(":", 1)[1])))
        replayed = _all_clients(up)
        with pytest.raises(replay.MockNotFound):
            requests.get(f"{up}/never-recorded")
        entries[("GET", f"{up}/boom")] = {"kind": "http", "error": "ConnectError: refused"}
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{up}/boom")
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{up}/boom")
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(f"{up}/boom")
        with pytest.raises(urllib3.exceptions.MaxRetryError):
            urllib3.PoolManager().request("GET", f"{up}/boom")
    finally:
        reset_exchange(token)
        replay.deactivate()
    assert replayed == live
    assert len(asked) >= 6 and all(c["kind"] == "http" for c in asked)
    assert replayed_ctx.outbound == []  # replay records nothing


def test_replay_native_response_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = {
        "kind": "http",
        "response": {
            "status": 201,
            "headers": {
                "content-type": ["application/json"],
                "content-encoding": ["gzip"],
                "x-k": ["v"],
            },
            "body": {"ok": True},
            "content_type": "application/json",
            "truncated": False,
        },
    }
    monkeypatch.setattr(replay, "lookup", lambda call: entry)
    url = f"http://127.0.0.1:{free_port()}/thing"
    token = _serve(ExchangeContext("e", replay=True))
    try:
        r = requests.post(url, json={"a": 1})
        assert isinstance(r, requests.Response) and r.status_code == 201
        assert r.json() == {"ok": True} and r.headers["x-k"] == "v"
        h = httpx.get(url)
        assert isinstance(h, httpx.Response) and h.json() == {"ok": True}
        u3 = urllib3.PoolManager().request("GET", url)
        assert isinstance(u3, urllib3.HTTPResponse) and json.loads(u3.data) == {"ok": True}
        with urllib.request.urlopen(url) as ul:
            assert ul.status == 201 and json.loads(ul.read()) == {"ok": True}

        async def aio() -> Any:
            async with aiohttp.ClientSession() as session, session.get(url) as resp:
                assert resp.status == 201 and resp.headers["X-K"] == "v"
                return await resp.json()

        assert asyncio.run(aio()) == {"ok": True}
    finally:
        reset_exchange(token)

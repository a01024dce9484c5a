"""The mock server: recorded outbound calls, served per exchange to the SDK inside the service.

``MockStore`` holds the recorded outbound entries of every exchange with their used/unused state
and answers lookups through :mod:`drift_diff.replay.matching`; every miss and every connection
blocked by the SDK's socket guard is kept as a :class:`MockEvent` for the replay report.
``MockServer`` serves a store on a Unix socket (and optionally on a loopback TCP port) with the
newline-delimited JSON protocol of ``driftdiff_sdk.replay``. It runs on the replay's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from drift_diff.replay.matching import MatchResult, RecordedCall, describe_call, match_call

__all__ = ["CLOCKS", "MOCK_NOT_FOUND", "UNPATCHED", "MockEvent", "MockServer", "MockStore"]

#: ``replay.clock``: what the service's clock reads inside a replayed request (the SDK asks
#: with the ``clock`` op): the exchange's recorded arrival time plus elapsed time, or real time.
CLOCKS = ("recorded", "live")

MOCK_NOT_FOUND = "mock-not-found"
UNPATCHED = "unpatched-dependency"
_LINE_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class MockEvent:
    """Something the service asked for that the recording could not give."""

    exchange_id: str
    kind: str  # MOCK_NOT_FOUND | UNPATCHED
    message: str
    call: str = ""  # "GET http://payments.local/charge" for mock-not-found


class MockStore:
    """Recorded outbound calls per exchange id, with used/unused state (thread-safe), and each
    exchange's recorded arrival time for the service's clock."""

    def __init__(
        self, exchanges: Iterable[dict[str, Any]] = (), *, clock: str = "recorded"
    ) -> None:
        self.clock = clock
        self._calls: dict[str, list[RecordedCall]] = {}
        self._recorded_at: dict[str, str] = {}
        self._events: dict[str, list[MockEvent]] = {}
        self._lock = threading.Lock()
        self.lookups = 0
        for exchange in exchanges:
            self.add_exchange(exchange)

    def add_exchange(self, exchange: dict[str, Any]) -> None:
        outbound = exchange.get("outbound") or []
        ordered = sorted(
            (e for e in outbound if isinstance(e, dict)),
            key=lambda e: e.get("seq", 0) if isinstance(e.get("seq"), int) else 0,
        )
        self._calls[str(exchange.get("id", ""))] = [
            RecordedCall(i, entry) for i, entry in enumerate(ordered)
        ]
        recorded_at = exchange.get("recorded_at")
        if isinstance(recorded_at, str) and recorded_at:
            self._recorded_at[str(exchange.get("id", ""))] = recorded_at

    def clock_reply(self, exchange_id: str) -> dict[str, Any]:
        """What the service's clock reads for ``exchange_id`` (the ``clock`` op's answer)."""
        recorded_at = self._recorded_at.get(exchange_id)
        if self.clock == "recorded" and recorded_at is not None:
            return {"ok": True, "clock": "recorded", "recorded_at": recorded_at}
        return {"ok": True, "clock": "live"}

    def lookup(self, exchange_id: str, call: dict[str, Any]) -> MatchResult:
        with self._lock:
            self.lookups += 1
            recorded = self._calls.get(exchange_id)
            if recorded is None:
                result = MatchResult(
                    None, explanation=f"exchange {exchange_id} is not in the recording"
                )
            else:
                result = match_call(recorded, call)
            if result.entry is None:
                desc = describe_call(call)
                message = f"no recorded {desc} for exchange {exchange_id}: {result.explanation}"
                result.explanation = message
                self._events.setdefault(exchange_id, []).append(
                    MockEvent(exchange_id, MOCK_NOT_FOUND, message, desc)
                )
            return result

    def report(self, exchange_id: str | None, kind: str, message: str) -> None:
        with self._lock:
            key = exchange_id or ""
            self._events.setdefault(key, []).append(MockEvent(key, kind, message))

    def events(self, exchange_id: str) -> list[MockEvent]:
        with self._lock:
            return list(self._events.get(exchange_id, ()))

    def all_events(self) -> list[MockEvent]:
        with self._lock:
            return [e for events in self._events.values() for e in events]

    @contextlib.contextmanager
    def asked_again(self, exchange_id: str) -> Iterator[Callable[[], bool]]:
        """While the service answers ``exchange_id`` a second time: its recorded calls are all
        unused again, and afterwards everything is as the first answer left it (which calls it
        used, what it reported). Yields whether the second answer stayed within the recording
        (made no call it lacks, reported nothing)."""
        with self._lock:
            calls = self._calls.get(exchange_id, [])
            uses = [rc.uses for rc in calls]
            events = list(self._events.get(exchange_id, ()))
            for rc in calls:
                rc.uses = 0
        try:
            yield lambda: len(self._events.get(exchange_id, ())) == len(events)
        finally:
            with self._lock:
                for rc, n in zip(calls, uses, strict=True):
                    rc.uses = n
                if events:
                    self._events[exchange_id] = events
                else:
                    self._events.pop(exchange_id, None)

    def unused(self, exchange_id: str) -> list[dict[str, Any]]:
        """Recorded calls of an exchange that the replayed build never made."""
        with self._lock:
            return [rc.entry for rc in self._calls.get(exchange_id, ()) if rc.uses == 0]

    def handle(self, message: Any) -> dict[str, Any]:
        """One protocol message in, one reply out (never raises)."""
        if not isinstance(message, dict):
            return {"ok": False, "error": "bad-request", "message": "message is not an object"}
        op = message.get("op")
        if op == "lookup":
            call = message.get("call")
            if not isinstance(call, dict):
                return {"ok": False, "error": "bad-request", "message": "lookup needs a 'call'"}
            result = self.lookup(str(message.get("exchange") or ""), call)
            if result.entry is not None:
                return {"ok": True, "entry": result.entry, "stage": result.stage}
            return {"ok": False, "error": MOCK_NOT_FOUND, "message": result.explanation}
        if op == "report":
            exchange = message.get("exchange")
            self.report(
                str(exchange) if exchange else None,
                str(message.get("kind") or UNPATCHED),
                str(message.get("message") or ""),
            )
            return {"ok": True}
        if op == "clock":
            return self.clock_reply(str(message.get("exchange") or ""))
        if op == "ping":
            return {"ok": True}
        return {"ok": False, "error": "bad-request", "message": f"unknown op {op!r}"}


class MockServer:
    """Serves a :class:`MockStore` on a Unix socket and/or a loopback TCP port."""

    def __init__(
        self, store: MockStore, *, unix_path: str | None = None, tcp: bool = False
    ) -> None:
        self.store = store
        self.unix_path = unix_path
        self.tcp = tcp
        self.tcp_addr: tuple[str, int] | None = None
        self._servers: list[asyncio.base_events.Server] = []
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        if self.unix_path:
            self._servers.append(
                await asyncio.start_unix_server(self._serve, self.unix_path, limit=_LINE_LIMIT)
            )
        if self.tcp:
            server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_LINE_LIMIT)
            host, port = server.sockets[0].getsockname()[:2]
            self.tcp_addr = (str(host), int(port))
            self._servers.append(server)

    def env(self) -> dict[str, str]:
        """Environment variables that point the SDK at this server."""
        env: dict[str, str] = {}
        if self.unix_path:
            env["DRIFTDIFF_MOCK_SOCKET"] = self.unix_path
        if self.tcp_addr:
            env["DRIFTDIFF_MOCK_ADDR"] = f"{self.tcp_addr[0]}:{self.tcp_addr[1]}"
        return env

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for writer in list(self._writers):
            writer.close()
        if self._tasks:  # handlers see EOF and return; none is left to be cancelled noisily
            await asyncio.wait(list(self._tasks), timeout=2.0)
        for server in self._servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
        self._servers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ValueError, asyncio.LimitOverrunError, ConnectionError):
                    break
                if not line:
                    break
                try:
                    reply = self.store.handle(json.loads(line))
                except ValueError:
                    reply = {"ok": False, "error": "bad-request", "message": "not JSON"}
                writer.write(json.dumps(reply, separators=(",", ":"), default=str).encode() + b"\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self._writers.discard(writer)
            if task is not None:
                self._tasks.discard(task)
            writer.close()

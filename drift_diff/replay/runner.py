"""Replaying recorded requests against a running build, with outbound calls served from mocks.

``run_replay`` starts the mock server, optionally starts the service (``--start``) with
``DRIFTDIFF_MODE=replay`` and the mock server's address in its environment, waits until the
target answers, sends each recorded request tagged with its exchange id, captures the live
responses as exchanges (``source: "replay"``) and compares them with the recorded ones.

Ordering: safe requests (GET, HEAD, OPTIONS) run concurrently, up to ``concurrency`` at once;
a mutating request (POST, PUT, PATCH, DELETE, …) waits for every request recorded before it and
holds back every request recorded after it. So a read recorded after a write sees that write, as
in the recording, and writes never race each other. ``ordered_mutations=False`` drops the rule.

A service that dies mid-run is not restarted (a restart would hide the state that crashed it):
the request that was in flight and every request after it are reported as failed with the exit
code, and the run finishes normally.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from driftdiff_sdk.exchange import (
    EXCHANGE_FORMAT,
    decoded_response,
    encode_body,
    headers_to_map,
    utc_now_iso,
)

from drift_diff.errors import UsageError
from drift_diff.processes import ServiceProcess, describe_exit, interrupt_on_signals
from drift_diff.records import ExchangeRecord
from drift_diff.replay import sandbox as netns
from drift_diff.replay.compare import CompareContext
from drift_diff.replay.credentials import Credential, Secrets
from drift_diff.replay.findings import ReplayRun, RequestOutcome, collect_findings
from drift_diff.replay.mockserver import CLOCKS, MockServer, MockStore
from drift_diff.replay.noise import NoiseModel
from drift_diff.replay.origins import origin_of
from drift_diff.replay.paths import PathMatcher
from drift_diff.replay.second_answer import second_answers
from drift_diff.replay.service import SANDBOXES, start_service, wait_until_ready
from drift_diff.replay.wire import (
    EXCHANGE_HEADER,
    SAFE_METHODS,
    asks_again_unconditional,
    build_request,
)

__all__ = ["EXCHANGE_HEADER", "SAFE_METHODS", "ReplayOptions", "build_request", "run_replay"]


@dataclass
class ReplayOptions:
    target: str
    start: str | None = None
    ready_path: str = "/"
    ready_timeout: float = 30.0
    out_dir: Path | None = None
    concurrency: int = 8
    timeout: float = 10.0
    headers: dict[str, str] = field(default_factory=dict)
    ignore_paths: Sequence[str] = ()
    ordered_mutations: bool = True
    cwd: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    allow_ports: Sequence[int] = ()
    mock_tcp: bool = False
    #: headers / cookies / query parameters whose fresh value comes from the environment
    credentials: Sequence[Credential] = ()
    clock: str = "recorded"  # replay.clock: "recorded" | "live" (mockserver.CLOCKS)
    sandbox: str | None = None  # "netns": the started service in its own network namespace

    def validate(self) -> None:
        parts = urlsplit(self.target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--target must be an http(s) URL, got {self.target!r}")
        if self.concurrency < 1:
            raise UsageError("--concurrency must be at least 1")
        if self.timeout <= 0:
            raise UsageError("--timeout must be positive")
        if self.clock not in CLOCKS:
            raise UsageError(f"replay.clock must be one of {', '.join(CLOCKS)}, got {self.clock!r}")
        if self.sandbox is not None and self.sandbox not in SANDBOXES:
            raise UsageError(
                f"--sandbox must be one of {', '.join(SANDBOXES)}, got {self.sandbox!r}"
            )
        if self.sandbox not in (None, "none") and not self.start:
            raise UsageError("--sandbox needs --start (driftdiff sandboxes the service it starts)")

    @property
    def target_port(self) -> int:
        parts = urlsplit(self.target)
        return parts.port or (443 if parts.scheme == "https" else 80)


def _segments(exchanges: Sequence[dict[str, Any]], ordered: bool) -> list[list[int]]:
    """Indices grouped into segments: runs of safe requests, and each mutating one alone."""
    if not ordered:
        return [list(range(len(exchanges)))] if exchanges else []
    out: list[list[int]] = []
    for i, exchange in enumerate(exchanges):
        safe = str(exchange["request"].get("method", "GET")).upper() in SAFE_METHODS
        if safe and out and out[-1] and _is_safe(exchanges[out[-1][0]]):
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _is_safe(exchange: dict[str, Any]) -> bool:
    return str(exchange["request"].get("method", "GET")).upper() in SAFE_METHODS


class _Replayer:
    def __init__(
        self,
        exchanges: Sequence[dict[str, Any]],
        options: ReplayOptions,
        store: MockStore,
        client: httpx.AsyncClient,
        service: ServiceProcess | None,
        secrets: Secrets,
    ) -> None:
        self.exchanges, self.options, self.store = exchanges, options, store
        self.client, self.service, self.secrets = client, service, secrets
        self.timeout = httpx.Timeout(options.timeout).as_dict()
        self.outcomes: list[RequestOutcome | None] = [None] * len(exchanges)
        self.live: list[dict[str, Any] | None] = [None] * len(exchanges)
        self.exit_note: str | None = None
        self.unstable: dict[str, frozenset[str]] = {}

    async def run(self) -> None:
        for segment in _segments(self.exchanges, self.options.ordered_mutations):
            items = iter(segment)

            async def worker(items: Any = items) -> None:
                for index in items:  # a shared iterator: each index is taken by one worker
                    await self.replay_one(index)

            width = min(self.options.concurrency, len(segment))
            await asyncio.gather(*(worker() for _ in range(width)))

    async def ask_again(self, ctx: CompareContext) -> None:
        """A second answer to each safe request whose first answer changed a value
        (``second_answer``): where the two differ is the build's own variation."""
        if self._service_gone() is None:
            self.unstable = await second_answers(
                self.exchanges, self.live, ctx, self.store, self.ask, self.options.concurrency
            )

    async def ask(self, exchange: dict[str, Any]) -> dict[str, Any] | None:
        """One more live answer to ``exchange`` (``None`` if the request failed)."""
        started = time.perf_counter()
        try:
            url, response = await self.send(exchange)
            if asks_again_unconditional(exchange, response.status_code):
                url, response = await self.send(exchange, unconditional=True)
        except httpx.HTTPError:
            return None
        return self.capture(exchange, url, response, started)

    def _service_gone(self) -> str | None:
        if self.exit_note is None and self.service is not None and self.service.poll() is not None:
            self.exit_note = describe_exit(self.service.exit_code or 0)
        return self.exit_note

    async def replay_one(self, index: int) -> None:
        exchange = self.exchanges[index]
        outcome = RequestOutcome.for_exchange(exchange)
        self.outcomes[index] = outcome
        gone = self._service_gone()
        if gone:
            outcome.error = f"not sent: {gone} earlier in the run"
            return
        request = exchange["request"]
        if request.get("truncated"):
            outcome.skipped = (
                "recorded request body was truncated; it cannot be replayed faithfully"
            )
            return
        started = time.perf_counter()
        try:
            url, response = await self.send(exchange)
            if asks_again_unconditional(exchange, response.status_code):
                url, response = await self.send(exchange, unconditional=True)
        except httpx.TimeoutException:
            outcome.error = f"timed out after {self.options.timeout:g}s"
        except httpx.HTTPError as exc:
            outcome.error = f"request failed: {str(exc) or type(exc).__name__}"
            if self.service is not None and await self.service.wait_exit(1.0) is not None:
                outcome.error = f"{self._service_gone()} while serving this request"
        else:
            outcome.live_status = response.status_code
            self.live[index] = self.capture(exchange, url, response, started)
        outcome.duration_ms = round((time.perf_counter() - started) * 1000, 3)

    async def send(
        self, exchange: dict[str, Any], *, unconditional: bool = False
    ) -> tuple[str, httpx.Response]:
        method, url, headers, body = build_request(
            exchange,
            self.options.target,
            self.options.headers,
            self.secrets,
            unconditional=unconditional,
        )
        # built by hand, not by the client: no default headers and no cookies are merged in
        wire = httpx.Request(
            method, url, headers=headers, content=body, extensions={"timeout": self.timeout}
        )
        return url, await self.client.send(wire)

    def capture(
        self, exchange: dict[str, Any], url: str, response: httpx.Response, started: float
    ) -> dict[str, Any]:
        """The live exchange. Its request is the recorded one, not the wire copy: the exchange-id
        tag, credentials and ``--header`` overrides are replay mechanics (a baseline learned from
        the replay must not see them as request changes) and secrets (never written). The
        response body is the decoded content; a secret the service echoes is scrubbed."""
        request = dict(exchange["request"])
        held = self.secrets.recorded_values(request)
        request["url"] = self.secrets.scrub(url, held)
        content = response.content
        if self.secrets:
            content = self.secrets.scrub_bytes(content, held)
        return {
            "format": EXCHANGE_FORMAT,
            "id": exchange.get("id"),
            "service": exchange.get("service"),
            "source": "replay",
            "recorded_at": utc_now_iso(),
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            "route": exchange.get("route"),
            "request": request,
            "response": {
                "status": response.status_code,
                "headers": self.secrets.scrub(headers_to_map(response.headers.multi_items()), held),
                **encode_body(content, response.headers.get("content-type")),
            },
            "outbound": [],
            "meta": {"replay_of": exchange.get("id"), "target": self.options.target},
        }


class _RefuseCookies(http.cookiejar.DefaultCookiePolicy):
    """Replay keeps no cookie jar: each request carries the recorded ``Cookie`` header only."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


_NO_COOKIES = http.cookiejar.CookieJar(policy=_RefuseCookies())


def _scrub_file(path: Path, secrets: Secrets) -> None:
    """Take replay credentials out of the service's log (a service may log what it receives)."""
    try:
        data = path.read_bytes()
    except OSError:
        return
    clean = secrets.scrub_bytes(data)
    if clean != data:
        path.write_bytes(clean)


def _decoded(exchange: dict[str, Any]) -> dict[str, Any]:
    response = exchange.get("response")
    if not isinstance(response, dict):
        return exchange
    decoded = decoded_response(response)
    return exchange if decoded is response else {**exchange, "response": decoded}


def _order(exchanges: Iterable[ExchangeRecord]) -> list[dict[str, Any]]:
    """Recorded order: by arrival time when every exchange has one, else as read. The replay
    engine works on plain dicts: each exchange is a shallow copy here, the one conversion."""
    listed: list[dict[str, Any]] = [dict(e) for e in exchanges]
    if all(isinstance(e.get("recorded_at"), str) for e in listed):
        listed.sort(key=lambda e: str(e["recorded_at"]))
    return listed


async def _run(
    exchanges: list[dict[str, Any]],
    options: ReplayOptions,
    workdir: Path,
    holder: list[ServiceProcess],
    secrets: Secrets,
    ctx: CompareContext,
) -> tuple[ReplayRun, MockStore]:
    store = MockStore(exchanges, clock=options.clock)
    mock = MockServer(store, unix_path=str(workdir / "mock.sock"), tcp=options.mock_tcp)
    await mock.start()
    limits = httpx.Limits(
        max_connections=options.concurrency, max_keepalive_connections=options.concurrency
    )
    started = time.perf_counter()
    log_path = (options.out_dir or workdir) / "service.log"
    sandboxed = options.sandbox == "netns" and options.start
    try:
        async with httpx.AsyncClient(
            follow_redirects=False,
            timeout=options.timeout,
            limits=limits,
            trust_env=False,
            cookies=_NO_COOKIES,
            transport=netns.transport(workdir, limits) if sandboxed else None,
        ) as client:
            service = None
            if options.start:
                ports = {options.target_port, *options.allow_ports}
                env = {
                    **os.environ,
                    **options.env,
                    **mock.env(),
                    "DRIFTDIFF_MODE": "replay",
                    "DRIFTDIFF_ALLOW_PORTS": ",".join(str(p) for p in sorted(ports)),
                }
                log_path.parent.mkdir(parents=True, exist_ok=True)
                service = start_service(
                    options.start,
                    target=options.target,
                    env=env,
                    log_path=log_path,
                    cwd=options.cwd,
                    sandbox=options.sandbox,
                    sandbox_dir=workdir,
                    allow_ports=set(options.allow_ports),
                )
                holder.append(service)
            ready = options.target.rstrip("/") + "/" + options.ready_path.lstrip("/")
            await wait_until_ready(client, ready, deadline_s=options.ready_timeout, service=service)
            replayer = _Replayer(exchanges, options, store, client, service, secrets)
            await replayer.run()
            await replayer.ask_again(ctx)
    finally:
        for service in holder:  # stop the service before its mock server goes away
            await asyncio.to_thread(service.stop)
        await mock.close()
        if secrets and holder:
            _scrub_file(log_path, secrets)
    outcomes = [o for o in replayer.outcomes if o is not None]
    return ReplayRun(
        target=options.target,
        outcomes=outcomes,
        live=[e for e in replayer.live if e is not None],
        service_exit=replayer.exit_note,
        elapsed_s=time.perf_counter() - started,
        mock_lookups=store.lookups,
        unstable=replayer.unstable,
    ), store


def run_replay(
    exchanges: Iterable[ExchangeRecord], options: ReplayOptions, *, noise: NoiseModel | None = None
) -> ReplayRun:
    """Replay ``exchanges`` against ``options.target`` and compare the live responses.

    Raises ``ReplayError`` when the target never answers (or the started service dies before it
    does); everything that goes wrong per request is data in the returned ``ReplayRun``.
    """
    options.validate()
    secrets = Secrets.load(options.credentials, extra=options.headers.values())
    # compared as content: a recorded body a capture left compressed is decoded first
    recorded = [_decoded(e) for e in _order(exchanges)]
    noise = noise if noise is not None else NoiseModel.learn(recorded)
    ctx = CompareContext(
        noise=noise,
        ignore=PathMatcher(options.ignore_paths),
        target_origin=origin_of(options.target),
    )
    workdir = Path(tempfile.mkdtemp(prefix="driftdiff-replay-"))
    holder: list[ServiceProcess] = []
    try:
        with interrupt_on_signals():  # SIGTERM/SIGINT/SIGHUP stop the service's whole group
            run, store = asyncio.run(_run(recorded, options, workdir, holder, secrets, ctx))
    finally:
        for service in holder:
            service.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    by_id = {str(e.get("id")): e for e in recorded}
    collect_findings(run, by_id, store, ctx)
    if options.out_dir is not None:
        from drift_diff.redaction import redact_exchanges, redact_text_file
        from drift_diff.traffic.traces import write_exchanges

        run.out_file = options.out_dir / "replay.jsonl"
        write_exchanges(run.out_file, redact_exchanges(run.live))  # live values: redacted
        redact_text_file(options.out_dir / "service.log")
    return run

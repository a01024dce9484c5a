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

This module sets the run up (options, mock server, service, HTTP client) and assembles its
result; sending the requests and capturing the live answers is ``drift_diff.replay.sending``.
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
from driftdiff_sdk.exchange import decoded_response

from drift_diff.errors import UsageError
from drift_diff.processes import ServiceProcess, interrupt_on_signals
from drift_diff.records import ExchangeRecord
from drift_diff.replay import sandbox as netns
from drift_diff.replay.compare import CompareContext
from drift_diff.replay.credentials import Credential, Secrets
from drift_diff.replay.findings import ReplayRun, collect_findings
from drift_diff.replay.mockserver import CLOCKS, MockServer, MockStore
from drift_diff.replay.noise import NoiseModel
from drift_diff.replay.origins import origin_of
from drift_diff.replay.paths import PathMatcher
from drift_diff.replay.sending import Replayer
from drift_diff.replay.service import SANDBOXES, start_service, wait_until_ready
from drift_diff.replay.wire import EXCHANGE_HEADER, SAFE_METHODS, build_request

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
            replayer = Replayer(exchanges, options, store, client, service, secrets)
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

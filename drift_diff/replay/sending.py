"""Sending the recorded requests to the target and capturing its live answers.

``Replayer`` sends each recorded request (tagged with its exchange id, credentials and
``--header`` overrides applied) in recorded order, groups requests into segments so that safe
requests run concurrently and each mutating one runs alone (``ordered_mutations``), records
per-request outcomes (status, timeouts, failures, a service that died) and turns each live
response into a ``source: "replay"`` exchange. It also asks safe requests a second time
(``second_answer``). Starting the mock server and the service, and assembling the run, is
``runner``'s part.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx
from driftdiff_sdk.exchange import EXCHANGE_FORMAT, encode_body, headers_to_map, utc_now_iso

from drift_diff.processes import ServiceProcess, describe_exit
from drift_diff.replay.compare import CompareContext
from drift_diff.replay.credentials import Secrets
from drift_diff.replay.findings import RequestOutcome
from drift_diff.replay.mockserver import MockStore
from drift_diff.replay.second_answer import second_answers
from drift_diff.replay.wire import SAFE_METHODS, asks_again_unconditional, build_request

if TYPE_CHECKING:
    from drift_diff.replay.runner import ReplayOptions

__all__ = ["Replayer"]


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


class Replayer:
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
            url, response = await self.answer(exchange)
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
            url, response = await self.answer(exchange)
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

    async def answer(self, exchange: dict[str, Any]) -> tuple[str, httpx.Response]:
        """Send ``exchange``; a live 304 that the recording did not get
        (``asks_again_unconditional``) is asked once more without its cache validators."""
        url, response = await self.send(exchange)
        if asks_again_unconditional(exchange, response.status_code):
            url, response = await self.send(exchange, unconditional=True)
        return url, response

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

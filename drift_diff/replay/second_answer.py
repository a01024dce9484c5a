"""A second answer to a safe request whose first answer changed a value: what the build itself
varies from one answer to the next is not a change from the recording.

Replay compares each live answer with its recording; where a value differs and no rule of
kinds (ids, times, durations under timing names) or recorded noise covers it, that is a
warning. Some values change on every answer of the same build for reasons no name shows: a
count of the server's own running tasks (which grows with replay's concurrency), a random
sample, the order of a set. Twitter's Diffy finds such noise by asking two instances of the
old build; here the new build is simply asked again, after the run, for each safe request
(``GET``, ``HEAD``, ``OPTIONS``) whose first answer gave such a warning. Where the two live
answers differ (``noise.unstable_locations``), the value-level warnings are dropped; a field
that went missing, appeared or changed type, a status or a content type is never forgiven
this way, and a second answer with another status or content type forgives nothing.

The outbound calls the second answer makes are answered from the same recorded calls as the
first (``MockStore.asked_again``), and the store is left as the first answer left it; a second
answer that needed anything the recording lacks forgives nothing either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from drift_diff.replay.compare import CompareContext, compare_exchange
from drift_diff.replay.mockserver import MockStore
from drift_diff.replay.noise import unstable_locations
from drift_diff.replay.rules import RULE_VALUE_CHANGED
from drift_diff.replay.wire import SAFE_METHODS

__all__ = ["second_answers"]

#: where a value-level finding can come from: the body, and a redirect's target
_BODIES = ("body", "body_text", "body_b64")
#: Asks the service once more: the live exchange, or ``None`` when the request failed.
Ask = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]


def worth_asking(recorded: dict[str, Any], live: dict[str, Any], ctx: CompareContext) -> bool:
    """A safe request whose live answer changed a value of the recording."""
    if str(recorded["request"].get("method", "GET")).upper() not in SAFE_METHODS:
        return False
    rec, now = recorded.get("response") or {}, live.get("response") or {}
    if all(rec.get(k) == now.get(k) for k in _BODIES) and _location(rec) == _location(now):
        return False  # (the common case, without a comparison: nothing a value could differ in)
    return any(c.rule == RULE_VALUE_CHANGED for c in compare_exchange(recorded, live, ctx))


def _location(response: dict[str, Any]) -> Any:
    return (response.get("headers") or {}).get("location")


async def second_answers(
    recorded: Sequence[dict[str, Any]],
    live: Sequence[dict[str, Any] | None],
    ctx: CompareContext,
    store: MockStore,
    ask: Ask,
    concurrency: int,
) -> dict[str, frozenset[str]]:
    """Exchange id → where a second live answer differed from the first (only for the
    exchanges ``worth_asking``; none when the second answer failed or left the recording)."""
    todo = [
        i
        for i, answer in enumerate(live)
        if answer is not None
        and not store.events(str(recorded[i].get("id")))
        and worth_asking(recorded[i], answer, ctx)
    ]
    out: dict[str, frozenset[str]] = {}
    items = iter(todo)

    async def worker() -> None:
        for index in items:  # a shared iterator: each index is taken by one worker
            exchange_id = str(recorded[index].get("id"))
            first = live[index]
            with store.asked_again(exchange_id) as within_recording:
                second = await ask(recorded[index])
                if first is not None and second is not None and within_recording():
                    out[exchange_id] = unstable_locations(first, second)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(todo)))))
    return out

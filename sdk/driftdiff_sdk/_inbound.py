"""Pieces shared by the inbound middlewares (ASGI, WSGI, Django): sampling, capped body
capture, route-template conversion and building the exchange dict.

The capture buffers (``_capture.BodyCapture``) keep at most ``cap`` bytes however large the
body is; the application and the client always see every byte, the recording is what gets cut
(and marked ``truncated``, with the whole body's size and SHA-256). The exchange built here is a
flat record of raw parts (``_record.record``): header maps, query parsing, decoding and
redaction happen in the writer.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import time
from typing import Any

from driftdiff_sdk import runtime
from driftdiff_sdk._capture import BodyCapture
from driftdiff_sdk._counters import _counters
from driftdiff_sdk._record import record
from driftdiff_sdk.config import SDKConfig, load_config
from driftdiff_sdk.context import ExchangeContext
from driftdiff_sdk.scope import Excluder

__all__ = [
    "BodyCapture",
    "InboundMiddleware",
    "build_exchange",
    "django_route",
    "first",
    "flask_route",
    "new_context",
    "sampled",
    "started_now",
]

_random = random.random


class InboundMiddleware:
    """What the middlewares (ASGI, WSGI, Django) share: their configuration, loaded from
    keyword ``SDKConfig`` fields over ``DRIFTDIFF_*`` and activated once, with what each request
    checks precomputed as plain attributes (no per-request lookups through ``config``)."""

    config: SDKConfig
    _record: bool
    _replay: bool
    _rate: float
    _cap: int
    _service: str
    _excluder: Excluder | None

    def _configure(self, **config: Any) -> None:
        self.config = load_config(**config)
        if self.config.active:
            self.config = runtime.init(self.config)
        self._record = self.config.mode == "record"
        self._replay = self.config.mode == "replay"
        self._rate = self.config.sample_rate
        self._cap = self.config.max_body
        self._service = self.config.service
        self._excluder = None
        if self._record:
            # patterns were checked by the config; an empty set of them costs nothing per request
            excluder = Excluder(self.config.exclude, defaults=self.config.default_excludes)
            self._excluder = excluder if excluder else None

    def _wanted(self, method: str, path: str) -> bool:
        """Record this request? ``exclude`` patterns first (a left-out request costs one set
        lookup and is counted as ``excluded``), then sampling."""
        excluder = self._excluder
        if excluder is not None and excluder.excludes(method, path):
            _counters.excluded += 1
            return False
        return sampled(self._rate)


def sampled(rate: float) -> bool:
    """Decided once per inbound request, before any body is read; counted in ``stats()``."""
    if rate >= 1.0 or (rate > 0.0 and _random() < rate):
        _counters.sampled += 1
        return True
    _counters.not_sampled += 1
    return False


# Exchange ids: a random per-process prefix and a counter (32 hex digits like a uuid4 hex).
# uuid4() reads os.urandom on every call, a measurable share of the per-request budget.
_id_prefix = os.urandom(8).hex()
_id_counter = itertools.count(int.from_bytes(os.urandom(4), "big"))


def _reseed_ids() -> None:  # a forked worker must not repeat its parent's ids
    global _id_prefix, _id_counter
    _id_prefix = os.urandom(8).hex()
    _id_counter = itertools.count(int.from_bytes(os.urandom(4), "big"))


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed_ids)


def new_id() -> str:
    return f"{_id_prefix}{next(_id_counter) & 0xFFFFFFFFFFFFFFFF:016x}"


def new_context(replay: bool, replay_id: str | None) -> ExchangeContext:
    """A recorded request's context, or a replayed one's (which also travels the clock)."""
    if replay:
        from driftdiff_sdk.replay import prepare_request
        from driftdiff_sdk.replay_clock import ReplayContext

        prepare_request()
        return ReplayContext(replay_id or new_id())
    return ExchangeContext(new_id())


# Flask/werkzeug: <user_id>, <int:user_id>, <any(a, b):kind>
_WERKZEUG_VAR = re.compile(r"<(?:[a-zA-Z_][a-zA-Z0-9_]*(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
# Django re_path named groups: (?P<year>[0-9]{4})
_REGEX_GROUP = re.compile(r"\(\?P<([a-zA-Z_][a-zA-Z0-9_]*)>(?:[^()]|\([^()]*\))*\)")


def flask_route(rule: str) -> str:
    return _WERKZEUG_VAR.sub(r"{\1}", rule)


def django_route(route: str) -> str:
    """``users/<int:user_id>`` or ``^users/(?P<user_id>\\d+)/$`` → ``/users/{user_id}``."""
    if route.startswith("^") or "(?P<" in route:
        route = _REGEX_GROUP.sub(r"{\1}", route).lstrip("^").rstrip("$")
        route = route.replace("\\", "")
    else:
        route = _WERKZEUG_VAR.sub(r"{\1}", route)
    return route if route.startswith("/") else "/" + route


def first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def build_exchange(
    *,
    ctx: ExchangeContext,
    service: str,
    started_at: str,
    started: float,
    route: str | None,
    method: str,
    url: str | tuple[str, Any] | None,
    path: str,
    query: dict[str, list[str]] | str | bytes,
    req_headers: Any,
    req_body: BodyCapture | None,
    status: int,
    resp_headers: Any,
    resp_body: BodyCapture | None,
    meta: dict[str, Any] | None = None,
) -> tuple[Any, ...]:
    """The exchange as a ``_record.record``: raw parts (headers as pairs or mapped, the query
    raw or parsed, the URL or its parts); the writer builds the exchange dict from it.

    No capture (a body left unread) gives the same fields as an empty one.
    """
    outbound = ctx.outbound
    return record(
        ctx.id,
        service,
        started_at,
        round((time.perf_counter() - started) * 1000.0, 3),
        route,
        method,
        url,
        path,
        query,
        req_headers,
        req_body.state() if req_body is not None else None,
        status,
        resp_headers,
        resp_body.state() if resp_body is not None else None,
        meta,
        # a copy: calls that finish after the response (fire-and-forget tasks) are not ours
        sorted(outbound, key=_seq_key) if len(outbound) > 1 else list(outbound),
    )


def _seq_key(call: dict[str, Any]) -> int:
    seq = call.get("seq", 0)
    return seq if isinstance(seq, int) else 0


_second_cache: tuple[int, str] = (-1, "")


def started_now() -> tuple[str, float]:
    """ISO 8601 UTC arrival time (ms) and a perf counter; the formatted second is cached."""
    global _second_cache
    now = time.time()
    second = int(now)
    cached_second, text = _second_cache
    if second != cached_second:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _second_cache = (second, text)
    return f"{text}.{int((now - second) * 1000):03d}Z", time.perf_counter()

"""``run_parts``: parts of one inference on worker processes and on this process, together.

Parts are handed out as processes free up, in the order given (largest first is the caller's
job), from one queue that this process takes from too; each worker process keeps one more part
queued so that it never waits for this one, and the last part is this process's. (Handing the
first part to this process and the rest to the pool up front left this process idle while the
pool worked through 7 of 8 files: 1.2× on 2 cores.)

A part is sent to a worker as ``remote(part)`` — a module-level function and its arguments,
which must pickle — and run here as ``local(part)``, so that a part this process runs need not
be serialized at all (a slice of a HAR file already parsed here, say).
"""

from __future__ import annotations

import gc
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["PARTS_PER_WORKER", "gc_paused", "run_parts", "started_pool"]

#: Parts per worker an input is cut into (a trace file's byte ranges, a HAR's pieces or
#: slices): more parts than workers let the queue even out a core that other work slows down,
#: each part costing one partial baseline.
PARTS_PER_WORKER = 4
#: Seconds between GIL hand-overs while parts run (``_quick_handoffs``).
HANDOFF_INTERVAL = 0.0002

P = TypeVar("P")
R = TypeVar("R")


def run_parts(
    parts: Iterable[P],
    *,
    workers: int,
    remote: Callable[[P], tuple[Callable[..., R], tuple[Any, ...]]],
    local: Callable[[P], R],
    done: Callable[[R], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> list[R]:
    """The results of every part, in the order they finished (callers merge them with an
    order-free merge). ``workers`` counts this process; ``done`` is called on each result as it
    arrives (progress); ``pool``: worker processes the caller started (``started_pool``) and
    shuts down, else this makes its own. The first exception of a part is raised here, the
    rest are cancelled."""
    todo = deque(parts)
    results: list[R] = []
    if workers <= 1:
        for part in todo:
            results.append(local(part))
            if done is not None:
                done(results[-1])
        return results
    procs = max(1, min(workers - 1, len(todo) - 1))
    running: set[Future[R]] = set()

    def take(result: R) -> None:
        results.append(result)
        if done is not None:
            done(result)

    def collect(block: bool) -> None:
        finished = (
            set(wait(running, return_when=FIRST_COMPLETED).done)
            if block
            else {f for f in running if f.done()}
        )
        for future in finished:
            running.discard(future)
            take(future.result())

    with _pool_for(pool, procs) as pool, _quick_handoffs():
        try:
            while todo or running:
                collect(block=not todo)
                while len(todo) > 1 and len(running) < 2 * procs:  # one stays for us
                    fn, args = remote(todo.popleft())
                    running.add(pool.submit(fn, *args))
                if todo:
                    take(local(todo.popleft()))  # this process works too
        except BaseException:
            for other in running:
                other.cancel()
            raise
    return results


@contextmanager
def _quick_handoffs() -> Iterator[None]:
    """A shorter switch interval while this thread works on a part of its own. Handing a part
    to a worker and taking its result back are done by the pool's threads in this process,
    and each step of them waits for this busy thread to let go of the GIL, by default every
    5 ms: a 15 MB result, read from the pipe 64 KB at a time, took a second to arrive while
    the worker sat idle (trace lines of ``import har``; learned baselines lost 0.15 s a part)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, HANDOFF_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@contextmanager
def _pool_for(given: ProcessPoolExecutor | None, procs: int) -> Iterator[ProcessPoolExecutor]:
    if given is not None:
        yield given
        return
    with ProcessPoolExecutor(max_workers=procs) as pool:
        yield pool


@contextmanager
def started_pool(
    workers: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor | None]:
    """``workers - 1`` worker processes started now (``None`` for one worker), shut down on
    exit; each runs ``initializer(*initargs)`` first. Start them before this process parses a
    large input: a process forked later shares the parsed heap copy-on-write, and every page
    it then writes to is copied (slices of a 263 MB HAR ran 40 % slower in a worker forked
    after the parse). Raw bytes read before the fork are shared without that cost: nothing
    writes to them."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(workers - 1, initializer=initializer, initargs=initargs) as pool:
        pool.submit(int).result()  # the processes exist from here on
        yield pool


@contextmanager
def gc_paused() -> Iterator[None]:
    """Inference allocates millions of short-lived, acyclic objects (parsed lines) that reference
    counting frees; the cyclic collector would only rescan the learned state again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

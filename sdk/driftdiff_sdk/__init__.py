"""driftdiff capture SDK: records what a Python service receives, answers and calls.

The core is stdlib-only; framework and client adapters activate only when their library is
installed. The exchange format and redaction defined here are the ones driftdiff itself uses.

Wrap the app (``driftdiff_sdk.asgi.DriftDiffMiddleware``, ``driftdiff_sdk.wsgi.
DriftDiffWSGIMiddleware``, ``driftdiff_sdk.django.DriftDiffDjangoMiddleware``) and set
``DRIFTDIFF_MODE=record``. ``init()`` installs outbound instrumentation without a middleware;
``stats()`` reports what the writer recorded, dropped and swallowed; ``flush()`` writes what is
queued (a server's shutdown hook; the ASGI middleware calls it at the end of the lifespan).
"""

from __future__ import annotations

from functools import cache

from driftdiff_sdk.config import SDKConfig
from driftdiff_sdk.exchange import EXCHANGE_FORMAT
from driftdiff_sdk.recorder import stats
from driftdiff_sdk.runtime import flush, init, shutdown

__all__ = [
    "EXCHANGE_FORMAT",
    "SDKConfig",
    "__version__",
    "flush",
    "init",
    "shutdown",
    "stats",
]


def __getattr__(name: str) -> str:
    """``__version__``, read when first asked for: ``importlib.metadata`` would cost every
    service that imports the SDK 40 ms of start-up otherwise."""
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _version() -> str:
    """One version string: the distribution's metadata (sdk/pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("driftdiff-sdk")
    except PackageNotFoundError:  # pragma: no cover - a tree that was never installed
        return "0+unknown"

"""Process-wide SDK state: the active configuration, ``init()``, ``shutdown()`` and ``emit()``.

``init()`` is what a middleware calls on construction when the mode is ``record`` or ``replay``
(and what a worker script without a middleware calls itself): it installs the outbound
adapters once, and in replay mode activates ``driftdiff_sdk.replay`` (socket guard, mock
client). Nothing here raises into the host.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from driftdiff_sdk._active_recorder import current, get_recorder, reset_recorder, start_early
from driftdiff_sdk._record import Captured
from driftdiff_sdk.config import SDKConfig, load_config
from driftdiff_sdk.recorder import count_error

__all__ = ["current_config", "emit", "flush", "init", "shutdown"]

log = logging.getLogger("driftdiff_sdk")

_config: SDKConfig = SDKConfig()
_replay_active = False
_lock = threading.RLock()


def current_config() -> SDKConfig:
    return _config


def init(config: SDKConfig | None = None, **options: Any) -> SDKConfig:
    """Configure the SDK (keyword arguments over ``DRIFTDIFF_*``) and install instrumentation.

    Idempotent: calling it again with the same configuration does nothing; a different one
    replaces the previous (the writer flushes and restarts). Returns the effective config.
    """
    global _config, _replay_active
    try:
        cfg = config.with_overrides(**options) if config is not None else load_config(**options)
    except Exception:  # pragma: no cover - load_config already never raises
        count_error("configuration")
        return _config
    with _lock:
        if cfg != _config or cfg.redaction is not _config.redaction:
            if _config.mode == "record":
                reset_recorder()  # flush under the old settings before switching
            _config = cfg
        if not cfg.active:
            return cfg
        if cfg.mode == "record":
            try:
                start_early(cfg)  # the writer process, before the first request
            except Exception:
                count_error("recorder start")
        try:
            from driftdiff_sdk import outbound

            outbound.install()
        except Exception:
            count_error("outbound instrumentation")
        if cfg.mode == "replay" and not _replay_active:
            try:
                from driftdiff_sdk import replay

                replay.activate(cfg)
                _replay_active = True
            except Exception:
                count_error("replay activation")
    return cfg


def shutdown() -> None:
    """Flush the writer and remove every patch (tests; hosts normally rely on atexit)."""
    global _config, _replay_active
    with _lock:
        try:
            from driftdiff_sdk import outbound

            outbound.uninstall()
        except Exception:  # pragma: no cover
            count_error("outbound uninstall")
        if _replay_active:
            try:
                from driftdiff_sdk import replay

                deactivate = getattr(replay, "deactivate", None)
                if deactivate is not None:
                    deactivate()
            except Exception:  # pragma: no cover
                count_error("replay deactivation")
            _replay_active = False
        reset_recorder()
        _config = SDKConfig()


def flush(timeout: float = 5.0) -> bool:
    """Write what this process has queued, waiting up to ``timeout`` seconds (a server's
    shutdown: the ASGI middleware calls it at the end of the lifespan; a WSGI server's worker
    exit hook can). ``True`` once written; never raises."""
    rec = current()
    if rec is None or rec.pid != os.getpid():
        return True
    try:
        return rec.flush(timeout)
    except Exception:
        count_error("flush")
        return False


def emit(exchange: Captured, config: SDKConfig | None = None) -> None:
    """Hand a finished exchange (or inbound record) to the writer, which redacts it."""
    cfg = config if config is not None else _config
    if cfg.mode != "record":
        return
    rec = get_recorder(_config if _config.mode == "record" else cfg)
    if rec is not None:
        rec.submit(exchange)

"""SDK configuration from keyword arguments and ``DRIFTDIFF_*`` environment variables.

Configuration runs inside the host service at import/startup time, so it never raises: an
invalid value is logged once and replaced by a safe default (for the mode, that is ``off``).
Keyword arguments win over the environment.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["MODES", "SDKConfig", "load_config"]

log = logging.getLogger("driftdiff_sdk")

MODES = ("off", "record", "replay")
#: where parsing, redaction and serialisation run: a child process (default) or a thread
WRITERS = ("process", "thread")

DEFAULT_TRACES_DIR = ".driftdiff/traces"
DEFAULT_MAX_BODY = 1024 * 1024
DEFAULT_QUEUE_SIZE = 10_000
DEFAULT_ROTATE_BYTES = 64 * 1024 * 1024

_warned: set[tuple[str, str]] = set()


def _warn_once(name: str, value: object, fallback: object) -> None:
    key = (name, repr(value))
    if key in _warned:
        return
    _warned.add(key)
    log.warning("driftdiff: invalid %s=%r, using %r", name, value, fallback)


@dataclass(frozen=True)
class SDKConfig:
    mode: str = "off"
    service: str = "service"
    traces_dir: str = DEFAULT_TRACES_DIR
    sample_rate: float = 1.0
    max_body: int = DEFAULT_MAX_BODY
    queue_size: int = DEFAULT_QUEUE_SIZE
    rotate_bytes: int = DEFAULT_ROTATE_BYTES
    writer: str = "process"
    #: ``exclude`` patterns (``driftdiff_sdk.scope``): requests left out before sampling
    exclude: tuple[str, ...] = ()
    #: leave out health checks, metrics and static files too (``scope.DEFAULT_EXCLUDES``)
    default_excludes: bool = True
    #: a ``driftdiff_sdk.redact.RedactionConfig``; ``None`` means "from the environment".
    redaction: Any = field(default=None, compare=False)

    @property
    def active(self) -> bool:
        return self.mode != "off"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> SDKConfig:
        return load_config(environ, **overrides)

    def with_overrides(self, **overrides: Any) -> SDKConfig:
        return _apply(self, overrides, source="argument")


def _mode(name: str, raw: object) -> str | None:
    value = str(raw).strip().lower()
    if value in MODES:
        return value
    if value in ("", "0", "false", "no", "none", "disabled"):
        return "off"
    _warn_once(name, raw, "off")
    return "off"


def _number(
    name: str, raw: object, *, lo: float, hi: float | None, integer: bool, default: float
) -> float | None:
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(str(raw)) if not integer else int(str(raw).strip().replace("_", ""))
    except (TypeError, ValueError):
        _warn_once(name, raw, default)
        return None
    if value != value or value < lo or (hi is not None and value > hi):  # NaN or out of range
        _warn_once(name, raw, default)
        return None
    return value


def _patterns(name: str, raw: object) -> tuple[str, ...]:
    """``exclude`` patterns from a list, or from text separated by ``;`` or new lines (a
    pattern holds commas and spaces: ``GET,HEAD /static/**``); an invalid one is left out with
    a warning and the others still apply."""
    from driftdiff_sdk.scope import ExcludePatternError, parse_exclude

    if isinstance(raw, str):
        items: list[object] = [p for line in raw.splitlines() for p in line.split(";")]
    elif isinstance(raw, (list, tuple, set, frozenset)):
        items = list(raw)
    else:
        _warn_once(name, raw, ())
        return ()
    kept: list[str] = []
    for item in items:
        text = str(item).strip() if isinstance(item, str) else ""
        if not text:
            if not isinstance(item, str):
                _warn_once(name, item, "ignored (not a pattern)")
            continue
        try:
            parse_exclude(text)
        except ExcludePatternError as exc:
            _warn_once(name, f"{text} ({exc})", "ignored")
            continue
        kept.append(text)
    return tuple(kept)


def _flag(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return None


def _apply(base: SDKConfig, values: dict[str, Any], *, source: str) -> SDKConfig:
    """``base`` with each valid entry of ``values`` applied; invalid ones warn and are ignored."""
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        if raw is None:
            continue
        label = f"DRIFTDIFF_{key.upper()}" if source == "env" else key
        if key == "mode":
            changes["mode"] = _mode(label, raw)
        elif key in ("service", "traces_dir"):
            text = str(raw).strip()
            if text:
                changes[key] = text
            else:
                _warn_once(label, raw, getattr(base, key))
        elif key == "sample_rate":
            rate = _number(label, raw, lo=0.0, hi=1.0, integer=False, default=base.sample_rate)
            if rate is not None:
                changes[key] = float(rate)
        elif key in ("max_body", "queue_size", "rotate_bytes"):
            lo = 0 if key == "max_body" else 1
            num = _number(label, raw, lo=lo, hi=None, integer=True, default=getattr(base, key))
            if num is not None:
                changes[key] = int(num)
        elif key == "writer":
            value = str(raw).strip().lower()
            if value in WRITERS:
                changes[key] = value
            else:
                _warn_once(label, raw, base.writer)
        elif key == "redaction":
            changes[key] = raw
        elif key == "exclude":
            changes[key] = _patterns(label, raw)
        elif key == "default_excludes":
            flag = _flag(raw)
            if flag is None:
                _warn_once(label, raw, base.default_excludes)
            else:
                changes[key] = flag
        else:
            _warn_once(label, raw, "ignored (unknown option)")
    return replace(base, **changes) if changes else base


_ENV_KEYS = {
    "mode": "DRIFTDIFF_MODE",
    "service": "DRIFTDIFF_SERVICE",
    "traces_dir": "DRIFTDIFF_TRACES_DIR",
    "sample_rate": "DRIFTDIFF_SAMPLE_RATE",
    "max_body": "DRIFTDIFF_MAX_BODY",
    "queue_size": "DRIFTDIFF_QUEUE_SIZE",
    "rotate_bytes": "DRIFTDIFF_ROTATE_BYTES",
    "writer": "DRIFTDIFF_WRITER",
    "exclude": "DRIFTDIFF_EXCLUDE",
    "default_excludes": "DRIFTDIFF_DEFAULT_EXCLUDES",
}


def load_config(environ: dict[str, str] | None = None, **overrides: Any) -> SDKConfig:
    """Environment first, then keyword arguments. Never raises."""
    env = os.environ if environ is None else environ
    try:
        from_env = {key: env.get(var) for key, var in _ENV_KEYS.items()}
        config = _apply(SDKConfig(), from_env, source="env")
        return _apply(config, overrides, source="argument")
    except Exception:  # pragma: no cover - defensive: configuration must never break the host
        log.exception("driftdiff: configuration failed; capture is off")
        return SDKConfig()

"""Clock travel in replay mode: inside a replayed request the wall clock reads the recorded time.

A request recorded at 10:00:00 that checks a token's expiry, stamps ``created_at`` or renders
"5 minutes ago" gives other answers when it is replayed a week later. In SDK replay mode
(``DRIFTDIFF_MODE=replay``) every request tagged with a recorded exchange id therefore reads
*the recorded arrival time plus the time elapsed since the replayed request arrived* from:

* ``time.time`` and ``time.time_ns``;
* ``datetime.datetime.now`` / ``utcnow`` / ``today`` and ``datetime.date.today``.

The recorded time and the choice (``replay.clock: recorded | live`` in driftdiff's config) come
from driftdiff's mock server, asked once per request and only when the request reads the clock
(:func:`driftdiff_sdk.replay.recorded_clock`). With ``live``, an unreachable mock server or an
exchange without a recorded time, the request reads the real clock.

**Per request, never global.** The travelled time belongs to the request's
:class:`ReplayContext`, carried by the exchange context variable: concurrent requests each see
their own recorded time, and code outside request handling (start-up, background threads the
request did not spawn, the server's own ``Date`` header) sees the real clock. Monotonic clocks
(``time.monotonic``, ``perf_counter``) are never touched: durations and timeouts stay real.

**How the C types are patched.** ``datetime.datetime`` and ``datetime.date`` are C types whose
methods cannot be replaced. Instead, stand-in subclasses with the same name (:class:`datetime`,
:class:`date`) are swapped into the *importing modules'* namespaces — a module's global that is
the real class (``from datetime import datetime``) or the ``datetime`` module itself
(``import datetime``, replaced by a proxy module) — while the ``datetime`` module keeps its
real classes (so pickling and C extensions are untouched). The stand-ins only redirect: their
constructors return real instances, ``isinstance``/``issubclass`` checks answer for the real
classes, and outside a replayed request every method behaves exactly as the real one. Modules
imported later are patched when the next replayed request starts. Only the application's own
modules get the stand-ins: the standard library, the SDK and installed libraries
(``site-packages``) keep the real classes, because libraries look classes up by identity (type
registries, schema generators), so a library's own ``datetime.now()`` reads the real clock.
``time.time`` is replaced in the ``time`` module itself (and in application modules that
imported the function by name), so every ``time.time()`` call travels, libraries' included.
Time read by C code (a database's ``now()``) is not moved. Stdlib only.
"""

from __future__ import annotations

import datetime as _dt
import sys
import threading
import time as _time
import types
from typing import Any

from driftdiff_sdk.context import ExchangeContext, current_exchange

__all__ = ["ReplayContext", "install", "patch_new_modules", "travelled_time", "uninstall"]

_real_datetime = _dt.datetime
_real_date = _dt.date
_real_time = _time.time
_real_time_ns = _time.time_ns
_perf = _time.perf_counter
_UTC = _dt.timezone.utc

_UNRESOLVED = object()


class ReplayContext(ExchangeContext):
    """The exchange context of a replayed request: also when it arrived and its recorded time."""

    __slots__ = ("_recorded", "arrived")

    def __init__(self, exchange_id: str) -> None:
        super().__init__(exchange_id, replay=True)
        self.arrived = _perf()
        self._recorded: Any = _UNRESOLVED  # float epoch seconds, or None for the real clock

    def recorded_start(self) -> float | None:
        """The recorded arrival time (epoch seconds), asked of the mock server once."""
        found = self._recorded
        if found is _UNRESOLVED:
            self._recorded = None  # while asking: a clock read on the way reads the real clock
            found = self._recorded = _ask_mock_server(self.id)
        return found  # type: ignore[no-any-return]


def _ask_mock_server(exchange_id: str) -> float | None:
    try:
        from driftdiff_sdk.replay import recorded_clock

        text = recorded_clock(exchange_id)
        if not text:
            return None
        return _real_datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except Exception:  # never break the host: the real clock is the fallback
        return None


def travelled_time() -> float | None:
    """Epoch seconds as the replayed request sees them, or ``None`` outside one (real clock)."""
    ctx = current_exchange()
    if type(ctx) is not ReplayContext:
        return None
    start = ctx.recorded_start()
    if start is None:
        return None
    return start + (_perf() - ctx.arrived)


def _time_now() -> float:
    travelled = travelled_time()
    return _real_time() if travelled is None else travelled


def _time_ns_now() -> int:
    travelled = travelled_time()
    return _real_time_ns() if travelled is None else int(travelled * 1_000_000_000)


class _StandInMeta(type):
    """``isinstance(x, StandIn)`` and ``issubclass(C, StandIn)`` answer for the real class."""

    _real: type

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, cls._real)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls._real)


class _StandIn:
    """What schema generators see of a stand-in: the real class (pydantic's hook)."""

    _real: type

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return handler.generate_schema(cls._real)


class date(_StandIn, _real_date, metaclass=_StandInMeta):  # stands in for datetime.date
    _real = _real_date

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return _real_date(*args, **kwargs)

    @classmethod
    def today(cls) -> Any:
        travelled = travelled_time()
        return _real_date.today() if travelled is None else _real_date.fromtimestamp(travelled)


class datetime(_StandIn, _real_datetime, metaclass=_StandInMeta):  # stands in for datetime.datetime
    _real = _real_datetime

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return _real_datetime(*args, **kwargs)

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> Any:
        travelled = travelled_time()
        if travelled is None:
            return _real_datetime.now(tz)
        return _real_datetime.fromtimestamp(travelled, tz)

    @classmethod
    def utcnow(cls) -> Any:
        travelled = travelled_time()
        if travelled is None:
            return _real_datetime.now(_UTC).replace(tzinfo=None)
        return _real_datetime.fromtimestamp(travelled, _UTC).replace(tzinfo=None)

    @classmethod
    def today(cls) -> Any:
        travelled = travelled_time()
        return (
            _real_datetime.today() if travelled is None else _real_datetime.fromtimestamp(travelled)
        )


class _DatetimeModule(types.ModuleType):
    """What ``import datetime`` names inside a patched module: the real module, stand-ins for
    ``datetime`` and ``date``."""

    def __init__(self) -> None:
        super().__init__("datetime", _dt.__doc__)
        self.__dict__.update(
            {k: v for k, v in vars(_dt).items() if k not in ("__name__", "__doc__")}
        )
        self.datetime = datetime
        self.date = date


_module_proxy = _DatetimeModule()
_swaps: dict[int, Any] = {}  # id(real object) → stand-in (filled by install)
_patched: dict[str, list[tuple[str, Any]]] = {}  # module name → (global, real value) it held
_lock = threading.Lock()
_installed = False
_seen_modules = 0
_LEAVE_ALONE = ("driftdiff_sdk", "drift_diff", "_pytest", "pytest", "pluggy", "typing")


_LIBRARY_DIRS = ("site-packages", "dist-packages")


def _leave_alone(name: str, module: Any) -> bool:
    """The standard library, the SDK and installed libraries keep the real ``datetime`` names
    (libraries look classes up by identity: type registries, schema generators); what is left
    is the application's own code."""
    top = name.partition(".")[0]
    if top in sys.stdlib_module_names or top in _LEAVE_ALONE or name == __name__:
        return True
    path = getattr(module, "__file__", None)
    if not isinstance(path, str):
        return True  # built-in or namespace module: nothing of the application's
    parts = path.replace("\\", "/").split("/")
    return any(d in parts for d in _LIBRARY_DIRS)


def install() -> None:
    """Patch ``time`` and every loaded module's names for the clock (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        _swaps.update(
            {
                id(_real_datetime): datetime,
                id(_real_date): date,
                id(_real_time): _time_now,
                id(_real_time_ns): _time_ns_now,
                id(_dt): _module_proxy,
            }
        )
        _time.time = _time_now
        _time.time_ns = _time_ns_now
        _installed = True
    patch_new_modules()


def patch_new_modules() -> None:
    """Swap the stand-ins into modules imported since the last call (cheap when none were)."""
    global _seen_modules
    if not _installed or len(sys.modules) == _seen_modules:
        return
    with _lock:
        modules = list(sys.modules.items())
        _seen_modules = len(modules)
        for name, module in modules:
            if name in _patched or _leave_alone(name, module):
                continue
            _patched[name] = _patch_module(module)


def _patch_module(module: Any) -> list[tuple[str, Any]]:
    try:
        namespace = vars(module)
    except TypeError:
        return []
    done: list[tuple[str, Any]] = []
    try:
        for key, value in list(namespace.items()):
            stand_in = _swaps.get(id(value))
            if stand_in is not None and not key.startswith("__"):
                namespace[key] = stand_in
                done.append((key, value))
    except Exception:  # an odd module (a lazy namespace): leave it as it is
        pass
    return done


def uninstall() -> None:
    """Put every real clock back (tests)."""
    global _installed, _seen_modules
    with _lock:
        if not _installed:
            return
        _time.time = _real_time
        _time.time_ns = _real_time_ns
        for name, changes in _patched.items():
            module = sys.modules.get(name)
            if module is None:
                continue
            namespace = vars(module)
            for key, real in changes:
                if namespace.get(key) is _swaps.get(id(real)):
                    namespace[key] = real
        _patched.clear()
        _swaps.clear()
        _installed = False
        _seen_modules = 0

"""The import hook behind ``outbound.install``: patch a client library right after the
service imports it, instead of importing every installed library up front.

A finder at the front of ``sys.meta_path`` answers only for the armed module names: it asks the
other finders for the spec and wraps the spec's loader so that, once the module's code has run
(``exec_module``), the adapter's callback patches it. Any other import is not touched (the
finder returns ``None`` after one dict lookup). Stdlib only.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_armed: dict[str, str] = {}  # module name -> adapter name
_callback: Callable[[str], None] | None = None
_guard = threading.local()  # the finder's own find_spec calls: not answered twice


class _Loader(importlib.abc.Loader):
    """The library's own loader, then the adapter's callback."""

    def __init__(self, inner: importlib.abc.Loader, adapter: str) -> None:
        self._inner = inner
        self._adapter = adapter

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # the wrapper is only needed once: the module's later reloads use its own loader
        spec = module.__spec__
        if spec is not None and spec.loader is self:
            spec.loader = self._inner
            module.__loader__ = self._inner
        self._inner.exec_module(module)
        callback = _callback
        if callback is not None and _armed.pop(module.__name__, None) is not None:
            callback(self._adapter)

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, get_code...
        return getattr(self._inner, name)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        adapter = _armed.get(fullname)
        if adapter is None or getattr(_guard, "busy", False):
            return None
        _guard.busy = True
        try:
            for finder in sys.meta_path:
                if finder is _FINDER or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
            else:
                return None
        finally:
            _guard.busy = False
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec  # a namespace package or a legacy loader: left alone
        spec.loader = _Loader(spec.loader, adapter)
        return spec


_FINDER = _Finder()


def arm(pending: dict[str, str], callback: Callable[[str], None]) -> None:
    """Watch ``pending`` (module name -> adapter name); ``callback(adapter)`` once imported."""
    global _callback
    _armed.clear()
    _armed.update(pending)
    _callback = callback
    if pending and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def disarm() -> None:
    global _callback
    _armed.clear()
    _callback = None
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)


def armed() -> list[str]:
    """The module names still watched."""
    return sorted(_armed)

"""Typing for the optional compiled build (``setup.py``), with nothing to install.

``mypyc_attr``: mypyc reads the decorator where mypy sees ``mypy_extensions.mypyc_attr``; at run
time (pure Python, or a compiled class, whose decorator is not called) it is a no-op here, so the
SDK needs only the standard library. The redaction classes carry
``allow_interpreted_subclasses=True``: ``Redactor`` is subclassed by interpreted code
(``drift_diff.replay.match_datastores``), and every base of such a class needs the flag.

``Unchecked[X]``: ``X`` to mypy and to callers, but a value a compiled build does not check at run
time (``X | Any``: the union with ``Any`` accepts everything). For the public methods that hand
back what they do not handle (``redact_text(None)`` is ``None``), as pure Python does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, Union

__all__ = ["Unchecked", "mypyc_attr"]

_T = TypeVar("_T")
Unchecked = Union[_T, Any]  # noqa: UP007 (a runtime alias: ``X | Any`` is not one on 3.10)

if TYPE_CHECKING:
    from mypy_extensions import mypyc_attr
else:

    def mypyc_attr(*attrs: str, **kwattrs: Any) -> Any:
        return lambda cls: cls

"""Secrets in structured values: decoded JSON, walked (copying) or shared (copy-on-write).

The third layer of ``Redactor`` (``driftdiff_sdk.redact``): ``FieldRedactor`` walks decoded
JSON, every leaf under a secret key masked, strings scanned by ``TextRedactor.redact_text``,
numbers that are card numbers masked (``NameRedactor._card_int``, ``_card_float``) and every key
scanned as a name (``NameRedactor.redact_name``; a key that is not a ``str`` by
``redact_key``: a card number as an ``int``, an e-mail as ``bytes``, the items of a tuple).
``share_json`` is ``redact_json`` copy-on-write (one walk; a container that nothing under
changes is the input's own), which is what lets ``_share`` keep unchanged bodies of an exchange
instead of copying them. Headers, queries and URLs are the next layer (``_redact_http``).
Nothing here is public API: import from ``driftdiff_sdk.redact``.
"""

from __future__ import annotations

from typing import Any

from driftdiff_sdk._masks import memo_set
from driftdiff_sdk._mypyc import mypyc_attr
from driftdiff_sdk._redact_names import CARD_MAX as _CARD_MAX
from driftdiff_sdk._redact_names import CARD_MIN as _CARD_MIN
from driftdiff_sdk._redact_names import NameRedactor, free_key, key_text
from driftdiff_sdk.limits import MAX_DEPTH, TOO_DEEP

__all__ = ["FieldRedactor"]

# (a float compared with a float: no int to convert; 2e12 is exact)
_FLOAT_CARD_MIN = float(_CARD_MIN)


@mypyc_attr(allow_interpreted_subclasses=True)
class FieldRedactor(NameRedactor):
    """Decoded JSON values: copied (``redact_json``, ``mask_json``) or shared (``share_json``)."""

    # ----------------------------------------------------------------- JSON
    def redact_json(self, value: Any) -> Any:
        """A redacted copy of a decoded JSON value (new containers; the input is not touched)."""
        if not self.config.enabled:
            return value
        return self._walk(value, False, 0)

    def mask_json(self, value: Any) -> Any:
        """A copy of a decoded JSON value with every leaf replaced (it sits under a secret
        name): strings and numbers keep their format, ``None`` and booleans stay."""
        if not self.config.enabled:
            return value
        return self._walk(value, True, 0)

    def _walk(self, value: Any, secret: bool, depth: int) -> Any:
        if isinstance(value, str):
            return self.mask_value(value) if secret else self.redact_text(value)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            return self._mask_number(value) if secret else self._card_int(value)
        if isinstance(value, float):
            return self._mask_number(value) if secret else self._card_float(value)
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        if isinstance(value, dict):
            plain = self._plain_keys
            out: dict[Any, Any] = {}
            taken: dict[Any, int] | None = None  # masked name → next suffix (``free_key``)
            for k, v in value.items():
                if k in plain:  # a ``str`` key, clean and not secret
                    out[k] = self._walk(v, secret, depth + 1)
                    continue
                if isinstance(k, str):
                    key_secret = self.is_secret_key(k)
                    name = self.redact_name(k)
                else:  # (``bytes``: a name too; numbers, tuples: ``redact_key``)
                    key_secret = self.is_secret_key(key_text(k))
                    name = self.redact_key(k)
                if name is k or name == k:  # (``is``: a ``nan`` key is not equal to itself)
                    name = k
                    if not key_secret and type(k) is str:
                        memo_set(plain, k, self._cache_max)
                else:
                    if taken is None:
                        taken = {}
                    name = free_key(name, value, out, taken)
                out[name] = self._walk(v, secret or key_secret, depth + 1)
            return out
        if isinstance(value, (list, tuple)):
            items = [self._walk(v, secret, depth + 1) for v in value]
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, (bytes, bytearray)):
            text = bytes(value).decode("latin-1")
            new = self.mask_value(text) if secret else self.redact_text(text)
            return value if new == text else new.encode("latin-1", "replace")
        return self._other_object(value, secret)

    def _other_object(self, value: Any, secret: bool) -> Any:
        """Any other Python object (a ``Decimal`` or ``UUID`` from a database row, a
        ``datetime``, an application's own class): the writer writes ``str(value)`` for it
        (``json.dumps(default=str)``), so that text is what is redacted. The object itself is
        kept when its text is clean; else the redacted text replaces it (a string, which is
        what was written anyway). Under a secret name it is masked like a string: an ``api_key``
        held as a ``UUID`` was written as it was. An object whose ``str`` fails is kept: the
        writer cannot write it either."""
        try:
            text = str(value)
        except Exception:  # whatever an application's ``__str__`` raises
            return value
        if type(text) is not str:  # (a ``str`` subclass: its own ``__str__`` may differ)
            text = str.__str__(text)
        new = self.mask_value(text) if secret else self.redact_text(text)
        return value if new == text and not secret else new

    def share_json(self, value: Any) -> Any:
        """``redact_json(value)``, but every ``dict``/``list`` it leaves unchanged is the
        input's own (``value`` itself when nothing changes): one walk, copies only on the path
        to a change. The result must not be mutated (it may be the input)."""
        if not self.config.enabled:
            return value
        kind = type(value)
        if kind is dict or kind is list:
            return self._share(value, 0)
        return self._walk(value, False, 0)

    def _share(self, node: dict[Any, Any] | list[Any], depth: int) -> Any:
        """``_walk(node, False, depth)`` for a plain ``dict``/``list``, copy-on-write. Anything
        but plain JSON (a tuple, bytes, a subclass...) and whatever sits under a secret key
        goes through ``_walk`` itself, so the result always equals what that gives, and so
        does a ``dict`` with a name to mask (``redact_name``, ``redact_key`` for a key that is
        not a ``str``: its keys are rebuilt in order). (The per-item code is written out twice,
        for speed: this runs on every body; a value's exact type is tested by identity, the
        most frequent first, and a number is looked at only in the range of card numbers. A
        key found not secret and clean as text goes into ``_plain_keys``, one set lookup
        instead of two calls next time.)"""
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        clean = self._clean  # (the memo and redact_text are looked up only for unknown strings)
        out: Any = None
        new: Any
        if type(node) is dict:
            plain = self._plain_keys
            for k, v in node.items():
                kind = type(v)
                if k not in plain:
                    if isinstance(k, str):
                        if self.redact_name(k) != k:
                            return self._walk(node, False, depth)  # rare: the dict rebuilt
                        key_secret = self.is_secret_key(k)
                    else:  # not a ``str`` (an ``int``, ``bytes``...): ``redact_key``
                        if self.redact_key(k) is not k:
                            return self._walk(node, False, depth)
                        key_secret = self.is_secret_key(key_text(k))
                    if key_secret:
                        new = self._walk(v, True, depth + 1)
                        if new is v:
                            continue
                        if out is None:
                            out = dict(node)
                        out[k] = new
                        continue
                    if type(k) is str:
                        memo_set(plain, k, self._cache_max)
                if kind is str:
                    if v in clean:
                        continue
                    new = self._text_cache.get(v) or self.redact_text(v)
                    if new == v:
                        continue
                elif kind is int:
                    if v < _CARD_MIN or v >= _CARD_MAX:
                        continue
                    new = self._card_int(v)
                    if new == v:
                        continue
                elif kind is float:
                    if not v >= _FLOAT_CARD_MIN:  # (NaN too)
                        continue
                    new = self._card_float(v)
                    if new == v:
                        continue
                elif kind is dict or kind is list:
                    new = self._share(v, depth + 1)
                    if new is v:
                        continue
                elif v is None or kind is bool:
                    continue
                else:
                    new = self._walk(v, False, depth + 1)
                    if new is v:
                        continue
                if out is None:
                    out = dict(node)
                out[k] = new
        else:
            for i, v in enumerate(node):
                kind = type(v)
                if kind is str:
                    if v in clean:
                        continue
                    new = self._text_cache.get(v) or self.redact_text(v)
                    if new == v:
                        continue
                elif kind is int:
                    if v < _CARD_MIN or v >= _CARD_MAX:
                        continue
                    new = self._card_int(v)
                    if new == v:
                        continue
                elif kind is float:
                    if not v >= _FLOAT_CARD_MIN:  # (NaN too)
                        continue
                    new = self._card_float(v)
                    if new == v:
                        continue
                elif kind is dict or kind is list:
                    new = self._share(v, depth + 1)
                    if new is v:
                        continue
                elif v is None or kind is bool:
                    continue
                else:
                    new = self._walk(v, False, depth + 1)
                    if new is v:
                        continue
                if out is None:
                    out = list(node)
                out[i] = new
        return node if out is None else out

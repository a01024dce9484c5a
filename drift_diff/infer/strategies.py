"""genson strategies, one per JSON type, that learn what a contract needs and merge exactly.

Every strategy keeps *sufficient statistics* and writes all of them into its schema, so that
``add_schema(to_schema())`` of one builder into another gives exactly what adding the objects
would have given (that is what makes baselines merge associatively):

* ``String`` — one candidate ``format`` (formats are mutually exclusive), dropped for good on
  the first counterexample; a file part of a form (``forms.FilePart``) is format ``binary``;
* value-carrying types (string, integer, boolean) — the distinct values while few (``x-values``);
* ``Object`` — how many objects were seen and how many had each property (``x-seen``), and map
  detection: once a key looks like an id, or there are too many keys, the object becomes
  ``additionalProperties`` (a monotone decision of the key set, so merge order cannot change it).

Adding is weighted (``add_weighted(obj, w)`` == adding ``obj`` ``w`` times) so callers can
deduplicate identical bodies, and batched (``add_column(values)`` == adding each value in turn,
for a list of values of one Python type) so callers can feed a column of a batch of bodies at C
speed. The array and object strategies are in ``containers``; the node that folds these schemas
into one is in ``builder``.
"""

from __future__ import annotations

from typing import Any

from genson.schema.strategies import SchemaStrategy
from mypy_extensions import mypyc_attr

from drift_diff.infer.formats import (
    all_have_format,
    is_date,
    is_hex_id,
    is_ulid,
    is_uuid,
    string_format,
)

__all__ = [
    "BINARY",
    "MAP_MAX_KEYS",
    "VALUES_CAP",
    "VALUE_MAX_LEN",
    "BooleanStrategy",
    "FilePart",
    "NullStrategy",
    "NumberStrategy",
    "StringStrategy",
    "is_map_key",
]

#: Most distinct scalar values kept in ``x-values``; past it the annotation is dropped.
VALUES_CAP = 12
#: Strings longer than this are free text, not enum-like values: ``x-values`` is dropped.
VALUE_MAX_LEN = 64
#: An object with more distinct keys than this is a map, whatever its keys look like.
MAP_MAX_KEYS = 100
#: The format of a file part of a multipart form (OpenAPI's spelling)
BINARY = "binary"


@mypyc_attr(native_class=False)  # mypyc compiles no subclass of a builtin type natively
class FilePart(str):
    """A file part of a multipart form (``forms``): learned as ``format: binary``, no values."""

    __slots__ = ()


def is_map_key(key: str) -> bool:
    """Keys that are ids (numbers, UUIDs, ULIDs, hex ids, dates) make an object a map."""
    return key.isdigit() or is_uuid(key) or is_ulid(key) or is_hex_id(key) or is_date(key)


@mypyc_attr(native_class=False)
class _Strategy(SchemaStrategy):
    """Common shape: ``add_object`` is ``add_weighted(obj, 1)``; no free-form extra keywords."""

    JS_TYPE = ""
    #: True while adding a value of this type can change nothing (a saturated leaf): the
    #: object and array loops then skip the call — the hot path on large corpora.
    idle = False

    def add_object(self, obj: Any) -> None:
        self.add_weighted(obj, 1)

    def add_weighted(self, obj: Any, weight: int) -> None:
        raise NotImplementedError

    def add_column(self, column: list[Any]) -> None:
        """Add each value of ``column`` (non-empty, all of one Python type) once, in order."""
        for obj in column:
            self.add_weighted(obj, 1)

    def add_schema(self, schema: dict[str, Any]) -> None:
        pass  # keywords of other types (the node splits type lists) must not leak in

    def values(self) -> set[Any] | bool | None:
        """Observed values (a set), ``None`` once dropped, ``False`` for types without values."""
        return False

    def to_schema(self) -> dict[str, Any]:
        return {"type": self.JS_TYPE}


@mypyc_attr(native_class=False)
class _ValueStrategy(_Strategy):
    """A scalar type whose distinct values are kept while few (``x-values``)."""

    PYTHON_TYPES: tuple[type, ...] = ()

    def __init__(self, node_class: Any) -> None:
        super().__init__(node_class)
        self._values: set[Any] | None = set()

    @classmethod
    def match_object(cls, obj: Any) -> bool:
        return type(obj) in cls.PYTHON_TYPES

    def _note(self, value: Any) -> None:
        values = self._values
        if values is not None and value not in values:
            values.add(value)
            if len(values) > VALUES_CAP:
                self._values = None
            self._settle()

    def _note_all(self, column: list[Any]) -> None:
        """``_note`` of every value: the set past the cap is dropped whatever the order."""
        values = self._values
        if values is not None:
            values.update(column)
            if len(values) > VALUES_CAP:
                self._values = None
            self._settle()

    def _settle(self) -> None:
        """Recompute ``idle`` after the state changed."""

    def add_schema(self, schema: dict[str, Any]) -> None:
        listed = schema.get("x-values")
        if listed is None:
            self._values = None  # absent means "more than the cap" (or never tracked)
            self._settle()
            return
        for value in listed:
            if type(value) in self.PYTHON_TYPES:
                self._note(value)

    def values(self) -> set[Any] | bool | None:
        return self._values


@mypyc_attr(native_class=False)
class NullStrategy(_Strategy):
    JS_TYPE = "null"
    idle = True

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") == "null"

    @classmethod
    def match_object(cls, obj: Any) -> bool:
        return obj is None

    def add_weighted(self, obj: Any, weight: int) -> None:
        pass


@mypyc_attr(native_class=False)
class BooleanStrategy(_ValueStrategy):
    JS_TYPE = "boolean"
    PYTHON_TYPES: tuple[type, ...] = (bool,)

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") == "boolean"

    def add_weighted(self, obj: Any, weight: int) -> None:
        self._note(obj)

    def add_column(self, column: list[Any]) -> None:
        self._note_all(column)

    def _settle(self) -> None:
        self.idle = self._values is None or len(self._values) == 2


@mypyc_attr(native_class=False)
class NumberStrategy(_ValueStrategy):
    """``integer`` until a float (or a ``number`` schema) arrives; values kept for integers only."""

    PYTHON_TYPES: tuple[type, ...] = (int, float)

    def __init__(self, node_class: Any) -> None:
        super().__init__(node_class)
        self.JS_TYPE = "integer"

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") in ("integer", "number")

    def add_weighted(self, obj: Any, weight: int) -> None:
        if type(obj) is float:
            self.JS_TYPE = "number"
            self._values = None
            self._settle()
        else:
            self._note(obj)

    def add_column(self, column: list[Any]) -> None:
        if type(column[0]) is float:  # a column is of one type: all floats
            self.add_weighted(column[0], 1)
        else:
            self._note_all(column)

    def add_schema(self, schema: dict[str, Any]) -> None:
        if schema.get("type") == "number":
            self.JS_TYPE = "number"
            self._values = None
            self._settle()
        else:
            super().add_schema(schema)

    def _settle(self) -> None:
        self.idle = self.JS_TYPE == "number"  # values are dropped with the first float


@mypyc_attr(native_class=False)
class StringStrategy(_ValueStrategy):
    JS_TYPE = "string"
    PYTHON_TYPES: tuple[type, ...] = (str, FilePart)

    def __init__(self, node_class: Any) -> None:
        super().__init__(node_class)
        self._started = False
        self._format: str | None = None

    @classmethod
    def match_schema(cls, schema: dict[str, Any]) -> bool:
        return schema.get("type") == "string"

    def _meet_format(self, fmt: str | None) -> None:
        if not self._started:
            self._started, self._format = True, fmt
        elif self._format is not None and self._format != fmt:
            self._format = None  # a counterexample: the format is gone for good
        self._settle()

    def _settle(self) -> None:
        self.idle = self._started and self._format is None and self._values is None

    def _meet_file(self) -> None:
        """A file part: format ``binary``, and its content is no enum-like value."""
        self._meet_format(BINARY)
        self._values = None
        self._settle()

    def add_weighted(self, obj: Any, weight: int) -> None:
        if type(obj) is FilePart:
            self._meet_file()
            return
        if self._values is not None and obj in self._values:
            return  # already seen: its format was met then (the hot path of enum-like fields)
        if self._format is not None or not self._started:
            self._meet_format(string_format(obj))
        if self._values is not None:
            if len(obj) > VALUE_MAX_LEN:
                self._values = None
                self._settle()
            else:
                self._note(obj)

    def add_column(self, column: list[Any]) -> None:
        # Order-free: the format is kept iff every string has it, the values are dropped iff
        # one is long or there are too many — so the distinct strings are all that matters.
        if type(column[0]) is FilePart:  # a column is of one type: all file parts
            self._meet_file()
            return
        values = self._values
        if values is None:  # only the format is left to learn (else the strategy is idle)
            if self._format is not None and not all_have_format(column, self._format):
                self._format = None
                self._settle()
            return
        fresh = set(column)
        fresh.difference_update(values)  # seen before: their format was met then
        if not fresh:
            return
        if not self._started:
            self._started, self._format = True, string_format(next(iter(fresh)))
        if self._format is not None and not all_have_format(fresh, self._format):
            self._format = None
        if max(map(len, fresh)) > VALUE_MAX_LEN or len(values) + len(fresh) > VALUES_CAP:
            self._values = None
        else:
            values.update(fresh)
        self._settle()

    def add_schema(self, schema: dict[str, Any]) -> None:
        fmt = schema.get("format")
        self._meet_format(fmt if isinstance(fmt, str) else None)
        super().add_schema(schema)

    def to_schema(self) -> dict[str, Any]:
        if self._format is None:
            return {"type": "string"}
        return {"type": "string", "format": self._format}

"""``DriftSchemaBuilder``: genson's ``SchemaBuilder`` with driftdiff's strategies.

genson is extended the way it is meant to be: a subclass whose ``EXTRA_STRATEGIES`` (one class
per JSON type, in ``strategies``) take precedence over the basic ones. The node class is ours too,
for two reasons: it folds the per-type schemas into one schema with a ``type`` list (nullability
reads ``"type": ["null", "object"]``, not an ``anyOf``), and it dispatches on the Python type of
a value once per node instead of asking every strategy for every value (the hot path).

Values can also go in as a *column* (``add_column``: a list of values, in order), which the node
splits by type and its strategies take at C speed; that equals adding them one by one.
"""

from __future__ import annotations

import re
from typing import Any

from genson.schema.builder import SchemaBuilder
from genson.schema.node import SchemaNode
from mypy_extensions import mypyc_attr

from drift_diff.infer.containers import ArrayStrategy, ObjectStrategy
from drift_diff.infer.strategies import (
    VALUES_CAP,
    BooleanStrategy,
    NullStrategy,
    NumberStrategy,
    StringStrategy,
)

__all__ = ["DriftNode", "DriftSchemaBuilder", "schema_of", "wire_value"]

_TYPE_RANK = {bool: 0, int: 1, float: 1, str: 2}


def _value_key(value: Any) -> tuple[int, Any]:
    return (_TYPE_RANK[type(value)], value)


@mypyc_attr(native_class=False)
class DriftNode(SchemaNode):
    """A schema node whose strategies are driftdiff's and whose output is one folded schema."""

    def __init__(self) -> None:
        super().__init__()
        self._by_type: dict[type, Any] = {}

    def add_object(self, obj: Any) -> DriftNode:
        self.add_weighted(obj, 1)
        return self

    def add_column(self, column: list[Any]) -> None:
        """Add each value of ``column`` once, in order (the batched form of ``add_weighted``)."""
        by_type = self._by_type
        kinds = dict.fromkeys(map(type, column))
        for kind in kinds:
            part = column if len(kinds) == 1 else [v for v in column if type(v) is kind]
            strategy = by_type.get(kind)
            if strategy is None:
                strategy = by_type[kind] = self._get_strategy_for_object(part[0])
            if not strategy.idle:
                strategy.add_column(part)

    def add_table(self, total: int, keys: tuple[str, ...], columns: list[list[Any]]) -> None:
        """``add_column`` of ``total`` objects with exactly ``keys``, given column by column."""
        if total:
            strategy = self._by_type.get(dict)
            if strategy is None:
                strategy = self._by_type[dict] = self._get_strategy_for_object({})
            strategy.add_table(total, keys, columns)

    def add_weighted(self, obj: Any, weight: int) -> None:
        """Add ``obj`` as if it had been seen ``weight`` times."""
        strategy = self._by_type.get(type(obj))
        if strategy is None:
            strategy = self._by_type[type(obj)] = self._get_strategy_for_object(obj)
        strategy.add_weighted(obj, weight)

    def add_schema(self, schema: Any) -> DriftNode:
        if isinstance(schema, SchemaNode):
            schema = schema.to_schema()
        if isinstance(schema, dict) and "type" in schema:  # `{}`/`true` (anything) adds nothing
            super().add_schema(schema)
        return self

    def to_schema(self) -> dict[str, Any]:
        types: list[str] = []
        schema: dict[str, Any] = {}
        values: list[Any] = []
        keep_values = True
        for strategy in self._active_strategies:
            part = strategy.to_schema()
            types.append(part.pop("type"))
            schema.update(part)
            seen = strategy.values()
            if seen is None:
                keep_values = False
            elif seen is not False:
                values.extend(seen)
        if not types:
            return {}
        types.sort()
        out: dict[str, Any] = {"type": types[0] if len(types) == 1 else types, **schema}
        if keep_values and values and len(values) <= VALUES_CAP:
            out["x-values"] = sorted(values, key=_value_key)
        return out


@mypyc_attr(native_class=False)
class DriftSchemaBuilder(SchemaBuilder):
    """genson ``SchemaBuilder`` learning formats, presence counts, nullability, values and maps."""

    EXTRA_STRATEGIES = (
        NullStrategy,
        BooleanStrategy,
        NumberStrategy,
        StringStrategy,
        ArrayStrategy,
        ObjectStrategy,
    )

    def __init__(self) -> None:
        super().__init__(schema_uri=None)

    def add_weighted(self, obj: Any, weight: int) -> None:
        self._root_node.add_weighted(obj, weight)

    def add_column(self, column: list[Any]) -> None:
        """Add each object of ``column`` once, in order."""
        self._root_node.add_column(column)

    def add_table(self, total: int, keys: tuple[str, ...], columns: list[list[Any]]) -> None:
        """Add ``total`` objects with exactly ``keys``, given column by column."""
        self._root_node.add_table(total, keys, columns)

    def to_schema(self) -> dict[str, Any]:
        return self._root_node.to_schema()  # type: ignore[no-any-return]


# genson's metaclass derives STRATEGIES (ours first, then genson's, deduplicated) and builds a
# plain SchemaNode subclass for every builder class. Our node adds the folding and the fast
# dispatch, so both are installed here, after the class exists — explicitly, with the values the
# metaclass would compute, because a mypyc-compiled build (setup.py) sets class attributes after
# the metaclass has run.
_STRATEGIES = tuple(
    dict.fromkeys((*DriftSchemaBuilder.EXTRA_STRATEGIES, *SchemaBuilder.STRATEGIES))
)
setattr(DriftSchemaBuilder, "STRATEGIES", _STRATEGIES)  # noqa: B010 (mypyc: no class assignment)
setattr(DriftNode, "STRATEGIES", _STRATEGIES)  # noqa: B010
setattr(DriftSchemaBuilder, "NODE_CLASS", DriftNode)  # noqa: B010


def schema_of(*schemas: dict[str, Any]) -> dict[str, Any]:
    """The merge of learned schemas (what a builder fed all their objects would give)."""
    builder = DriftSchemaBuilder()
    for schema in schemas:
        builder.add_schema(schema)
    return builder.to_schema()


_INT = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+")


def wire_value(text: str) -> Any:
    """A query/path/header value typed from its wire string: ``"42"`` → 42, ``"true"`` → True."""
    if _INT.fullmatch(text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    if _FLOAT.fullmatch(text):
        return float(text)
    return text

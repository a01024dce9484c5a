"""What every Postgres driver adapter records and replays the same way (psycopg2, psycopg 3,
asyncpg): the tagged value encoding, the call dict and the lookup of its recorded answer.

Values (params and cells) use a tagged JSON encoding; every JSON object in it is a tag:
``{"$decimal": "1.50"}``, ``{"$datetime": iso}``, ``{"$date": iso}``, ``{"$time": iso}``,
``{"$timedelta": [days, seconds, microseconds]}``, ``{"$uuid": "..."}``, ``{"$b64": "..."}``
(bytea), ``{"$json": value}`` (json/jsonb objects), ``{"$tuple": [...]}``, ``{"$float": "nan"}``,
``{"$repr": "..."}`` (anything else, one way). Calls are ``{"kind": "postgres", "command":
{"sql", "params", "many"?}, "result": {...}}`` whatever the driver, so replay matching
(``drift_diff.replay.match_datastores``) and redaction treat them alike.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from driftdiff_sdk.context import ExchangeContext
from driftdiff_sdk.outbound import error_class_name, replay_lookup
from driftdiff_sdk.recorder import count_error

__all__ = [
    "COPY_REFUSED",
    "decode_value",
    "encode_params",
    "encode_value",
    "is_copy",
    "postgres_call",
    "recorded_result",
    "row_values",
]


def encode_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, list):
        return [encode_value(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(v) for v in value]}
    if isinstance(value, dict):
        return {"$json": value}
    if type(value).__name__ in ("Json", "Jsonb"):  # psycopg2 ``.adapted``, psycopg 3 ``.obj``
        for attr in ("adapted", "obj"):
            wrapped = getattr(value, attr, None)
            if wrapped is not None:
                return {"$json": wrapped}
    return {"$repr": str(value)}


def decode_value(value: Any, binary: Callable[[bytes], Any] = memoryview) -> Any:
    """A tagged value back to Python; ``binary`` makes bytea what the driver gives (psycopg2 a
    ``memoryview``, psycopg 3 and asyncpg ``bytes``)."""
    if isinstance(value, list):
        return [decode_value(v, binary) for v in value]
    if isinstance(value, dict) and len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$tuple":
            return tuple(decode_value(v, binary) for v in inner)
        if tag == "$b64":
            return binary(base64.b64decode(inner))
        decoder = _DECODERS.get(tag)
        if decoder is not None:
            return decoder(inner)
    return value


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "$decimal": Decimal,
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
    "$timedelta": lambda v: dt.timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
    "$uuid": uuid.UUID,
    "$json": lambda v: v,
    "$float": float,
    "$repr": lambda v: v,
}


def encode_params(params: Any) -> Any:
    """A statement's parameters: a list, a name → value map, or ``None``."""
    if params is None:
        return None
    if isinstance(params, dict):
        return {str(k): encode_value(v) for k, v in params.items()}
    return [encode_value(v) for v in params]


def row_values(row: Any) -> list[Any]:
    """One result row (a tuple, a dict, a record) as its encoded cell values, in column order."""
    if isinstance(row, dict):
        return [encode_value(v) for v in row.values()]
    return [encode_value(v) for v in row]


def postgres_call(ctx: ExchangeContext, sql: str, params: Any, many: bool) -> dict[str, Any] | None:
    """The call dict of one statement (``params`` as the driver took them, not yet encoded)."""
    try:
        command: dict[str, Any] = {"sql": sql}
        if many:
            command["params"] = [encode_params(p) for p in params]
            command["many"] = True
        else:
            command["params"] = encode_params(params)
        return {"kind": "postgres", "seq": ctx.next_seq(), "command": command}
    except Exception:
        count_error("outbound postgres")
        return None


def recorded_result(
    call: dict[str, Any] | None, sql: str, error: Callable[[str, str], BaseException]
) -> dict[str, Any]:
    """The recorded ``result`` of ``call`` (``MockNotFound`` propagates); a recorded failure is
    raised as ``error(class_name, message)``, the driver's own exception for it."""
    entry = replay_lookup(call or {"kind": "postgres", "command": {"sql": sql}})
    if entry.get("error") is not None:
        raise error(*error_class_name(entry))
    result = entry.get("result")
    return result if isinstance(result, dict) else {}


#: What a driver or ORM asks the server about itself when it connects (SQLAlchemy's dialect
#: initialisation); answered in replay outside an exchange, where nothing was recorded.
_SERVER_FACTS: dict[str, tuple[str, str]] = {
    "select pg_catalog.version()": ("version", "PostgreSQL 15.0 (driftdiff replay)"),
    "select version()": ("version", "PostgreSQL 15.0 (driftdiff replay)"),
    "select current_schema()": ("current_schema", "public"),
    "show standard_conforming_strings": ("standard_conforming_strings", "on"),
    "show transaction isolation level": ("transaction_isolation", "read committed"),
    "show transaction_isolation": ("transaction_isolation", "read committed"),
    "show transaction_read_only": ("transaction_read_only", "off"),
    "show transaction_deferrable": ("transaction_deferrable", "off"),
}


#: Statements that answer rows: outside an exchange in replay they answer none.
_ROW_STATEMENTS = ("select", "with", "show", "values", "table")


def startup_result(sql: str) -> dict[str, Any]:
    """The answer to a statement made outside any exchange in replay: the server facts above,
    no rows to a query, otherwise an empty result with the statement's command tag."""
    key = " ".join(sql.split()).rstrip(";").strip().lower()
    fact = _SERVER_FACTS.get(key)
    if fact is None and key.startswith(_ROW_STATEMENTS):
        # a catalog look-up (SQLAlchemy's has_table, psycopg's TypeInfo): "no such thing"
        return {"columns": [], "types": [], "rows": [], "rowcount": 0, "status": "SELECT 0"}
    if fact is None:
        return {"status": (sql.split() or ["OK"])[0].upper(), "rowcount": -1}
    column, value = fact
    return {
        "columns": [column],
        "types": [25],  # text
        "rows": [[value]],
        "rowcount": 1,
        "status": "SELECT 1" if key.startswith("select") else "SHOW",
    }


#: Why replay refuses ``COPY`` in every driver (psycopg2, psycopg 3, asyncpg).
COPY_REFUSED = (
    "driftdiff replay cannot answer COPY: it is not recorded (use execute/executemany, or run "
    "this request against a real database)"
)


def is_copy(sql: str) -> bool:
    return sql.lstrip()[:4].upper() == "COPY"

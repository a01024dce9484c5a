"""Server-side (named) cursors of psycopg 3 and psycopg2, recorded as the app reads them.

A named cursor's statement is recorded when the cursor is declared (``execute``) like any
statement (``_pg_values``); its rows cannot be read ahead and scrolled back (a ``NO SCROLL``
cursor moves forward only), so they are appended to the recorded result as the app fetches them
(``fetchone``/``fetchmany``/``fetchall``/iteration): the recording holds the rows the request
read. In replay a named cursor is answered like a client-side one from those rows.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from driftdiff_sdk.context import ExchangeContext
from driftdiff_sdk.outbound._pg_values import row_values
from driftdiff_sdk.recorder import count_error

__all__ = ["declared", "fetched"]

#: cursor -> the recorded result its fetched rows are appended to
_open: WeakKeyDictionary[Any, dict[str, Any]] = WeakKeyDictionary()


def declared(ctx: ExchangeContext, call: dict[str, Any], started: float, cursor: Any) -> None:
    """A named cursor was declared: record ``call`` now, its rows as they are fetched."""
    try:
        call["duration_ms"] = round((time.perf_counter() - started) * 1000.0, 3)
        result: dict[str, Any] = {"rowcount": 0, "status": "SELECT 0"}
        description = cursor.description
        if description is not None:
            result["columns"] = [d.name for d in description]
            result["types"] = [d.type_code for d in description]
            result["rows"] = []
        call["result"] = result
        ctx.outbound.append(call)
        _open[cursor] = result
    except Exception:
        count_error("outbound postgres")


def fetched(cursor: Any, rows: Iterable[Any]) -> None:
    """Rows the app fetched from a recorded named cursor (nothing for other cursors)."""
    result = _open.get(cursor)
    if result is None:
        return
    try:
        if "rows" not in result:  # a cursor declared before its description was known
            description = cursor.description or ()
            result["columns"] = [d.name for d in description]
            result["types"] = [d.type_code for d in description]
            result["rows"] = []
        result["rows"].extend(row_values(r) for r in rows)
        result["rowcount"] = len(result["rows"])
        result["status"] = f"SELECT {result['rowcount']}"
    except Exception:
        count_error("outbound postgres")

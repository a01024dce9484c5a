"""Redaction of datastore calls: Redis commands and results, Postgres statements and rows.

Every string in a call is scanned for secret shapes (``Redactor.redact_json``). On top of that,
the *names* a datastore gives its values say which values are secret, as a JSON key does:

* **Redis** — a key with a segment named like a secret (``session:<id>``, ``user:7:password``,
  ``api_token``) holds a secret value: ``SET``/``SETEX``/``GETSET``/``MSET``/``APPEND`` values,
  list/set members pushed to it, and what ``GET``/``MGET``/``LRANGE``... return for it; the
  segment that follows such a name (the session id itself) is masked in the key. A hash field
  named like a secret (``HSET user:7 password ...``) has its value masked in ``HSET``/``HMSET``
  and in what ``HGET``/``HMGET``/``HGETALL`` return.
* **Postgres** — a column named like a secret (``password``, ``api_token``, ``password_hash``)
  masks the parameter bound to it (``col = %s``, ``%(password)s``, the matching position of an
  ``INSERT ... (cols) VALUES (...)``), string literals assigned or compared to it in the SQL
  text, and its cells in result rows.

Masked values keep their tagged encoding (``{"$bytes": ...}`` stays a tag). Stdlib only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from driftdiff_sdk.redact import Redactor

__all__ = ["redact_postgres", "redact_redis"]

_KEY_SPLIT = re.compile(r"[:./|{}]")
# where a write command's value arguments are: (first index, last index); options such as
# ``SET k v EX 60`` are not values
_ALL = 1 << 30
_REDIS_VALUES = {
    "SET": (2, 2), "SETNX": (2, 2), "GETSET": (2, 2), "APPEND": (2, 2), "SETEX": (3, 3),
    "PSETEX": (3, 3), "SETRANGE": (3, 3), "LSET": (3, 3), "PUBLISH": (2, 2), "LPUSH": (2, _ALL),
    "RPUSH": (2, _ALL), "LPUSHX": (2, _ALL), "RPUSHX": (2, _ALL), "SADD": (2, _ALL),
}  # fmt: skip
_REDIS_HASH_WRITES = frozenset({"HSET", "HMSET", "HSETNX"})
_REDIS_KEY_READS = frozenset(
    {"GET", "GETDEL", "GETEX", "GETSET", "LRANGE", "SMEMBERS", "LPOP", "RPOP", "SPOP", "LINDEX"}
)


def _mask(r: Redactor, value: Any) -> Any:
    return r.mask_json(value)


def _secret_name(r: Redactor, name: Any) -> bool:
    if not isinstance(name, str):
        return False
    return any(r.is_secret_key(seg) for seg in _KEY_SPLIT.split(name) if seg)


def _redis_key(r: Redactor, key: Any) -> Any:
    """A key with the segment after a secret-named one masked (``session:<id>``)."""
    if not isinstance(key, str):
        return r.redact_json(key)
    parts = re.split(r"([:./|])", key)
    changed = False
    for i in range(2, len(parts), 2):
        if r.is_secret_key(parts[i - 2]) and len(parts[i]) >= 8 and not r.is_secret_key(parts[i]):
            parts[i] = r.mask_value(parts[i])
            changed = True
    return r.redact_text("".join(parts) if changed else key)


def redact_redis(r: Redactor, command: Any, result: Any) -> tuple[Any, Any]:
    """``(command, result)`` of one Redis call (or pipeline), redacted."""
    if not isinstance(command, list) or not command or not isinstance(command[0], str):
        return r.redact_json(command), r.redact_json(result)
    name = command[0].upper()
    if name in ("MULTI", "PIPELINE"):
        results = result if isinstance(result, list) else [None] * (len(command) - 1)
        pairs = [redact_redis(r, c, res) for c, res in zip(command[1:], results, strict=False)]
        new_result = [p[1] for p in pairs] if isinstance(result, list) else r.redact_json(result)
        return [command[0], *(p[0] for p in pairs)], new_result
    if name == "AUTH":
        return [command[0], *(_mask(r, a) for a in command[1:])], r.redact_json(result)
    args = command[1:]
    out: list[Any] = [command[0]]
    secret_key = bool(args) and _secret_name(r, args[0])
    if name in ("MSET", "MSETNX"):
        for i, arg in enumerate(args):
            if i % 2 == 0:
                out.append(_redis_key(r, arg))
            else:
                out.append(_mask(r, arg) if _secret_name(r, args[i - 1]) else r.redact_json(arg))
        return out, r.redact_json(result)
    if name in _REDIS_HASH_WRITES:
        out.append(_redis_key(r, args[0]) if args else None)
        for i, arg in enumerate(args[1:]):
            secret = secret_key or (i % 2 == 1 and _secret_name(r, args[i]))
            out.append(_mask(r, arg) if secret and i % 2 == 1 else r.redact_json(arg))
        return out[: len(command)], r.redact_json(result)
    first, last = _REDIS_VALUES.get(name, (_ALL, _ALL))
    for i, arg in enumerate(args, start=1):
        if i == 1:
            out.append(_redis_key(r, arg))
        elif secret_key and first <= i <= last:
            out.append(_mask(r, arg))
        else:
            out.append(r.redact_json(arg))
    return out, _redis_result(r, name, args, result, secret_key)


def _redis_result(r: Redactor, name: str, args: list[Any], result: Any, secret_key: bool) -> Any:
    if result is None:
        return None
    if name in _REDIS_KEY_READS and secret_key:
        return _mask(r, result)
    if name == "HGET" and (secret_key or (len(args) > 1 and _secret_name(r, args[1]))):
        return _mask(r, result)
    if name in ("HMGET", "MGET") and isinstance(result, list):
        names = args[1:] if name == "HMGET" else args
        return [
            _mask(r, v) if secret_key or _secret_name(r, n) else r.redact_json(v)
            for n, v in zip(names, result, strict=False)
        ]
    if name == "HGETALL":
        pairs = result.get("$map") if isinstance(result, dict) else None
        if isinstance(pairs, list):
            return {"$map": [_hash_pair(r, p, secret_key) for p in pairs]}
    return r.redact_json(result)


def _hash_pair(r: Redactor, pair: Any, secret_key: bool) -> Any:
    if not isinstance(pair, list) or len(pair) != 2:
        return r.redact_json(pair)
    field = pair[0].get("$bytes") if isinstance(pair[0], dict) else pair[0]
    secret = secret_key or _secret_name(r, field)
    return [r.redact_json(pair[0]), _mask(r, pair[1]) if secret else r.redact_json(pair[1])]


# --- postgres --------------------------------------------------------------------------------

_SQL_TOKEN = re.compile(r"'(?:[^']|''){0,65536}'|%\((\w{1,128})\)s|%s|\$([1-9]\d{0,4})\b")
_COLUMN_BEFORE = re.compile(
    r'([A-Za-z_][\w$]{0,62})"?\s*(?:=|<>|!=|:=|\blike|\bilike)\s*$', re.IGNORECASE
)
_INSERT = re.compile(
    r'\binsert\s+into\s+[\w$."]{1,200}\s*\(([^()]{1,4096})\)\s*values\s*', re.IGNORECASE
)


def _insert_slots(sql: str) -> dict[int, str]:
    """Start offset of each ``VALUES`` item → its column, for ``INSERT ... (cols) VALUES``."""
    slots: dict[int, str] = {}
    m = _INSERT.search(sql)
    if m is None:
        return slots
    columns = [c.strip().strip('"') for c in m.group(1).split(",")]
    pos, n = m.end(), len(sql)
    while pos < n and sql[pos] == "(":  # each row tuple
        index, depth, quote, start = 0, 0, False, pos + 1
        pos += 1
        while pos < n:
            ch = sql[pos]
            if quote:
                quote = ch != "'"
            elif ch == "'":
                quote = True
            elif ch == "(":
                depth += 1
            elif ch == ")" and depth:
                depth -= 1
            elif ch in ",)" and not depth:
                item = sql[start:pos]
                if index < len(columns):
                    slots[start + len(item) - len(item.lstrip())] = columns[index]
                index += 1
                start = pos + 1
                if ch == ")":
                    pos += 1
                    break
            pos += 1
        while pos < n and sql[pos] in " ,\r\n\t":
            pos += 1
    return slots


def _sql_plan(r: Redactor, sql: str) -> tuple[str, list[bool], set[str]]:
    """The SQL with secret literals masked; which positional placeholders are secret; which
    named ones."""
    slots = _insert_slots(sql)
    positional: list[bool] = []
    named: set[str] = set()
    parts: list[str] = []
    last = 0
    for m in _SQL_TOKEN.finditer(sql):
        before = _COLUMN_BEFORE.search(sql, max(0, m.start() - 80), m.start())
        column = slots.get(m.start()) or (before.group(1) if before else None)
        secret = column is not None and r.is_secret_key(column)
        token = m.group()
        if token.startswith("'"):
            if secret:
                inner = token[1:-1].replace("''", "'")
                parts += [sql[last : m.start()], "'", r.mask_value(inner).replace("'", "''"), "'"]
                last = m.end()
        elif m.group(1) is not None:
            if secret or r.is_secret_key(m.group(1)):
                named.add(m.group(1))
        elif m.group(2) is not None:  # asyncpg's numbered ``$1``: the same parameter may recur
            index = int(m.group(2)) - 1
            positional += [False] * (index + 1 - len(positional))
            positional[index] = positional[index] or secret
        else:
            positional.append(secret)
    parts.append(sql[last:])
    return "".join(parts), positional, named


def _params(r: Redactor, params: Any, positional: list[bool], named: set[str]) -> Any:
    if isinstance(params, dict):
        return {k: _mask(r, v) if k in named else r.redact_json(v) for k, v in params.items()}
    if isinstance(params, list):
        return [
            _mask(r, v) if i < len(positional) and positional[i] else r.redact_json(v)
            for i, v in enumerate(params)
        ]
    return r.redact_json(params)


def redact_postgres(r: Redactor, command: Any, result: Any) -> tuple[Any, Any]:
    """``(command, result)`` of one Postgres statement, redacted."""
    if not isinstance(command, dict) or not isinstance(command.get("sql"), str):
        return r.redact_json(command), r.redact_json(result)
    sql, positional, named = _sql_plan(r, command["sql"])
    new = dict(command)
    new["sql"] = r.redact_text(sql)
    if "params" in new:
        params = new["params"]
        if new.get("many") is True and isinstance(params, list):  # executemany: one per row
            new["params"] = [_params(r, p, positional, named) for p in params]
        else:
            new["params"] = _params(r, params, positional, named)
    return new, _rows(r, result)


def _rows(r: Redactor, result: Any) -> Any:
    if not isinstance(result, dict) or not isinstance(result.get("rows"), list):
        return r.redact_json(result)
    columns = result.get("columns")
    secret = [isinstance(c, str) and r.is_secret_key(c) for c in columns or []]
    out = dict(result)
    out["rows"] = [
        [
            _mask(r, cell) if i < len(secret) and secret[i] else r.redact_json(cell)
            for i, cell in enumerate(row)
        ]
        if isinstance(row, list)
        else r.redact_json(row)
        for row in result["rows"]
    ]
    return out

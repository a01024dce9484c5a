"""Matching recorded Redis and Postgres calls (the datastore half of :mod:`.matching`).

Strict on purpose: a query never gets the answer of a different query. Following Tusk Drift's
lesson, "no mock found" beats a fuzzy wrong mock for SQL.

* **redis** — ``exact``: the command and its arguments in wire form (``AUTH`` secrets and
  ``HELLO ... AUTH user pass`` are not compared: they are redacted in the recording);
  ``dynamic-args``: arguments compared by kind (a fresh UUID in a key matches a recorded UUID).
* **postgres** — ``exact``: normalised SQL (comments dropped, whitespace collapsed, case
  folded outside quotes and dollar-quoted strings, spaces around ``( ) ,`` and a trailing ``;``
  dropped) and the parameters exactly; ``dynamic-params``: the same SQL, parameters compared by
  kind (uuid, timestamp, date, e-mail, ...); ``redacted-params``: the same, once what the
  recording redacted by name (a ``password`` column's parameter or literal) is masked on both
  sides. There is no step that relaxes the SQL itself.

Reads (Redis read-only commands, ``SELECT``/``SHOW``/``EXPLAIN``/``VALUES``) made more often than
recorded replay their last answer, like safe HTTP calls; writes match one-to-one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from driftdiff_sdk.kinds import is_email, normalize_kinds
from driftdiff_sdk.redact import RedactionConfig, Redactor

__all__ = [
    "DATASTORE_KINDS",
    "STAGES",
    "by_kind",
    "comparable",
    "describe",
    "explain",
    "is_read",
    "normalize_sql",
    "shape_of",
]

Matcher = Callable[[dict[str, Any], dict[str, Any]], "str | None"]

DATASTORE_KINDS = frozenset({"redis", "postgres"})

#: Redis commands that only read (a repeat replays the last recorded answer).
_READ_NAMES = """
    GET MGET GETRANGE STRLEN EXISTS TYPE TTL PTTL EXPIRETIME KEYS SCAN RANDOMKEY DBSIZE PING
    ECHO HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HSCAN HRANDFIELD LRANGE LINDEX LLEN
    LPOS SMEMBERS SISMEMBER SMISMEMBER SCARD SRANDMEMBER SSCAN SINTER SUNION SDIFF ZRANGE
    ZRANGEBYSCORE ZRANGEBYLEX ZREVRANGE ZREVRANGEBYSCORE ZREVRANGEBYLEX ZSCORE ZMSCORE ZRANK
    ZREVRANK ZCARD ZCOUNT ZLEXCOUNT ZSCAN XRANGE XREVRANGE XLEN XINFO PFCOUNT GETBIT BITCOUNT
    BITPOS GEOPOS GEODIST GEOHASH GEOSEARCH OBJECT MEMORY INFO TIME LASTSAVE SELECT AUTH HELLO
    CLIENT"""
REDIS_READS = frozenset(_READ_NAMES.split())
_SQL_READS = ("select", "show", "explain", "values", "table")

_REDACTOR: Redactor | None = None
_QUOTED = re.compile(
    r"'(?:[^']|'')*'?"  # string literal ('' escapes)
    r'|"(?:[^"]|"")*"?'  # quoted identifier
    r"|\$(?P<tag>[A-Za-z_]\w*)?\$.*?(?:\$(?P=tag)?\$|$)"  # dollar-quoted string
    r"|--[^\n]*"  # line comment
    r"|/\*.*?(?:\*/|$)",  # block comment
    re.DOTALL,
)


def normalize_sql(sql: Any) -> str:
    """SQL text with layout and keyword case removed; literals and quoted names kept as is."""
    text = str(sql or "")
    parts: list[str] = []
    pos = 0
    for m in _QUOTED.finditer(text):
        parts.append(_fold(text[pos : m.start()]))
        token = m.group()
        parts.append(" " if token.startswith(("--", "/*")) else token)
        pos = m.end()
    parts.append(_fold(text[pos:]))
    out = re.sub(r" *([(),]) *", r"\1", re.sub(r"\s+", " ", "".join(parts)))
    return out.strip().rstrip(";").strip()


def _fold(chunk: str) -> str:
    return re.sub(r"\s+", " ", chunk).lower()


def by_kind(value: Any) -> Any:
    """Dynamic values replaced by their kind; so are the values the recording redacted
    (e-mails, named parameters such as ``%(password)s``), which cannot be compared."""
    value = normalize_kinds(value)
    if isinstance(value, list):
        return [by_kind(v) for v in value]
    if isinstance(value, dict):
        return {k: "<redacted>" if _secret_key(k) else by_kind(v) for k, v in value.items()}
    if isinstance(value, str) and is_email(value):
        return "<email>"
    return value


def _secret_key(name: str) -> bool:
    global _REDACTOR
    if _REDACTOR is None:
        _REDACTOR = Redactor()
    return not name.startswith("$") and _REDACTOR.is_secret_key(name)


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- redis -----------------------------------------------------------------------------------


def _redis(call: dict[str, Any]) -> list[Any]:
    command = call.get("command")
    if not isinstance(command, list):
        return [command]
    if command and isinstance(command[0], list):  # never: pipelines start with their kind
        return command
    if command and command[0] in ("MULTI", "PIPELINE"):
        return [command[0], *(_redis({"command": c}) for c in command[1:])]
    name = str(command[0]).upper() if command else ""
    if name == "AUTH":
        return [name, *["*"] * (len(command) - 1)]
    if name == "HELLO":
        out = list(command)
        for i, arg in enumerate(out[:-1]):
            if isinstance(arg, str) and arg.upper() == "AUTH":
                out[i + 1 : i + 3] = ["*"] * len(out[i + 1 : i + 3])
                break
        return out
    return [name, *command[1:]]


def match_redis(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    ca, cb = _redis(a), _redis(b)
    return None if ca == cb else f"command differed ({_short(ca)} vs {_short(cb)})"


def match_redis_dynamic(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    ca, cb = _redis(comparable(a)), _redis(comparable(b))
    return None if by_kind(ca) == by_kind(cb) else match_redis(a, b)


class _SameMask(Redactor):
    """The recording's redaction rules, with one constant placeholder: a value the recording
    redacted by its name (``HSET user:7 password …``, ``SET session:<id> …``, a ``password``
    column's parameter or literal) and the live value at the same place compare equal."""

    def mask_value(self, value: str) -> str:
        return "<redacted>"

    def _mask_number(self, value: int | float) -> int | float:
        return 0


_SAME_MASK: _SameMask | None = None


def comparable(call: dict[str, Any]) -> dict[str, Any]:
    global _SAME_MASK
    if _SAME_MASK is None:
        _SAME_MASK = _SameMask(RedactionConfig.from_env())
    return _SAME_MASK.redact_outbound(call)


# --- postgres ----------------------------------------------------------------------------------


def _pg(call: dict[str, Any]) -> dict[str, Any]:
    command = call.get("command")
    return command if isinstance(command, dict) else {"sql": command}


def match_sql(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    sa, sb = normalize_sql(_pg(a).get("sql")), normalize_sql(_pg(b).get("sql"))
    if sa == sb and bool(_pg(a).get("many")) == bool(_pg(b).get("many")):
        return None
    return f"SQL differed ({_short(sa)} vs {_short(sb)})"


def match_params(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    pa, pb = _pg(a).get("params"), _pg(b).get("params")
    return None if pa == pb else f"params differed ({_short(pa)} vs {_short(pb)})"


def match_params_dynamic(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    pa, pb = _pg(a).get("params"), _pg(b).get("params")
    return None if by_kind(pa) == by_kind(pb) else match_params(a, b)


def match_sql_redacted(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """The same SQL once literals the recording redacted (a ``password`` column's) are masked
    on both sides; otherwise what ``match_sql`` says."""
    if match_sql(comparable(a), comparable(b)) is None:
        return None
    return match_sql(a, b)


def match_params_redacted(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """Parameters by kind once the ones the recording redacted are masked on both sides."""
    return match_params_dynamic(comparable(a), comparable(b))


STAGES: dict[str, tuple[tuple[str, tuple[Matcher, ...]], ...]] = {
    "redis": (("exact", (match_redis,)), ("dynamic-args", (match_redis_dynamic,))),
    "postgres": (
        ("exact", (match_sql, match_params)),
        ("dynamic-params", (match_sql, match_params_dynamic)),
        ("redacted-params", (match_sql_redacted, match_params_redacted)),
    ),
}
_EXPLAIN: dict[str, tuple[tuple[str, Matcher, int], ...]] = {
    "redis": (("command", match_redis_dynamic, 1),),
    "postgres": (("SQL", match_sql, 2), ("params", match_params_dynamic, 1)),
}


def shape_of(recorded: list[dict[str, Any]], call: dict[str, Any]) -> dict[str, Any] | None:
    """A ``describe`` lookup (``{"kind": "postgres", "command": {"sql", "describe": true}}``):
    a statement's columns asked before it runs (asyncpg's ``get_attributes``, read by
    SQLAlchemy). Answered by a recorded call of the same SQL, one whose result holds column
    types first; the caller leaves it unused: the statement itself is matched when it runs."""
    if call.get("kind") != "postgres" or not _pg(call).get("describe"):
        return None
    same = [
        e
        for e in recorded
        if e.get("kind") == "postgres"
        and not _pg(e).get("many")
        and normalize_sql(_pg(e).get("sql")) == normalize_sql(_pg(call).get("sql"))
    ]
    typed = [e for e in same if isinstance(e.get("result"), dict) and "types" in e["result"]]
    found = typed or same
    return found[0] if found else None


def is_read(call: dict[str, Any]) -> bool:
    """Whether a repeat of ``call`` may replay its last recorded answer."""
    kind = call.get("kind")
    if kind == "redis":
        command = _redis(call)
        if command and command[0] in ("MULTI", "PIPELINE"):
            return all(isinstance(c, list) and c and c[0] in REDIS_READS for c in command[1:])
        return bool(command) and command[0] in REDIS_READS
    if kind == "postgres":
        if _pg(call).get("many"):
            return False
        first = normalize_sql(_pg(call).get("sql")).split(" ", 1)[0]
        return first.lstrip("(") in _SQL_READS
    return True


def describe(call: dict[str, Any]) -> str:
    """``postgres SELECT name FROM items WHERE id = %s`` / ``redis GET cart:1``."""
    kind = str(call.get("kind"))
    if kind == "postgres":
        sql = " ".join(str(_pg(call).get("sql") or "").split())
        return f"postgres {_short(sql, 160)}"
    command = call.get("command")
    if isinstance(command, list) and all(isinstance(c, str) for c in command):
        return f"redis {_short(' '.join(command), 120)}"
    return f"{kind} {_short(command, 120)}"


def explain(candidates: list[tuple[int, dict[str, Any], bool]], call: dict[str, Any]) -> str:
    """Why no recorded call of the same kind answers ``call``.

    ``candidates`` are (index, recorded entry, used) of the recorded calls of ``call``'s kind.
    """
    kind = str(call.get("kind"))
    checks = _EXPLAIN[kind]
    n = len(candidates)
    head = f"found {n} recorded {kind} call{'s' if n != 1 else ''}"
    scored = []
    for index, entry, used in candidates:
        results = [(label, m(entry, call), weight) for label, m, weight in checks]
        score = sum(weight for _, failure, weight in results if failure is not None)
        scored.append((score, used, index, entry, results))
    scored.sort(key=lambda s: (s[0], s[1], s[2]))
    score, _, index, entry, results = scored[0]
    if score == 0:
        times = sum(1 for s in scored if s[0] == 0)
        return (
            f"{head}; #{index + 1} ({describe(entry)}) matched but was already used (recorded "
            f"{times} time{'s' if times != 1 else ''}; a write replays only as often as it was "
            "recorded)"
        )
    if results[0][1] is not None:  # the SQL / command itself differed: nothing else matters
        return f"{head}; closest #{index + 1}: {results[0][1]}"
    parts = [f"{label} matched" if failure is None else failure for label, failure, _ in results]
    return f"{head}; closest #{index + 1}: {', '.join(parts)}"

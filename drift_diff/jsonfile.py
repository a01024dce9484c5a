"""Reading JSON input files: every failure is an ``InputError`` naming the file.

``read_bytes`` and ``read_text`` map the file system's errors (no such file, cannot read, not
UTF-8); ``parse_json`` maps the parser's (not valid JSON with line and column, nested too
deeply); ``load_json`` is both. A UTF-8 byte order mark is accepted.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from drift_diff.errors import InputError

__all__ = [
    "MAX_YAML_NODES",
    "expanded_nodes",
    "load_json",
    "not_a_file_problem",
    "parse_json",
    "read_bytes",
    "read_text",
]


def not_a_file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be read as a file without blocking (a FIFO, a socket), or None.

    Reading a FIFO waits for a writer forever; refusing it up front keeps every command from
    hanging on a mistyped path. Missing files and other errors are left to the read itself.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "not a regular file (a FIFO or socket)"
    return None


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    p = Path(path)
    problem = not_a_file_problem(p)
    if problem:
        raise InputError(p, problem)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except OSError as exc:
        raise InputError(p, f"cannot read: {exc.strerror or exc}") from None


def read_text(path: str | os.PathLike[str]) -> str:
    """The file as UTF-8 text (a byte order mark is dropped)."""
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(Path(path), f"not UTF-8 text (byte {exc.start})") from None


def parse_json(text: str, path: str | os.PathLike[str]) -> Any:
    """``text`` (read from ``path``) parsed as JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            Path(path),
            f"not valid JSON: {exc.msg}",
            position=f"line {exc.lineno} column {exc.colno}",
        ) from None
    except RecursionError:
        raise InputError(Path(path), "JSON nested too deeply") from None
    except ValueError:  # an integer literal past Python's digit limit (sys.get_int_max_str_digits)
        raise InputError(Path(path), "not valid JSON: a number has too many digits") from None


def load_json(path: str | os.PathLike[str]) -> Any:
    return parse_json(read_text(path), path)


#: YAML aliases share one node many times; past this size, expanded, a document is refused
MAX_YAML_NODES = 2_000_000


def expanded_nodes(value: Any, memo: dict[int, int] | None = None) -> int:
    """How many nodes ``value`` (parsed YAML) has once aliases are expanded, in linear time.

    A recursive alias raises ``RecursionError``, which callers report as nested too deeply.
    """
    if not isinstance(value, (dict, list)):
        return 1
    memo = {} if memo is None else memo
    key = id(value)
    if key not in memo:
        children = value.values() if isinstance(value, dict) else value
        memo[key] = 1 + sum(expanded_nodes(child, memo) for child in children)
    return memo[key]

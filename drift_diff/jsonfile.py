"""Reading JSON input files: every failure is an ``InputError`` naming the file.

``read_bytes`` and ``read_text`` map the file system's errors (no such file, cannot read, not
UTF-8); ``parse_json`` maps the parser's (not valid JSON with line and column, nested too
deeply); ``load_json`` is both. ``REV:path`` (no such local file) is read from git
(``drift_diff.gitinput``), and a store URL (``s3://bucket/baselines/shop.json``, ``gs://…``,
``az://…``) through fsspec (``drift_diff.traffic.urls``; ``file://`` is a local path). A UTF-8
byte order mark is accepted.

Every read is bounded, so a hostile input (``/dev/zero``, a sparse 2 GB file, a gzip bomb)
is one clear error instead of unbounded memory: a file read whole is refused past
``max_input_bytes()`` (``DRIFTDIFF_MAX_INPUT_MB``, default 512), one line of a trace file past
``max_line_bytes()`` (``DRIFTDIFF_MAX_LINE_MB``, default 64), and a gzip stream that inflates
more than ``GZIP_MAX_RATIO`` times its size past ``GZIP_RATIO_FLOOR`` bytes.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from typing import IO, Any

from drift_diff.errors import InputError
from drift_diff.gitinput import read_git_bytes, split_rev_path
from drift_diff.traffic.urls import as_source, remote_object, store_errors

__all__ = [
    "GZIP_MAX_RATIO",
    "GZIP_RATIO_FLOOR",
    "MAX_YAML_NODES",
    "bounded_lines",
    "expanded_nodes",
    "load_json",
    "max_input_bytes",
    "max_line_bytes",
    "not_a_file_problem",
    "parse_json",
    "read_bytes",
    "read_text",
]

_MIB = 1 << 20
#: a gzip stream that inflates more than this many times its size...
GZIP_MAX_RATIO = 500
#: ...once past this many bytes is refused as a gzip bomb (real traces inflate 5-50 times)
GZIP_RATIO_FLOOR = 64 * _MIB


def _limit(variable: str, default_mib: int) -> int:
    text = os.environ.get(variable, "")
    try:
        value = float(text) if text.strip() else float(default_mib)
    except ValueError:
        value = float(default_mib)
    if not value > 0 or value == float("inf"):
        value = float(default_mib)
    return max(1, int(value * _MIB))


def max_input_bytes() -> int:
    """Largest file read whole (HAR, OpenAPI, baseline, config): ``DRIFTDIFF_MAX_INPUT_MB``."""
    return _limit("DRIFTDIFF_MAX_INPUT_MB", 512)


def max_line_bytes() -> int:
    """Longest line of a trace file: ``DRIFTDIFF_MAX_LINE_MB``."""
    return _limit("DRIFTDIFF_MAX_LINE_MB", 64)


def _too_big(limit: int, variable: str) -> str:
    return f"larger than the {limit / _MIB:g} MiB input limit (raise it with {variable})"


def not_a_file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be read as a file (a FIFO, a socket, a device), or None.

    Reading a FIFO waits for a writer forever and ``/dev/zero`` never ends; refusing them up
    front keeps every command from hanging on a mistyped path. Missing files and other errors
    are left to the read itself.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "not a regular file (a FIFO or socket)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (a device)"
    return None


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The whole file, refused past ``max_input_bytes()`` (checked on the size first, then while
    reading, for devices and files that grow)."""
    rev_path = split_rev_path(path)
    if rev_path is not None:
        return read_git_bytes(*rev_path, max_input_bytes())
    source = as_source(path)
    if isinstance(source, str):
        return _read_url(source)
    p = source
    problem = not_a_file_problem(p)
    if problem:
        raise InputError(p, problem)
    limit = max_input_bytes()
    try:
        with open(p, "rb") as fh:
            if os.fstat(fh.fileno()).st_size > limit:
                raise InputError(p, _too_big(limit, "DRIFTDIFF_MAX_INPUT_MB"))
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except IsADirectoryError:
        raise InputError(p, "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(p, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(p, _too_big(limit, "DRIFTDIFF_MAX_INPUT_MB"))
    return data


def _read_url(url: str) -> bytes:
    """The whole object ``url`` names, under the same limit as a local file."""
    limit = max_input_bytes()
    obj = remote_object(url)
    if obj.size > limit:
        raise InputError(url, _too_big(limit, "DRIFTDIFF_MAX_INPUT_MB"))
    with store_errors(url, "no such object"), obj.open() as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(url, _too_big(limit, "DRIFTDIFF_MAX_INPUT_MB"))
    return data


def bounded_lines(
    fh: IO[bytes], path: str | os.PathLike[str], *, compressed_size: int | None = None
) -> Iterator[bytes]:
    """The lines of ``fh`` like ``for line in fh``, but a line longer than ``max_line_bytes()``
    is an ``InputError`` (line number given), and so is a gzip stream (``compressed_size``: the
    file's size on disk) inflating past ``GZIP_MAX_RATIO`` times that size."""
    limit = max_line_bytes()
    bomb = (
        None if compressed_size is None else max(GZIP_RATIO_FLOOR, compressed_size * GZIP_MAX_RATIO)
    )
    total = 0
    lineno = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) > limit:
            raise InputError(
                path,
                "line " + _too_big(limit, "DRIFTDIFF_MAX_LINE_MB").replace("larger", "longer"),
                position=f"line {lineno}",
            )
        total += len(line)
        if bomb is not None and total > bomb:
            raise InputError(
                path,
                f"gzip data inflates more than {GZIP_MAX_RATIO} times its size (a gzip bomb?)",
                position=f"line {lineno}",
            )
        yield line


def read_text(path: str | os.PathLike[str]) -> str:
    """The file as UTF-8 text (a byte order mark is dropped)."""
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(as_source(path), f"not UTF-8 text (byte {exc.start})") from None


def parse_json(text: str, path: str | os.PathLike[str]) -> Any:
    """``text`` (read from ``path``) parsed as JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            as_source(path),
            f"not valid JSON: {exc.msg}",
            position=f"line {exc.lineno} column {exc.colno}",
        ) from None
    except RecursionError:
        raise InputError(as_source(path), "JSON nested too deeply") from None
    except ValueError:  # an integer literal past Python's digit limit (sys.get_int_max_str_digits)
        raise InputError(as_source(path), "not valid JSON: a number has too many digits") from None


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

"""Streaming reader and atomic writer of exchange trace files (``*.jsonl``, ``*.jsonl.gz``).

Reading streams line by line, so memory does not grow with the number of exchanges. A partial
last line (a crash mid-write) is skipped and counted in ``ReadStats``; any other malformed line
is an ``InputError`` naming the file and line number. A response body that a capture stored
still compressed (``Content-Encoding`` and base64 bytes) is read decoded, so inference, replay
and diffs see content whichever way it was captured.
"""

from __future__ import annotations

import glob
import gzip
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import orjson
from driftdiff_sdk.exchange import EXCHANGE_FORMAT_MAJOR, decoded_response
from driftdiff_sdk.limits import MAX_LINE_DEPTH
from driftdiff_sdk.writer import write_jsonl_atomic

from drift_diff.errors import DriftDiffError, FormatVersionError, InputError, quoted
from drift_diff.jsonfile import bounded_lines
from drift_diff.records import ExchangeRecord
from drift_diff.traffic.urls import RemoteFile, expand_url, is_url, local_path, store_error

__all__ = [
    "ReadStats",
    "SourceFile",
    "check_exchange",
    "expand_folders",
    "file_size",
    "find_trace_files",
    "iter_raw_exchanges",
    "parse_line",
    "too_deep",
    "too_deep_error",
    "write_exchanges",
]

TRACE_SUFFIXES = (".jsonl", ".jsonl.gz")

#: A file to read: a local path, or an object named by a URL (``s3://...``).
SourceFile = Path | RemoteFile


@dataclass
class ReadStats:
    files: int = 0
    exchanges: int = 0
    partial_lines: int = 0
    partial_files: list[str] = field(default_factory=list)


def find_trace_files(
    sources: Iterable[str | os.PathLike[str] | SourceFile],
) -> list[SourceFile]:
    """Trace files named directly or found (recursively, sorted) under folders."""
    return expand_folders(
        sources, TRACE_SUFFIXES, "folder holds no trace files (*.jsonl, *.jsonl.gz)"
    )


def expand_folders(
    sources: Iterable[str | os.PathLike[str] | SourceFile],
    suffixes: tuple[str, ...],
    empty_folder: str,
) -> list[SourceFile]:
    """Files named directly, plus the files ending in ``suffixes`` under folders (sorted).

    URLs (``s3://bucket/traces/*.jsonl.gz``) expand through ``drift_diff.traffic.urls``;
    ``file://`` URLs are local paths. A folder with none of them, or a path that does not
    exist, is an ``InputError``.
    """
    files: list[SourceFile] = []
    for src in sources:
        if isinstance(src, RemoteFile):
            files.append(src)
            continue
        if is_url(src):
            assert isinstance(src, str)
            local = local_path(src)
            if local is None:
                files.extend(expand_url(src, suffixes, empty_folder))
                continue
            src = local
        p = Path(src)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.name.endswith(suffixes))
            if not found:
                raise InputError(p, empty_folder)
            files.extend(found)
        elif p.is_file():
            files.append(p)
        elif p.exists():
            raise InputError(p, "not a regular file or folder (a pipe or device is not read)")
        elif glob.has_magic(str(p)):  # a quoted pattern the shell did not expand
            matched = sorted(Path(m) for m in glob.glob(str(p), recursive=True))
            matched = [m for m in matched if m.is_file()]
            if not matched:
                raise InputError(p, "no file matches this pattern")
            files.extend(matched)
        else:
            raise InputError(p, "no such file or folder")
    return files


def _open(path: SourceFile) -> IO[bytes]:
    if isinstance(path, RemoteFile):
        raw = path.open()
        return cast(IO[bytes], gzip.open(raw, "rb")) if path.name.endswith(".gz") else raw
    if path.name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def file_size(path: SourceFile) -> int:
    """Bytes on disk (or in the store) of a source file."""
    return path.size if isinstance(path, RemoteFile) else path.stat().st_size


def check_exchange(obj: Any) -> str | None:
    """Why ``obj`` is not a usable exchange line, or ``None`` when it is.

    The fields the pipeline relies on are checked on every line (cheap); the full JSON Schema in
    ``schemas/exchange.schema.json`` documents the rest and is enforced by tests on our writers.
    """
    if not isinstance(obj, dict):
        return "line is not a JSON object"
    fmt = obj.get("format")
    if not isinstance(fmt, str) or not fmt.startswith("driftdiff.exchange/"):
        return "not a driftdiff exchange (missing or wrong 'format')"
    req, resp = obj.get("request"), obj.get("response")
    if not isinstance(req, dict) or not isinstance(resp, dict):
        return "exchange needs 'request' and 'response' objects"
    if not isinstance(req.get("method"), str) or not isinstance(req.get("path"), str):
        return "request needs string 'method' and 'path'"
    status = resp.get("status")
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 999:
        return "response needs an integer 'status' between 100 and 999"
    for name, part in (("request", req), ("response", resp)):
        problem = _multimap_problem(part.get("headers"), f"{name}.headers")
        if problem:
            return problem
        for key in _TEXT_FIELDS:
            if key in part and type(part[key]) is not str and part[key] is not None:
                return f"{name}.{key} must be a string"
        if "truncated" in part and type(part["truncated"]) is not bool:
            return f"{name}.truncated must be true or false"
    problem = _multimap_problem(req.get("query"), "request.query")
    if problem:
        return problem
    for key in ("service", "source", "route", "id"):
        value = obj.get(key)
        if value is not None and type(value) is not str:
            return f"'{key}' must be a string"
    outbound = obj.get("outbound")
    if outbound is not None and (
        type(outbound) is not list or not all(type(o) is dict for o in outbound)
    ):
        return "'outbound' must be a list of objects"
    return None


#: Optional string fields of a request/response object.
_TEXT_FIELDS = ("content_type", "body_text", "body_b64", "url")


def _multimap_problem(value: Any, where: str) -> str | None:
    """``None`` when ``value`` is absent or an object of lists of strings (headers, query)."""
    if value is None:
        return None
    if type(value) is dict:
        for values in value.values():
            if type(values) is not list:
                break
            for item in values:
                if type(item) is not str:
                    break
            else:
                continue
            break
        else:
            return None
    return f"'{where}' must be an object of lists of strings"


def too_deep(line: bytes, obj: Any) -> bool:
    """True when the line's JSON nests deeper than ``MAX_LINE_DEPTH``.

    Counting brackets in the raw bytes is C-speed and rules out almost every line; only lines
    with that many brackets are walked (iteratively) to measure the real depth.
    """
    if line.count(b"{") + line.count(b"[") <= MAX_LINE_DEPTH:
        return False
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_LINE_DEPTH:
            return True
        if type(value) is dict:
            stack.extend((v, depth + 1) for v in value.values() if type(v) in (dict, list))
        elif type(value) is list:
            stack.extend((v, depth + 1) for v in value if type(v) in (dict, list))
    return False


def too_deep_error(exc: orjson.JSONDecodeError) -> bool:
    """orjson refuses documents nested past its own depth limit with a decode error."""
    return "depth" in exc.msg or "recursion" in exc.msg


_MAJORS: dict[str, int | None] = {}


def _major(fmt: str) -> int | None:
    major = _MAJORS.get(fmt, -1)
    if major == -1:
        try:
            major = int(fmt.rsplit("/", 1)[1].split(".", 1)[0])
        except (IndexError, ValueError):
            major = None
        if len(_MAJORS) < 64:  # a trace file names one or two versions
            _MAJORS[fmt] = major
    return major


def iter_raw_exchanges(
    sources: Iterable[str | os.PathLike[str] | SourceFile], stats: ReadStats | None = None
) -> Iterator[ExchangeRecord]:
    """Yield each exchange line (validated against the exchange schema), file by file, in order."""
    stats = stats if stats is not None else ReadStats()
    for path in find_trace_files(sources):
        stats.files += 1
        yield from _read_file(path, stats)


def _read_file(path: SourceFile, stats: ReadStats) -> Iterator[ExchangeRecord]:
    lineno = 0
    try:
        with _open(path) as fh:
            pending: bytes | None = None
            gz = file_size(path) if path.name.endswith(".gz") else None
            for line in bounded_lines(fh, str(path), compressed_size=gz):
                if pending is not None:
                    yield parse_line(path, lineno, pending)
                    stats.exchanges += 1
                    pending = None
                lineno += 1
                if line.isspace():  # (lines are never empty)
                    continue
                if not line.endswith(b"\n"):
                    # a last line without newline: complete JSON is fine, a fragment is
                    # what a crash left behind
                    try:
                        obj = orjson.loads(line)
                    except orjson.JSONDecodeError as exc:
                        if too_deep_error(exc):
                            raise InputError(
                                path,
                                f"JSON nested deeper than {MAX_LINE_DEPTH} levels",
                                position=f"line {lineno}",
                            ) from None
                        stats.partial_lines += 1
                        stats.partial_files.append(f"{path}:{lineno}")
                        continue
                    yield _validated(path, lineno, obj, line)
                    stats.exchanges += 1
                    continue
                pending = line
            if pending is not None:
                yield parse_line(path, lineno, pending)
                stats.exchanges += 1
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        if isinstance(exc, FileNotFoundError):
            raise InputError(path, "no such file") from None
        if isinstance(exc, (EOFError, gzip.BadGzipFile, zlib.error)) or "gzip" in str(exc).lower():
            raise InputError(
                path, f"corrupt or truncated gzip data ({exc})", position=f"line {lineno + 1}"
            ) from None
        if isinstance(path, RemoteFile):
            raise store_error(path.url, exc, "no such object") from None
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    except DriftDiffError:
        raise
    except Exception as exc:  # a store's own exceptions (botocore, google-auth, azure)
        if isinstance(path, RemoteFile):
            raise store_error(path.url, exc, "no such object") from None
        raise


def parse_line(path: SourceFile, lineno: int, line: bytes) -> ExchangeRecord:
    """The exchange of one complete line, checked as every reader checks it (a compressed
    response body decoded), or the ``InputError`` that names ``path`` and ``lineno``."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if too_deep_error(exc):
            raise InputError(
                path, f"JSON nested deeper than {MAX_LINE_DEPTH} levels", position=f"line {lineno}"
            ) from None
        raise InputError(path, f"not valid JSON ({exc})", position=f"line {lineno}") from None
    return _validated(path, lineno, obj, line)


def _validated(path: SourceFile, lineno: int, obj: Any, line: bytes) -> ExchangeRecord:
    if too_deep(line, obj):
        raise InputError(
            path, f"JSON nested deeper than {MAX_LINE_DEPTH} levels", position=f"line {lineno}"
        )
    problem = check_exchange(obj)
    if problem is None:
        major = _major(obj["format"])
        if major != EXCHANGE_FORMAT_MAJOR:
            raise FormatVersionError(
                path,
                f"exchange format {quoted(obj['format'])} is not supported by this driftdiff "
                f"(reads major version {EXCHANGE_FORMAT_MAJOR}); upgrade driftdiff",
                position=f"line {lineno}",
            )
        # a body a capture stored compressed is read as its content (Content-Encoding stays)
        response = obj["response"]
        decoded = decoded_response(response)
        if decoded is not response:
            obj["response"] = decoded
        return obj  # type: ignore[no-any-return]
    raise InputError(path, problem, position=f"line {lineno}")


def write_exchanges(path: str | os.PathLike[str], exchanges: Iterable[ExchangeRecord]) -> int:
    """Atomically write exchange lines to ``path``; returns how many were written."""
    return write_jsonl_atomic(path, exchanges)

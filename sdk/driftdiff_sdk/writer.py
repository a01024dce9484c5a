"""Writing exchange lines (JSONL, optionally gzip) — the one writer every source uses.

``write_jsonl_atomic`` (``write_atomic`` for lines already dumped) writes a whole file at once
through a temporary file and ``os.replace`` (a reader never sees half a file; a failed write
leaves the previous file as it was).
The background writer used by the middlewares builds on ``dump_line``.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import IO, Any, cast

__all__ = ["dump_line", "write_atomic", "write_jsonl_atomic"]


# The C encoder json.dumps builds for these options on every call, built once (stateless
# without the circular-reference markers, so it can be shared between threads).
_encode: Callable[[Any, int], list[str]] | None = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, str, encode_basestring, None, ":", ",", False, False, True)
)


def dump_line(obj: Mapping[str, Any]) -> bytes:
    """One exchange as a compact JSON line ending in ``\\n``. Keys stay in the order they were
    built (not sorted): a JSON body keeps the client's key order, which replay sends again."""
    try:
        text = "".join(_encode(obj, 0)) if _encode is not None else _dumps(obj)
    except RecursionError:
        text = _dumps(obj)  # a circular reference: let json.dumps say so, as it always has
    return text.encode("utf-8", "surrogatepass").replace(b"\n", b"\\n") + b"\n"


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)


def write_jsonl_atomic(path: str | os.PathLike[str], lines: Iterable[Mapping[str, Any]]) -> int:
    """Write ``lines`` to ``path`` (gzip when it ends in ``.gz``) atomically; returns the count."""
    count = 0

    def dumped() -> Iterator[bytes]:
        nonlocal count
        for obj in lines:
            yield dump_line(obj)
            count += 1

    write_atomic(path, dumped())
    return count


def write_atomic(path: str | os.PathLike[str], chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` (lines already dumped) to ``path`` (gzip when it ends in ``.gz``)
    through a temporary file and ``os.replace``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            stream: IO[bytes] = raw
            if target.name.endswith(".gz"):
                stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="wb", mtime=0))
            try:
                for chunk in chunks:
                    stream.write(chunk)
            finally:
                if stream is not raw:
                    stream.close()
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

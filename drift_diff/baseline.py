"""Loading and saving baseline files (``schemas/baseline.schema.json``).

Saving is deterministic (sorted keys, fixed indentation, trailing newline) and atomic, so the
same traffic gives a byte-identical file and a failed write never leaves half a baseline.
Merging lives in ``drift_diff.infer.merge`` (it needs the inference strategies).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from drift_diff.errors import FormatVersionError, InputError
from drift_diff.model import BASELINE_FORMAT, Baseline
from drift_diff.schemas import validation_error

__all__ = [
    "baseline_from_dict",
    "dumps_baseline",
    "is_baseline_file",
    "load_baseline",
    "save_baseline",
]

_MAJOR = int(BASELINE_FORMAT.rsplit("/", 1)[1])


def dumps_baseline(baseline: Baseline) -> str:
    return json.dumps(baseline.to_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def save_baseline(baseline: Baseline, path: str | os.PathLike[str]) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = dumps_baseline(baseline)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def baseline_from_dict(data: Any, path: str | os.PathLike[str] = "<baseline>") -> Baseline:
    """Validate a parsed baseline document (format version first, then the schema)."""
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith(
        "driftdiff.baseline/"
    ):
        raise InputError(path, "not a driftdiff baseline (missing or wrong 'format')")
    fmt = str(data["format"])
    try:
        major = int(fmt.rsplit("/", 1)[1].split(".", 1)[0])
    except ValueError:
        major = -1
    if major != _MAJOR:
        raise FormatVersionError(
            path,
            f"baseline format {fmt!r} is not supported "
            f"(this driftdiff reads major version {_MAJOR})",
        )
    problem = validation_error("baseline", data)
    if problem:
        raise InputError(path, f"invalid baseline: {problem}")
    return Baseline(
        service=data["service"],
        endpoints=data["endpoints"],
        sources=data.get("sources", {}),
        format=fmt,
    )


def is_baseline_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a JSON file whose first bytes announce a driftdiff baseline."""
    p = Path(path)
    if not p.is_file() or p.name.endswith((".jsonl", ".jsonl.gz", ".har")):
        return False
    try:
        with open(p, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b'"driftdiff.baseline/' in head


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except OSError as exc:
        raise InputError(p, f"cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(p, f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            p, f"not valid JSON: {exc.msg}", position=f"line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError(p, "JSON nested too deeply") from None
    return baseline_from_dict(data, p)

"""Either side of a diff, normalised to a baseline.

``load_side(path)`` accepts a baseline file, an OpenAPI 3.0/3.1 document (JSON or YAML,
detected by its ``openapi`` key), a HAR file, or trace files/folders (``*.jsonl[.gz]``), which
are inferred into a baseline on the fly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drift_diff.baseline import baseline_from_dict, is_baseline_file, load_baseline
from drift_diff.errors import InputError
from drift_diff.model import Baseline

__all__ = ["load_side"]

_TRACE_SUFFIXES = (".jsonl", ".jsonl.gz")


def _infer(paths: list[Path]) -> Baseline:
    # imported lazily: inference is another stage, and heavy
    from drift_diff.infer import infer_baseline
    from drift_diff.traffic.sources import SourceStats, iter_source_exchanges

    stats = SourceStats()
    baseline = infer_baseline(iter_source_exchanges([str(p) for p in paths], stats=stats))
    if not baseline.endpoints:
        # an empty contract would report every endpoint of the other side as removed
        raise InputError(", ".join(map(str, paths)), f"no API exchange found ({stats.summary()})")
    return baseline


def load_side(path: str | Path, *, validate_openapi: bool = True) -> Baseline:
    """Read ``path`` as whatever it is and return it as a ``Baseline``.

    ``validate_openapi=False`` diffs OpenAPI documents that openapi-spec-validator refuses
    (best effort); by default they are an ``OpenAPIError`` with the validator's message.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(p, "no such file or directory")
    name = p.name.lower()
    if p.is_dir() or name.endswith(_TRACE_SUFFIXES) or name.endswith(".har"):
        return _infer([p])
    if is_baseline_file(p):
        return load_baseline(p)
    from drift_diff.openapi.importer import import_openapi, load_document

    doc: Any = load_document(p)
    if isinstance(doc, dict) and "openapi" in doc:
        return import_openapi(doc, source=str(p), validate=validate_openapi)
    if isinstance(doc, dict) and str(doc.get("format", "")).startswith("driftdiff.baseline/"):
        return baseline_from_dict(doc, p)
    if isinstance(doc, dict) and isinstance(doc.get("log"), dict):
        return _infer([p])
    if isinstance(doc, dict) and "swagger" in doc:
        raise InputError(p, "Swagger/OpenAPI 2.0 is not supported; convert it to OpenAPI 3 first")
    raise InputError(
        p, "not a driftdiff baseline, an OpenAPI 3 document, a HAR file or a trace file"
    )

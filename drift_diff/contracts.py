"""Contract loading, the layer above ``diff/``: any input -> ``Baseline``, and two inputs compared.

``load_side(path)`` accepts a baseline file, an OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON
or YAML, detected by its ``openapi``/``swagger`` key), a HAR file, or trace files/folders
(``*.jsonl[.gz]``), which are inferred into a baseline on the fly; each may be a local path,
``REV:path`` or a store URL (``s3://``, ``gs://``, ``az://``).

``load_input(path)`` says what kind of input it was as well (``DiffSide``): a side that is
traffic (HAR, traces, replay output) is judged coverage-aware when it is the current side —
what it did not exercise is *unobserved*, not removed (``drift_diff.diff.coverage``). A
baseline file is a contract even when it was learned from traffic: it is judged strictly.

``diff_sides(base, current)`` compares two loaded inputs with the semantics their kinds call
for. This module reads files and calls inference and the OpenAPI importer, so that ``diff/``
only judges contracts: it depends on the model, never on how a contract was obtained.
"""

from __future__ import annotations

import datetime as dt
import glob
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drift_diff.baseline import baseline_from_dict, is_baseline_file, load_baseline
from drift_diff.errors import InputError
from drift_diff.gitinput import split_rev_path
from drift_diff.model import Baseline, DiffResult, DiffSide, SideKind
from drift_diff.traffic.urls import as_source, names_many, source_name

if TYPE_CHECKING:
    from drift_diff.config import Config

__all__ = ["DiffSide", "SideKind", "diff_sides", "load_input", "load_side"]

_TRACE_SUFFIXES = (".jsonl", ".jsonl.gz")


def _infer(paths: list[Path | str]) -> Baseline:
    # imported lazily: inference is another stage, and heavy
    from drift_diff.infer import infer_baseline
    from drift_diff.infer.learned import learned_part
    from drift_diff.traffic.sources import SourceStats, iter_source_exchanges

    stats = SourceStats()
    exchanges = iter_source_exchanges([str(p) for p in paths], stats=stats, learn=learned_part)
    baseline = infer_baseline(exchanges)
    if not baseline.endpoints:
        # an empty contract would report every endpoint of the other side as removed
        raise InputError(", ".join(map(str, paths)), f"no API exchange found ({stats.summary()})")
    return baseline


def load_side(
    path: str | Path, *, validate_openapi: bool = True, allow_file_refs: bool = False
) -> Baseline:
    """Read ``path`` as whatever it is and return it as a ``Baseline``."""
    return load_input(
        path, validate_openapi=validate_openapi, allow_file_refs=allow_file_refs
    ).baseline


def load_input(
    path: str | Path, *, validate_openapi: bool = True, allow_file_refs: bool = False
) -> DiffSide:
    """Read ``path`` as whatever it is: its ``Baseline`` and the ``SideKind`` it was.

    ``path`` is a local path, ``REV:path`` or a store URL (``s3://bucket/baselines/shop.json``;
    a glob or prefix URL, or one ending in ``.jsonl[.gz]``/``.har``, is traffic).
    ``validate_openapi=False`` diffs OpenAPI documents that openapi-spec-validator refuses
    (best effort); by default they are an ``OpenAPIError`` with the validator's message.
    ``allow_file_refs`` lets an OpenAPI document's relative file ``$ref`` reach files under its
    own folder (by default only local ``#/...`` references are followed; a document read from
    a store has no folder to reach).
    """
    p = as_source(path)
    if isinstance(p, Path):
        pattern = not p.exists() and glob.has_magic(str(p))  # a quoted glob of trace files
        if not p.exists() and not pattern and split_rev_path(path) is None:  # REV:path: git
            raise InputError(p, "no such file or directory")
        if p.is_dir() or pattern or _is_traffic_name(p.name):
            return DiffSide(_infer([p]), SideKind.TRAFFIC)
        if is_baseline_file(p):
            return DiffSide(load_baseline(p), SideKind.BASELINE)
    elif _is_traffic_name(source_name(p)) or names_many(p):
        return DiffSide(_infer([p]), SideKind.TRAFFIC)
    from drift_diff.openapi.importer import import_openapi, load_document

    doc: Any = load_document(p)
    if isinstance(doc, dict) and ("openapi" in doc or "swagger" in doc):  # 2.0 is converted
        return DiffSide(
            import_openapi(
                doc,
                source=str(p),
                validate=validate_openapi,
                folder=p.parent if isinstance(p, Path) else None,
                allow_file_refs=allow_file_refs,
            ),
            SideKind.OPENAPI,
        )
    if isinstance(doc, dict) and str(doc.get("format", "")).startswith("driftdiff.baseline/"):
        return DiffSide(baseline_from_dict(doc, p), SideKind.BASELINE)
    if isinstance(doc, dict) and isinstance(doc.get("log"), dict):
        return DiffSide(_infer([p]), SideKind.TRAFFIC)
    raise InputError(
        p, "not a driftdiff baseline, an OpenAPI 3 document, a HAR file or a trace file"
    )


def _is_traffic_name(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(_TRACE_SUFFIXES) or lowered.endswith(".har")


def diff_sides(
    base: DiffSide, current: DiffSide, *, config: Config | None = None, today: dt.date | None = None
) -> DiffResult:
    """``diff.diff_baselines`` with the semantics the current side's kind calls for."""
    from drift_diff.diff import Semantics, diff_baselines

    semantics = Semantics.OBSERVED if current.is_traffic else Semantics.STRICT
    before, after = base.baseline, current.baseline
    if SideKind.OPENAPI in (base.kind, current.kind):
        # what an OpenAPI document cannot say is not compared against one
        from drift_diff.openapi.headers import comparable

        before, after = comparable(before), comparable(after)
    return diff_baselines(before, after, config=config, today=today, semantics=semantics)

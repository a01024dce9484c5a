"""The pre-merge gate: replay the recording, learn the live contract, diff it with the baseline.

``run_check`` returns one :class:`CheckResult` whose ``result`` holds the replay findings
(per-request: mock-not-found, failed requests, response mismatches) and the schema changes of the
rule catalogue side by side, with the configuration's severity overrides and ignores applied to
both. The baseline should be the one learned from the same recording: then an unchanged build
gives no breaking change (endpoints of the baseline that the recording never exercised would be
reported as removed).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drift_diff.baseline import load_baseline
from drift_diff.model import Baseline, ExchangeRecord, Severity
from drift_diff.records import as_exchange
from drift_diff.replay.findings import ReplayRun
from drift_diff.replay.fold import file_under_templates, fold_replay_findings
from drift_diff.replay.runner import ReplayOptions, run_replay
from drift_diff.traffic.traces import ReadStats, iter_raw_exchanges

if TYPE_CHECKING:
    from drift_diff.config import Config
    from drift_diff.model import DiffResult

__all__ = ["CheckResult", "load_recording", "replay_result", "run_check", "with_config_paths"]


@dataclass
class CheckResult:
    replay: ReplayRun
    result: DiffResult
    baseline: Baseline | None = None
    current: Baseline | None = None
    notes: list[str] = field(default_factory=list)

    def fails(self, threshold: Severity) -> bool:
        return self.result.fails(threshold)


def load_recording(
    sources: Iterable[str | os.PathLike[str]],
) -> tuple[list[ExchangeRecord], ReadStats]:
    """Every recorded exchange of ``sources`` (trace files or folders), and the read statistics."""
    stats = ReadStats()
    exchanges = [e for e in iter_raw_exchanges(sources, stats) if e.get("source") != "replay"]
    return exchanges, stats


def with_config_paths(options: ReplayOptions, config: Config | None) -> ReplayOptions:
    if config is not None and config.replay_ignore_paths:
        options.ignore_paths = [*options.ignore_paths, *config.replay_ignore_paths]
    if config is not None and config.replay_clock is not None:
        options.clock = config.replay_clock
    return options


def replay_result(run: ReplayRun, config: Config | None = None) -> DiffResult:
    """The replay findings as a ``DiffResult`` (severity overrides and ignores applied)."""
    from drift_diff.diff import apply_config

    return apply_config(list(run.changes), config)


def run_check(
    baseline: Baseline | str | os.PathLike[str],
    sources: Iterable[str | os.PathLike[str]],
    options: ReplayOptions,
    *,
    config: Config | None = None,
) -> CheckResult:
    """Replay ``sources`` against the build and judge it against ``baseline``."""
    from drift_diff.config import Config
    from drift_diff.diff import apply_config, diff_baselines
    from drift_diff.infer import infer_baseline

    base = baseline if isinstance(baseline, Baseline) else load_baseline(baseline)
    recorded, stats = load_recording(sources)
    run = run_replay(recorded, with_config_paths(options, config))
    templates = config.templates() if config is not None else []
    live = (as_exchange(e) for e in run.live)  # built by the replay runner
    current = infer_baseline(live, service=base.service or None, sources=None, templates=templates)
    # the notice policy only: overrides and ignores apply once, below, to both kinds of finding
    policy = Config(deprecation_days=config.deprecation_days) if config is not None else None
    schema = diff_baselines(base, current, config=policy)
    keys = [*base.endpoints, *current.endpoints]
    replay_changes = file_under_templates(run.changes, keys)
    replay_left, schema_changes = fold_replay_findings(
        replay_changes, schema.changes, config.severity if config is not None else None
    )
    result = apply_config([*replay_left, *schema_changes], config)
    notes = list(result.expired_ignores)
    if stats.partial_lines:
        notes.append(
            f"skipped {stats.partial_lines} partial trace line(s): "
            + ", ".join(stats.partial_files[:3])
        )
    skipped = sum(1 for o in run.outcomes if o.skipped or o.error)
    if skipped:
        notes.append(
            f"{skipped} recorded request(s) were not replayed; the live baseline has "
            "fewer samples than the recording"
        )
    result.expired_ignores = notes
    return CheckResult(replay=run, result=result, baseline=base, current=current, notes=notes)

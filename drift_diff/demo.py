"""``driftdiff demo``: the whole story on the bundled example, in one call.

1. start the example's upstream and shop v1 (uvicorn, free ports on 127.0.0.1, each in its own
   process group) with the SDK recording;
2. drive ``examples/traffic.py`` against v1;
3. stop v1 gracefully so the SDK flushes its traces;
4. learn the baseline from those traces;
5. stop the upstream — from now on nothing answers on its port;
6. replay the recording against shop v2 (outbound calls answered from the recording) and diff;
7. hand back the findings, rendered.

Every process started here is stopped on the way out, also on Ctrl-C and on errors. Readiness is
polled with a deadline, never waited for with fixed sleeps. No typer here: the CLI is a thin
shell over :func:`run_demo`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from drift_diff.demo_processes import DemoError, start_server
from drift_diff.errors import DriftDiffError, UsageError, quoted
from drift_diff.model import Baseline, Change
from drift_diff.processes import ServiceProcess, free_port

if TYPE_CHECKING:
    from drift_diff.model import DiffResult
    from drift_diff.replay.check import CheckResult

__all__ = [
    "DEMO_SERVICE",
    "DemoError",
    "DemoOptions",
    "DemoResult",
    "find_examples_dir",
    "run_demo",
]

#: The service name recorded by the example (``DRIFTDIFF_SERVICE``) and written in its baseline.
DEMO_SERVICE = "shop"
#: The port of ``SHOP_UPSTREAM_URL``'s default (``examples/shop_common/upstream.py``).
DEFAULT_UPSTREAM_PORT = 8081

Narrate = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    """What :func:`run_demo` does beyond the defaults (which need no arguments at all)."""

    examples_dir: Path | None = None  #: default: the package's ``_examples`` (see below)
    workdir: Path | None = None  #: default: a temporary folder, removed afterwards
    report_format: str = "text"
    write_baseline: Path | None = None  #: also save the learned v1 baseline here
    write_traces: Path | None = None  #: also copy the recorded v1 traces into this folder
    ready_deadline_s: float = 30.0
    stop_deadline_s: float = 10.0


@dataclass
class DemoResult:
    baseline: Baseline  #: learned from v1's recording
    result: DiffResult  #: what the check of v2 found
    report: str  #: ``result`` rendered in the requested format
    exchanges: int  #: how many exchanges v1 recorded
    started_pids: list[int] = field(default_factory=list)  #: processes the demo started itself

    @property
    def changes(self) -> list[Change]:
        return self.result.changes

    @property
    def summary(self) -> dict[str, int]:
        return self.result.summary


# --------------------------------------------------------------------------- the story


def find_examples_dir(explicit: Path | None = None) -> Path:
    """The example service: ``explicit``, else the copy shipped in the package.

    The package's ``_examples`` is package data in a wheel and a symlink to the checkout's
    ``examples/`` in a source tree (editable installs included), so both find it the same way.
    """
    if explicit is not None:
        candidates = [explicit]
    else:
        shipped = resources.files("drift_diff").joinpath("_examples")
        candidates = [Path(str(shipped))]
    for folder in candidates:
        if (folder / "shop_v1" / "app.py").is_file() and (folder / "traffic.py").is_file():
            return folder.resolve()
    raise UsageError(
        f"the example service is not at {candidates[0]}; reinstall driftdiff "
        "(its wheel ships the example) or pass --examples DIR"
    )


def stage_examples(examples: Path, workdir: Path) -> Path:
    """A private copy of the example's sources in ``workdir``: the services it starts import
    from there (their bytecode caches included), never from the installed package's folder."""
    dest = workdir / "examples"
    if dest.resolve() == examples:  # --workdir . in a checkout: already where it would go
        return examples
    if dest.resolve().is_relative_to(examples) or examples.is_relative_to(dest.resolve()):
        raise UsageError(f"--workdir {workdir} overlaps the example service at {examples}")
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(
        examples,
        dest,
        ignore=shutil.ignore_patterns("__pycache__", "traces", "generated", "*.pyc"),
    )
    return dest


def uvicorn_argv(app: str, examples: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--app-dir",
        str(examples),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


def run_demo(options: DemoOptions | None = None, narrate: Narrate | None = None) -> DemoResult:
    """Record v1, learn the baseline, check v2 against it; see the module docstring."""
    from drift_diff.report import FORMATS

    options = options or DemoOptions()
    say: Narrate = narrate or (lambda _msg: None)
    if options.report_format not in FORMATS:  # before minutes of work, not after
        raise UsageError(
            f"unknown --format {quoted(options.report_format)} (choose from {', '.join(FORMATS)})"
        )
    examples = find_examples_dir(options.examples_dir)
    missing = [m for m in ("fastapi", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(
            f"the example service needs {' and '.join(missing)}: pip install fastapi uvicorn "
            "(or pip install -e '.[dev]')"
        )
    with contextlib.ExitStack() as stack:
        if options.workdir is not None:
            workdir = options.workdir.resolve()
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            workdir = Path(tempfile.mkdtemp(prefix="driftdiff-demo-"))
            stack.callback(shutil.rmtree, workdir, True)
        return _story(stack, stage_examples(examples, workdir), workdir, options, say)
    raise AssertionError("unreachable")  # pragma: no cover - ExitStack does not swallow


def _story(
    stack: contextlib.ExitStack, examples: Path, workdir: Path, options: DemoOptions, say: Narrate
) -> DemoResult:
    traces = workdir / "traces"
    shutil.rmtree(traces, ignore_errors=True)  # a kept --workdir must not mix in an older run
    traces.mkdir()
    started: list[int] = []
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFTDIFF_")}

    def start(
        name: str, app: str, env: dict[str, str], port: int | None = None
    ) -> tuple[ServiceProcess, int]:
        port = port or free_port()
        on_start: list[ServiceProcess] = []
        try:
            server = start_server(
                name,
                uvicorn_argv(app, examples, port),
                port=port,
                env={**base_env, **env},
                cwd=workdir,
                log_path=workdir / f"{name.replace(' ', '-')}.log",
                deadline_s=options.ready_deadline_s,
                on_start=on_start,
            )
        finally:
            for begun in on_start:
                started.append(begun.pid)
                stack.callback(begun.stop, options.stop_deadline_s)
        return server, port

    say("1/6  starting the upstream (inventory + payments) and shop v1 with the SDK recording")
    # committed traces must replay without configuration: record them against the shop's
    # default upstream address, since recorded outbound calls are matched by origin
    upstream_port = DEFAULT_UPSTREAM_PORT if options.write_traces is not None else None
    upstream, upstream_port = start("upstream", "upstream.app:app", {}, upstream_port)
    upstream_url = f"http://127.0.0.1:{upstream_port}"
    upstream_env = {"SHOP_UPSTREAM_URL": upstream_url}
    v1, v1_port = start(
        "shop v1",
        "shop_v1.app:app",
        {
            **upstream_env,
            "DRIFTDIFF_MODE": "record",
            "DRIFTDIFF_SERVICE": DEMO_SERVICE,
            "DRIFTDIFF_TRACES_DIR": str(traces),
        },
    )
    v1_url = f"http://127.0.0.1:{v1_port}"
    say(f"     upstream on {upstream_url} (pid {upstream.pid}, port {upstream_port})")
    say(f"     shop v1 on {v1_url} (pid {v1.pid}, port {v1_port}); traces go to {traces}")

    say("2/6  driving traffic: examples/traffic.py (browsing, orders, a few errors on purpose)")
    _drive_traffic(examples, v1_url, workdir)

    say("3/6  stopping shop v1 gracefully so the SDK flushes its traces")
    v1.stop(options.stop_deadline_s)

    say("4/6  learning the baseline from the recorded exchanges")
    baseline, exchanges = _learn_baseline(traces)
    say(f"     {exchanges} exchanges -> {len(baseline.endpoints)} endpoints")
    if options.write_baseline is not None:
        _save_baseline(baseline, options.write_baseline)
        say(f"     baseline written to {options.write_baseline}")
    if options.write_traces is not None:
        _copy_traces(traces, options.write_traces)
        say(f"     traces copied to {options.write_traces}")

    say("5/6  stopping the upstream: from now on its answers come from the recording only")
    upstream.stop(options.stop_deadline_s)

    say("6/6  replaying the recording against shop v2 (upstream stopped) and diffing")
    outcome = _check_v2(examples, workdir, traces, baseline, upstream_env, options, say)
    return DemoResult(
        baseline=baseline,
        result=outcome.result,
        report=render(outcome.result, options.report_format),
        exchanges=exchanges,
        started_pids=started,
    )


def _drive_traffic(examples: Path, base_url: str, workdir: Path) -> None:
    argv = [sys.executable, str(examples / "traffic.py"), "--base-url", base_url, "--quiet"]
    try:
        done = subprocess.run(
            argv,
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DemoError("examples/traffic.py did not finish within 120s") from None
    if done.returncode != 0:
        raise DemoError(
            f"examples/traffic.py failed (exit {done.returncode}):\n"
            f"{(done.stdout + done.stderr).strip()[-1500:]}"
        )


def _learn_baseline(traces: Path) -> tuple[Baseline, int]:
    from drift_diff.infer import infer_baseline
    from drift_diff.traffic.traces import ReadStats, find_trace_files, iter_raw_exchanges

    try:
        find_trace_files([traces])
    except DriftDiffError:
        raise DemoError(
            f"shop v1 wrote no traces under {traces}: is the SDK installed (pip install -e ./sdk)?"
        ) from None
    stats = ReadStats()
    baseline = infer_baseline(iter_raw_exchanges([traces], stats), service=DEMO_SERVICE)
    return baseline, stats.exchanges


def _save_baseline(baseline: Baseline, path: Path) -> None:
    from drift_diff.baseline import save_baseline

    save_baseline(baseline, path)


def _copy_traces(traces: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.jsonl*"):
        old.unlink()
    for n, f in enumerate(sorted(p for p in traces.rglob("*") if p.is_file())):
        shutil.copy2(
            f, dest / (f"{DEMO_SERVICE}-{n:03d}.jsonl" + (".gz" if f.suffix == ".gz" else ""))
        )


def _check_v2(
    examples: Path,
    workdir: Path,
    traces: Path,
    baseline: Baseline,
    upstream_env: dict[str, str],
    options: DemoOptions,
    say: Narrate,
) -> CheckResult:
    from drift_diff.replay.check import run_check
    from drift_diff.replay.runner import ReplayOptions
    from drift_diff.replay.summary import summary_line

    port = free_port()
    replay = ReplayOptions(
        target=f"http://127.0.0.1:{port}",
        start=shlex.join(uvicorn_argv("shop_v2.app:app", examples, port)),
        ready_path="/health",
        ready_timeout=options.ready_deadline_s,
        cwd=str(workdir),
        # the upstream's address as recorded, though nothing listens there any more
        env={**upstream_env, "DRIFTDIFF_SERVICE": DEMO_SERVICE},
    )
    say(f"     shop v2 on {replay.target} (port {port}), started by the check in replay mode")
    outcome = run_check(baseline, [traces], replay)
    say(f"     {summary_line(outcome.replay)}")
    return outcome


def render(result: DiffResult, fmt: str) -> str:
    """The check's findings in ``fmt``, by the report package's renderers."""
    from drift_diff.report import render as render_report

    return render_report(result, fmt)

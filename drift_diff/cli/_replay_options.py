"""The options ``driftdiff replay`` and ``driftdiff check`` share, declared once.

``@replay_options`` adds them to a command's signature (where typer reads a command's options)
and hands the command all of them as one ``ReplayArgs`` in its ``args`` parameter;
``args.setup(inputs)`` parses them into the failure threshold, the configuration and the
``ReplayOptions`` of the run. A command declares only what is its own (``check``: the baseline).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from drift_diff.cli._common import (
    CONFIG_HELP,
    FAIL_ON_HELP,
    FORMAT_HELP,
    echo_err,
    fail_threshold,
    load_config_option,
    parse_headers,
    positive,
)
from drift_diff.model import Severity
from drift_diff.report_format import ReportFormat

if TYPE_CHECKING:
    from drift_diff.config import Config
    from drift_diff.replay import ReplayOptions

__all__ = ["ReplayArgs", "replay_options"]

#: name, type, declaration: the parameters ``replay_options`` adds, in ``--help`` order
_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("target", str, typer.Option(..., "--target", help="Base URL of the build under test.")),
    (
        "start",
        str | None,
        typer.Option(
            None,
            "--start",
            help="Command that starts the service "
            "(run in its own process group, stopped at the end).",
        ),
    ),
    ("ready", str, typer.Option("/", "--ready", help="Path polled until the target answers.")),
    ("ready_timeout", float, typer.Option(30.0, "--ready-timeout", help="Seconds to wait.")),
    (
        "out_dir",
        Path | None,
        typer.Option(
            None,
            "--out-dir",
            help="Folder for replay.jsonl (live exchanges) and service.log; not the report "
            "(see -o).",
        ),
    ),
    # the former name of --out-dir; elsewhere --out is a file (-o), so here it is deprecated
    ("out", Path | None, typer.Option(None, "--out", hidden=True)),
    (
        "concurrency",
        int,
        typer.Option(8, "--concurrency", help="Requests in flight at once."),
    ),
    ("timeout", float, typer.Option(10.0, "--timeout", help="Per-request timeout (seconds).")),
    (
        "header",
        list[str] | None,
        typer.Option(
            None, "--header", help="'Name: value' replacing the recorded header (repeatable)."
        ),
    ),
    (
        "credential",
        list[str] | None,
        typer.Option(
            None,
            "--credential",
            help="header:NAME=ENV_VAR, cookie:NAME=ENV_VAR or query:NAME=ENV_VAR: a fresh "
            "secret from the environment where the recording held a redacted one (repeatable).",
        ),
    ),
    (
        "parallel_mutations",
        bool,
        typer.Option(
            False,
            "--parallel-mutations",
            help="Do not keep POST/PUT/PATCH/DELETE in recorded order.",
        ),
    ),
    (
        "fail_on_breaking",
        bool,
        typer.Option(False, "--fail-on-breaking", help="Exit 1 on a breaking finding or failure."),
    ),
    (
        "fail_on",
        Severity | None,
        typer.Option(None, "--fail-on", case_sensitive=False, help=FAIL_ON_HELP),
    ),
    ("fmt", ReportFormat, typer.Option("text", "--format", "-f", help=FORMAT_HELP)),
    (
        "output",
        Path | None,
        typer.Option(None, "--output", "-o", help="Write the report here ('-': standard output)."),
    ),
    (
        "force",
        bool,
        typer.Option(
            False, "--force", help="Let --output replace a baseline, trace or OpenAPI file."
        ),
    ),
    (
        "config_file",
        Path | None,
        typer.Option(
            None,
            "--config",
            help=CONFIG_HELP,
        ),
    ),
    (
        "sandbox",
        str,
        typer.Option(
            "none",
            "--sandbox",
            help="none | netns: run --start's service in its own network namespace (Linux).",
        ),
    ),
)


@dataclass(frozen=True)
class ReplayArgs:
    """The shared options as given (names as in ``_OPTIONS``)."""

    target: str
    start: str | None
    ready: str
    ready_timeout: float
    out_dir: Path | None
    out: Path | None
    concurrency: int
    timeout: float
    header: list[str] | None
    credential: list[str] | None
    parallel_mutations: bool
    fail_on_breaking: bool
    fail_on: Severity | None
    fmt: ReportFormat
    output: Path | None
    force: bool
    config_file: Path | None
    sandbox: str

    def setup(
        self, inputs: Sequence[Path] = ()
    ) -> tuple[Severity | None, Config | None, ReplayOptions]:
        """The threshold that fails the run, the config, and the ``ReplayOptions``.

        ``inputs`` (the recording, the baseline) are what ``--out-dir`` must stay out of."""
        from drift_diff.output import check_output_folder
        from drift_diff.replay import ReplayOptions
        from drift_diff.replay.credentials import Credential, merge_credentials

        positive("--ready-timeout", self.ready_timeout)
        positive("--timeout", self.timeout)
        positive("--concurrency", self.concurrency)
        out_dir = self.out_dir
        if self.out is not None:
            echo_err("driftdiff: warning: --out is deprecated here; use --out-dir (the folder)")
            if out_dir is None:
                out_dir = self.out
            elif out_dir != self.out:
                raise typer.BadParameter("give the folder once, as --out-dir", param_hint="--out")
        if out_dir is not None:
            check_output_folder(out_dir, inputs=inputs, files=("replay.jsonl", "service.log"))
        threshold = fail_threshold(self.fail_on_breaking, self.fail_on)
        config = load_config_option(self.config_file)
        options = ReplayOptions(
            target=self.target,
            start=self.start,
            ready_path=self.ready,
            ready_timeout=self.ready_timeout,
            out_dir=out_dir,
            concurrency=self.concurrency,
            timeout=self.timeout,
            headers=parse_headers(self.header),
            ordered_mutations=not self.parallel_mutations,
            credentials=merge_credentials(
                config.replay_credentials if config else (),
                [Credential.parse(c) for c in self.credential or []],
            ),
            sandbox=self.sandbox,
        )
        return threshold, config, options


def replay_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the shared options added after its own; it gets them as ``args``."""
    signature = inspect.signature(command)
    own = [p for name, p in signature.parameters.items() if name != "args"]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=kind)
        for name, kind, option in _OPTIONS
    ]

    @functools.wraps(command)
    def run(**given: Any) -> None:
        args = ReplayArgs(**{name: given.pop(name) for name, _, _ in _OPTIONS})
        command(args=args, **given)

    # typer reads the parameters from the signature and their types from the annotations
    # (the command's own are strings, resolved in its module: ``wraps`` keeps __wrapped__)
    run.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
    own_hints = {k: v for k, v in command.__annotations__.items() if k != "args"}
    run.__annotations__ = {**own_hints, **{name: kind for name, kind, _ in _OPTIONS}}
    return run

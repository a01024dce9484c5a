"""The generated docs stay true: the CLI reference matches ``--help`` and names every command."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import typer

from drift_diff.cli import _reference, app
from tests.support import REPO

REFERENCE = REPO / "docs" / "cli-reference.md"
STALE = "docs/cli-reference.md is stale: run `python -m drift_diff.cli._reference`"


def _registered_commands() -> list[str]:
    names = [
        c.name or c.callback.__name__.replace("_", "-")
        for c in app.registered_commands
        if c.callback is not None and not c.hidden
    ]
    names += [g.name or "" for g in app.registered_groups if not g.hidden]
    return sorted(n for n in names if n)


def test_cli_reference_is_fresh() -> None:
    assert REFERENCE.is_file(), STALE
    assert REFERENCE.read_text("utf-8") == _reference.render_reference(), STALE


def test_every_registered_command_is_documented() -> None:
    text = REFERENCE.read_text("utf-8")
    documented = set(re.findall(r"^## (driftdiff(?: [\w-]+)*)$", text, flags=re.M))
    for name in _registered_commands():
        assert f"driftdiff {name}" in documented, f"`driftdiff {name}` missing from {REFERENCE}"
    assert set(_reference.command_paths()) == documented


def test_reference_sees_every_command_of_the_real_cli() -> None:
    """What ``driftdiff --help`` lists is what the reference walks (no hidden divergence)."""
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="driftdiff")
    listed = root.list_commands(ctx)  # type: ignore[attr-defined]
    paths = _reference.command_paths()
    for name in listed:
        assert f"driftdiff {name}" in paths


# the root, a command with a long docstring, and the deepest command (a sample: each is a process)
_SAMPLE = [
    "driftdiff",
    "driftdiff demo",
    max(_reference.command_paths(), key=lambda p: p.count(" ")),
]


@pytest.mark.parametrize("path", _SAMPLE)
def test_in_process_help_matches_what_users_see(path: str) -> None:
    """The reference renders help in-process; a real ``--help`` at 80 columns prints the same."""
    args = path.split()[1:]
    done = subprocess.run(
        [sys.executable, "-m", "drift_diff", *args, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"NO_COLOR": "1", "COLUMNS": "80", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    )
    assert done.returncode == 0, done.stderr
    block = REFERENCE.read_text("utf-8").split(f"## {path}\n\n```text\n", 1)[1].split("\n```", 1)[0]
    printed = "\n".join(line.rstrip() for line in done.stdout.splitlines()).strip("\n")
    assert printed == block


def test_committed_example_baseline_is_learned_from_the_committed_traces() -> None:
    """``baselines/shop.json`` is what inference makes of ``examples/traces`` today."""
    from drift_diff.baseline import dumps_baseline, load_baseline
    from drift_diff.infer import infer_baseline
    from drift_diff.traffic.traces import iter_raw_exchanges

    committed = REPO / "baselines" / "shop.json"
    load_baseline(committed)  # valid against the current schema
    learned = infer_baseline(iter_raw_exchanges([REPO / "examples" / "traces"]), service="shop")
    assert committed.read_text("utf-8") == dumps_baseline(learned), (
        "baselines/shop.json is stale: run `driftdiff baseline examples/traces --out "
        "baselines/shop.json` (or re-record both with `driftdiff demo --write-baseline "
        "baselines/shop.json --write-traces examples/traces`)"
    )

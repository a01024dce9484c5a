"""CLI conventions of the replaying commands through real runs (issue 16): progress is a rich
spinner on stderr when stderr is a terminal, never on stdout (the report stays clean to pipe),
and none under ``-q`` (the CLI runs as a real process with its stderr on a pseudo-terminal);
``-o -`` writes the report to standard output, not to a file named ``-``; ``--fail-on`` takes
any case."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support import REPO, free_port, run_cli

pytestmark = pytest.mark.integration

TRACES = REPO / "examples" / "traces"
BASELINE = REPO / "baselines" / "shop.json"
DRIFTDIFF = Path(sys.executable).parent / "driftdiff"


def _replay_on_a_terminal(
    tmp_path: Path, *root: str, after: tuple[str, ...] = ()
) -> tuple[int, bytes, bytes]:
    port = free_port()
    start = (
        f"{sys.executable} -m uvicorn shop_v1.app:app --app-dir {REPO / 'examples'} --port {port}"
    )
    command = [
        str(DRIFTDIFF),
        *root,
        "replay",
        str(TRACES),
        "--target",
        f"http://127.0.0.1:{port}",
        "--start",
        start,
        "-f",
        "json",
        "--out-dir",
        str(tmp_path / "art"),
        *after,
    ]
    master, slave = pty.openpty()
    terminal = bytearray()

    def drain() -> None:  # until every holder of the slave side has closed it
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            terminal.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, env=env) as proc:
        os.close(slave)
        stdout, _ = proc.communicate(timeout=120)
    reader.join(timeout=30)
    os.close(master)
    return proc.returncode, stdout, bytes(terminal)


def test_replay_shows_progress_on_a_terminal_stderr_only(tmp_path: Path) -> None:
    code, stdout, terminal = _replay_on_a_terminal(tmp_path)
    assert code == 0, terminal.decode(errors="replace")
    assert b"replaying" in terminal  # the spinner's label, redrawn in place
    assert b"\r" in terminal
    assert set(json.loads(stdout)["summary"]) == {"breaking", "warning", "info"}  # report alone


@pytest.mark.parametrize("where", ["before", pytest.param("after", marks=pytest.mark.heavy)])
def test_quiet_replay_shows_no_progress(where: str, tmp_path: Path) -> None:
    """``-q`` before or after the command."""
    code, stdout, terminal = (
        _replay_on_a_terminal(tmp_path, "-q")
        if where == "before"
        else _replay_on_a_terminal(tmp_path, after=("-q",))
    )
    assert code == 0, terminal.decode(errors="replace")
    assert b"replaying" not in terminal
    assert json.loads(stdout)["format"].startswith("driftdiff.report/")


def _shop(version: str) -> tuple[str, str]:
    port = free_port()
    start = (
        f"{sys.executable} -m uvicorn shop_{version}.app:app --app-dir {REPO / 'examples'}"
        f" --port {port}"
    )
    return f"http://127.0.0.1:{port}", start


def test_check_writes_to_stdout_with_o_dash_and_fail_on_any_case(tmp_path: Path) -> None:
    target, start = _shop("v2")  # v2 breaks the contract
    args = ["--baseline", str(BASELINE), "--target", target, "--start", start]
    result = run_cli(
        "check", str(TRACES), *args, "-f", "json", "-o", "-", "--fail-on", "BREAKING",
        "--out-dir", str(tmp_path / "art"), cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["breaking"] > 0
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    ("level", "code"),
    [("Warning", 1), ("BREAKING", 0), pytest.param("breaking", 0, marks=pytest.mark.heavy)],
)
def test_replay_fail_on_any_case(level: str, code: int, tmp_path: Path) -> None:
    target, start = _shop("v1")  # v1 replays with warnings only
    result = run_cli(
        "replay", str(TRACES), "--target", target, "--start", start, "--fail-on", level,
        "-o", "-", "-f", "json", "--out-dir", str(tmp_path / "art"), cwd=tmp_path,
    )  # fmt: skip
    summary = json.loads(result.stdout)["summary"]
    assert summary["breaking"] == 0 and summary["warning"] > 0
    assert result.code == code, result.stderr


@pytest.mark.parametrize("flag", ["--out-dir", pytest.param("--out", marks=pytest.mark.heavy)])
def test_check_writes_its_folder_through_out_dir_and_the_deprecated_out(
    flag: str, tmp_path: Path
) -> None:
    target, start = _shop("v1")
    result = run_cli(
        "check", str(TRACES), "--baseline", str(BASELINE), "--target", target, "--start", start,
        "-f", "json", "-o", "-", flag, str(tmp_path / "art"), "-q", cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["breaking"] == 0
    assert (tmp_path / "art" / "replay.jsonl").is_file()
    assert (tmp_path / "art" / "service.log").is_file()
    deprecated = "driftdiff: warning: --out is deprecated here; use --out-dir (the folder)"
    assert result.stderr.splitlines().count(deprecated) == (1 if flag == "--out" else 0)

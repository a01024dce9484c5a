"""``REV:path`` baseline inputs read through git (``drift_diff.gitinput``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import run_cli

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    shutil.copy(REPO / "baselines" / "shop.json", tmp_path / "shop.json")
    _git(tmp_path, "add", "shop.json")
    _git(tmp_path, "commit", "-q", "-m", "baseline")
    return tmp_path


def test_diff_against_a_revision_reads_the_file_through_git(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    result = run_cli("diff", "HEAD:shop.json", "shop.json", cwd=repo)
    assert result.code == 0, result.stderr


def test_missing_revision_path_or_dash_revision_is_one_line_exit_2(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    for bad in ("nosuchrev:shop.json", "HEAD:nosuch.json", "--output=x:shop.json"):
        result = run_cli("diff", "--", bad, "shop.json", cwd=repo)
        assert result.code == 2, (bad, result.stdout, result.stderr)
        assert bad in result.stderr
        assert "Traceback" not in result.stderr
    assert not (repo / "x").exists()


def test_an_existing_local_file_with_a_colon_wins(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    shutil.copy(repo / "shop.json", repo / "HEAD:shop.json")
    result = run_cli("diff", "HEAD:shop.json", "shop.json", cwd=repo)
    assert result.code == 0, result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("origin/main:baselines/shop.json", ("origin/main", "baselines/shop.json")),
        ("C:\\data\\shop.json", None),
        ("C:/data/shop.json", None),
        ("s3://bucket/shop.json", None),
        ("shop.json", None),
        (":shop.json", None),
    ],
)
def test_split_rev_path(text: str, expected: tuple[str, str] | None) -> None:
    from drift_diff.gitinput import split_rev_path

    assert split_rev_path(text) == expected

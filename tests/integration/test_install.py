"""driftdiff installs like a tool: built wheels into a fresh venv, and pipx from the checkout.

Both wheels (the CLI and the SDK it depends on) are built with ``pip wheel``; a fresh venv gets
the third-party dependencies from the package index and our two distributions only from the
folder of built wheels (``--no-index --find-links``), exactly as README's install section says.
Then ``driftdiff --version`` and ``driftdiff demo`` run from an empty temporary folder, which
proves the example service ships as package data and the demo writes nothing beside the package.
The second path is ``pipx install`` from the checkout (pipx is in the dev extra).
"""

from __future__ import annotations

import email.parser
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.support import REPO

pytestmark = [pytest.mark.integration, pytest.mark.heavy]

#: The one version string, the project's own (sdk/pyproject.toml must carry the same: both wheels
#: are looked for under it below).
_VERSION_LINE = re.search(r'^version = "([^"]+)"$', (REPO / "pyproject.toml").read_text(), re.M)
assert _VERSION_LINE is not None
VERSION = _VERSION_LINE.group(1)


def _env(**extra: str) -> dict[str, str]:
    """The test's environment without anything that would point at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DRIFTDIFF_", "PIP_", "PIPX_", "VIRTUAL_ENV", "PYTHON"))
    }
    return {**env, **extra}


def _run(argv: list[str | Path], cwd: Path, timeout: float = 600, **env: str) -> str:
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist]
    _run([*pip_wheel, REPO, REPO / "sdk"], cwd=dist)
    built = sorted(p.name for p in dist.glob("*.whl"))
    assert built == [
        f"driftdiff-{VERSION}-py3-none-any.whl",
        f"driftdiff_sdk-{VERSION}-py3-none-any.whl",
    ]
    return dist


def _third_party(wheel: Path, extra: str) -> list[str]:
    """The wheel's requirements from the package index (ours excluded), ``extra`` included."""
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(f"driftdiff-{VERSION}.dist-info/METADATA").decode()
    needed = []
    for line in email.parser.Parser().parsestr(meta).get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.name == "driftdiff-sdk":
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        req.marker = None
        needed.append(str(req))
    return needed


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _check_demo(driftdiff: Path, cwd: Path, **env: str) -> None:
    assert _run([driftdiff, "--version"], cwd=cwd, **env).strip().endswith(VERSION)
    report = json.loads(_run([driftdiff, "demo", "--format", "json"], cwd=cwd, **env))
    assert report["summary"]["breaking"] > 0, report["summary"]  # v2 breaks the contract
    assert _files(cwd) == set(), "the demo wrote into the folder it was run from"


def test_wheels_install_from_a_local_folder_and_the_demo_runs(wheels: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q"]
    _run(
        [*pip, *_third_party(wheels / f"driftdiff-{VERSION}-py3-none-any.whl", "demo")],
        cwd=tmp_path,
    )
    _run([*pip, "--no-index", "--find-links", wheels, "driftdiff[demo]"], cwd=tmp_path)

    package = Path(
        _run(
            [venv / "bin" / "python", "-c", "import drift_diff; print(drift_diff.__file__)"],
            cwd=tmp_path,
        ).strip()
    ).parent
    assert package.is_relative_to(venv), f"imported from {package}, not the fresh venv"
    assert (package / "_examples" / "shop_v1" / "app.py").is_file()
    shipped = _files(package)

    empty = tmp_path / "empty"
    empty.mkdir()
    _check_demo(venv / "bin" / "driftdiff", empty)
    assert _files(package) == shipped, "the demo wrote into the installed package"


def test_pipx_installs_from_the_checkout(tmp_path: Path) -> None:
    home, bin_dir = tmp_path / "pipx-home", tmp_path / "pipx-bin"
    pipx_env = {
        "PIPX_HOME": str(home),
        "PIPX_BIN_DIR": str(bin_dir),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
    }
    # the README's line: the SDK is not on an index, so it goes in first from the same checkout
    _run(
        [sys.executable, "-m", "pipx", "install", "--preinstall", REPO / "sdk", f"{REPO}[demo]"],
        cwd=REPO,
        **pipx_env,
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    _check_demo(bin_dir / "driftdiff", empty)


def test_pre_commit_hook_installs_itself_and_gates_a_breaking_change(tmp_path: Path) -> None:
    """The hook as a user's ``.pre-commit-config.yaml`` pulls it: pre-commit clones this
    repository at its HEAD commit, installs the hook's venv (``pip install . ./sdk``) and runs
    ``driftdiff diff --fail-on-breaking`` on the two files named in ``args``."""
    head = _run(["git", "rev-parse", "HEAD"], cwd=REPO).strip()
    work = tmp_path / "project"
    work.mkdir()
    base = json.loads((REPO / "baselines" / "shop.json").read_text("utf-8"))
    (work / "base.json").write_text(json.dumps(base, indent=2), "utf-8")
    (work / "current.json").write_text(json.dumps(base, indent=2), "utf-8")
    (work / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {REPO}\n"
        f"    rev: {head}\n"
        "    hooks:\n"
        "      - id: driftdiff-diff\n"
        "        args: [base.json, current.json]\n",
        "utf-8",
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    _run([*git, "init", "-q"], cwd=work)
    _run([*git, "add", "-A"], cwd=work)
    _run([*git, "commit", "-qm", "contracts"], cwd=work)
    pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]
    home = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    assert "Passed" in _run(pre_commit, cwd=work, **home)

    del base["endpoints"]["GET /products/{product_id}"]
    (work / "current.json").write_text(json.dumps(base, indent=2), "utf-8")
    done = subprocess.run(
        [str(a) for a in pre_commit],
        cwd=work,
        env=_env(**home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "endpoint-removed" in done.stdout, done.stdout

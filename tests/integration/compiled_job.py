"""The compiled build and the unit suites run on it, started in the background.

``tests/integration/test_compiled_build.py`` needs a mypyc build of ``drift_diff`` and the SDK
(about a minute of one core) and a run of the compiled modules' unit suites on it (another half
minute). Neither depends on any other test, so ``tests/integration/conftest.py`` starts both, one
after the other on a background thread, as soon as collection shows that the session will need
them: they build while the tests collected before them (the e2e tests, mostly waiting on
servers) run. The tests wait for the results and assert on them; nothing is asserted here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.support import REPO

#: Unit suites that drive the compiled modules in-process (or through the CLI from their folder).
UNIT_SUITES = (
    "test_infer_builder.py",
    "test_infer_baseline.py",
    "test_merge.py",
    "test_paths.py",
    "test_traces.py",
    "test_cli_baseline.py",
    "test_hostile_inputs.py",
    "test_har.py",
    "test_har_conformance.py",
    "test_har_parts.py",
    "test_har_cut.py",
    "test_learned.py",
    "test_har_json_body.py",
    "test_exchange_bodies.py",
    "test_detectors.py",
    "test_redact.py",
    "test_redact_fast_paths.py",
    "test_match_datastores.py",
)
#: Left out of the repository copy the suites run in: build output and the npm installs of the
#: e2e and Azurite tests (~370 MB, 57,000 files; no unit suite uses them).
_NOT_COPIED = shutil.ignore_patterns("__pycache__", "out", ".pytest_cache", "node_modules")


@dataclass(frozen=True)
class Finished:
    """A finished child process: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


class CompiledJob:
    """``bench/build_compiled.py`` into ``dest``, then (with ``suites``) the unit suites in a
    copy of the repository whose ``drift_diff`` is that build; on a daemon thread."""

    def __init__(self, *, suites: bool) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="driftdiff-compiled-"))
        self.dest = self.root / "compiled-build"
        self.work = self.root / "repo"
        self.build: Finished | None = None
        self.suites: Finished | None = None
        self._want_suites = suites
        # the environment as the session starts: tests change os.environ while the job runs
        self._env = dict(os.environ)
        self._error: BaseException | None = None
        self._stopped = False
        self._child: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._built = threading.Event()
        self._thread = threading.Thread(target=self._run, name="compiled-build", daemon=True)
        self._thread.start()

    def wait_build(self) -> None:
        """Until the build is done (the suites may still run); an error of the job itself (a
        timeout) is raised here."""
        self._built.wait()
        if self.build is None:  # the build did not finish: the job's error
            self.wait()

    def wait(self) -> None:
        """Until the job is done, the suites included; its own errors are raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Kill a child still running (the session ends), wait for the thread, remove the files."""
        with self._lock:
            self._stopped = True
            if self._child is not None and self._child.poll() is None:
                self._child.kill()
        self._thread.join()
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self) -> None:
        try:
            build = [sys.executable, str(REPO / "bench" / "build_compiled.py"), str(self.dest)]
            try:
                self.build = self._call(build, cwd=self.root, timeout=600)
            finally:
                self._built.set()
            if self._want_suites and self.build.returncode == 0:
                self._copy_repo()
                self.suites = self._call(self._suites_argv(), cwd=self.work, timeout=900)
        except BaseException as exc:  # handed to the test that waits, not lost on the thread
            self._error = exc

    def _copy_repo(self) -> None:
        shutil.copytree(self.dest, self.work, symlinks=True)
        for name in ("tests", "examples", "baselines", "bench"):
            shutil.copytree(REPO / name, self.work / name, symlinks=True, ignore=_NOT_COPIED)
        shared = REPO.parent / "shared"
        if shared.is_dir():  # ../shared beside the copy: the conformance corpora
            (self.root / "shared").symlink_to(shared)

    def _suites_argv(self) -> list[str]:
        # its own basetemp: the session that started it keeps its numbered temp folders
        return [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
            f"--basetemp={self.root / 'pytest-tmp'}",
            *(f"tests/unit/{name}" for name in UNIT_SUITES),
        ]

    def _call(self, argv: list[str], *, cwd: Path, timeout: float) -> Finished:
        with self._lock:
            if self._stopped:
                raise RuntimeError("the session ended before the compiled build's job")
            child = subprocess.Popen(
                argv,
                cwd=cwd,
                env=self._env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
            )
            self._child = child
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise
        return Finished(child.returncode, out, err)

"""Fixtures shared by the object-storage tests: a real S3-compatible server (moto in server
mode, a subprocess on a free port) and the AWS environment variables that point s3fs at it; and
the compiled build's background job (``compiled_job.py``), started when collection selects the
tests that need it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from drift_diff.processes import free_port, poll_until
from tests.integration.compiled_job import CompiledJob

_COMPILED_TESTS = "test_compiled_build.py"
_SUITES_TEST = "test_inference_unit_suites_pass_on_the_compiled_build"
_COMPILED_JOB = pytest.StashKey[CompiledJob]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """The compiled build (and its unit-suite run, if selected) starts now, in the background."""
    needed = [item for item in session.items if item.path.name == _COMPILED_TESTS]
    if needed and _COMPILED_JOB not in session.config.stash:
        suites = any(item.name == _SUITES_TEST for item in needed)
        session.config.stash[_COMPILED_JOB] = CompiledJob(suites=suites)


def pytest_sessionfinish(session: pytest.Session) -> None:
    job = session.config.stash.get(_COMPILED_JOB, None)
    if job is not None:
        job.stop()


@pytest.fixture(scope="session")
def compiled_job(request: pytest.FixtureRequest) -> CompiledJob:
    """The job started at collection's end (or now, if the hook did not run: no unit suites)."""
    stash = request.config.stash
    if _COMPILED_JOB not in stash:
        stash[_COMPILED_JOB] = CompiledJob(suites=False)
    return stash[_COMPILED_JOB]


def _clear_s3fs_cache() -> None:
    # s3fs caches filesystems (and so credentials and endpoint) per argument set
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()


@contextmanager
def moto_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """A moto S3 server on a free port (``env`` added to its environment), ready; its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                return True
        except OSError:
            return False

    def exited() -> str | None:
        return None if proc.poll() is None else f"moto server exited ({proc.returncode})"

    try:
        poll_until(ready, deadline_s=60, exited=exited, what="moto server", error=RuntimeError)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def aws_env(endpoint: str, key: str = "testing") -> Iterator[str]:
    """Credentials and endpoint the usual way, the AWS environment variables, for the block."""
    env = {
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    _clear_s3fs_cache()
    try:
        yield endpoint
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _clear_s3fs_cache()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def s3_env(s3_endpoint: str) -> Iterator[str]:
    with aws_env(s3_endpoint) as endpoint:
        yield endpoint

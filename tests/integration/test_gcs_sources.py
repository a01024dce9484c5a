"""Traffic in Google Cloud Storage (``gs://``), read through gcsfs from a real emulator process.

``gcp-storage-emulator`` (PyPI, pure Python, pinned in the dev extra) serves the GCS JSON API on
a free port; driftdiff runs as its own process and reaches it the way gcsfs documents for
emulators: ``STORAGE_EMULATOR_HOST``, anonymous credentials (``FSSPEC_GCS_TOKEN=anon``, fsspec's
per-protocol configuration from the environment) and no probe of the GCE metadata server
(``NO_GCE_CHECK``). gcsfs's experimental zonal/hierarchical-bucket layer asks a gRPC service
the emulator does not have, so ``GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false`` keeps it to the
JSON API. The baseline learned from a glob of objects must be byte-identical to the one learned
from the same files on local disk.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.integration.test_scale_sources import _lines
from tests.support import free_port, wait_until_ready

pytestmark = [pytest.mark.integration, pytest.mark.heavy]

pytest.importorskip("gcsfs", reason="the driftdiff[gcs] extra is not installed")
pytest.importorskip("gcp_storage_emulator", reason="gcp-storage-emulator is not installed")

BUCKET = "traffic"


@contextmanager
def _serving(argv: list[str], port: int, deadline_s: float) -> Iterator[str]:
    """The process ``argv`` serving on ``port``, ready; its URL. Stopped on exit."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, deadline_s=deadline_s, proc=proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    exe = shutil.which("gcp-storage-emulator", path=str(Path(sys.executable).parent))
    assert exe is not None, "gcp-storage-emulator has no console script beside this Python"
    port = free_port()
    argv = [exe, "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory", "--quiet"]
    with _serving(argv, port, deadline_s=60) as url:
        yield url


def _put(endpoint: str, name: str, body: bytes) -> None:
    response = httpx.post(
        f"{endpoint}/upload/storage/v1/b/{BUCKET}/o",
        params={"uploadType": "media", "name": name},
        content=body,
        headers={"Content-Type": "application/octet-stream"},
    )
    response.raise_for_status()


@pytest.fixture(scope="module")
def corpus(emulator: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same gzip traces on disk and in the bucket, a .jsonl outside the glob and a bad one."""
    local = tmp_path_factory.mktemp("traces")
    httpx.post(
        f"{emulator}/storage/v1/b", params={"project": "test"}, json={"name": BUCKET}
    ).raise_for_status()
    for day in (1, 2):
        for part in (1, 2):
            body = gzip.compress(_lines(day * 10 + part, 40))
            name = f"traces/2026-12-0{day}/pod{part}.jsonl.gz"
            (local / name).parent.mkdir(parents=True, exist_ok=True)
            (local / name).write_bytes(body)
            _put(emulator, name, body)
    _put(emulator, "traces/other.jsonl", _lines(99, 5))
    bad = _lines(7, 3).splitlines(keepends=True)
    bad[1] = b'{"format": "driftdiff.exchange/1", "request": \n'
    _put(emulator, "bad/pod.jsonl", b"".join(bad))
    return local


@pytest.fixture(scope="module")
def refusing() -> Iterator[str]:
    """A local process answering like GCS when the credentials are refused (``gcs_denied``)."""
    port = free_port()
    app = Path(__file__).parent / "apps" / "gcs_denied.py"
    with _serving([sys.executable, str(app), str(port)], port, deadline_s=30) as url:
        yield url


def _driftdiff(emulator: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "STORAGE_EMULATOR_HOST": emulator,
        "FSSPEC_GCS_TOKEN": "anon",
        "NO_GCE_CHECK": "true",
        "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
        "GOOGLE_CLOUD_PROJECT": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "drift_diff", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _baseline(emulator: str, source: str, out: Path) -> bytes:
    done = _driftdiff(emulator, "baseline", source, "--service", "shop", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_gcs_glob_gives_the_local_baseline(emulator: str, corpus: Path, tmp_path: Path) -> None:
    local = _baseline(emulator, str(corpus / "traces"), tmp_path / "a.json")
    remote = _baseline(emulator, f"gs://{BUCKET}/traces/*/*.jsonl.gz", tmp_path / "b.json")
    assert remote == local
    assert b"/orders/{" in local


def test_bad_line_in_a_gcs_object_names_url_and_line(
    emulator: str, corpus: Path, tmp_path: Path
) -> None:
    done = _driftdiff(
        emulator, "baseline", f"gs://{BUCKET}/bad/pod.jsonl", "--out", str(tmp_path / "b.json")
    )
    assert done.returncode == 2
    assert f"gs://{BUCKET}/bad/pod.jsonl:line 2:" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "b.json").exists()


def test_missing_gcs_bucket_is_one_error_line(emulator: str, corpus: Path, tmp_path: Path) -> None:
    done = _driftdiff(
        emulator, "baseline", "gs://no-such-bucket/traces/*.jsonl", "--out", str(tmp_path / "b")
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("driftdiff: error: gs://no-such-bucket/")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_baseline_object_reads_like_the_local_file(
    emulator: str, corpus: Path, tmp_path: Path
) -> None:
    local = tmp_path / "shop.json"
    _baseline(emulator, str(corpus / "traces"), local)
    _put(emulator, "baselines/shop.json", local.read_bytes())
    url = f"gs://{BUCKET}/baselines/shop.json"
    here, there = _driftdiff(emulator, "show", str(local)), _driftdiff(emulator, "show", url)
    assert there.returncode == here.returncode == 0, there.stderr
    assert there.stdout == here.stdout
    same = _driftdiff(emulator, "diff", url, str(local), "--fail-on", "info")
    assert same.returncode == 0, same.stderr + same.stdout
    missing = _driftdiff(emulator, "show", f"gs://{BUCKET}/baselines/none.json")
    assert missing.returncode == 2
    assert missing.stderr.strip().endswith("baselines/none.json: no such object"), missing.stderr


def test_refused_credentials_are_one_line(refusing: str, tmp_path: Path) -> None:
    """403 from the store: one line with a hint about credentials, for traffic and a baseline."""
    for args in (
        ["baseline", "gs://shop/traces/pod.jsonl", "--out", str(tmp_path / "b.json")],
        ["show", "gs://shop/baselines/shop.json"],
    ):
        done = _driftdiff(refusing, *args)
        assert done.returncode == 2, done.stderr
        line = done.stderr.strip()
        assert line.startswith(f"driftdiff: error: {args[1]}: access denied ("), line
        assert "Forbidden" in line and line.endswith("; check the credentials"), line
        assert len(line.splitlines()) == 1, line
    assert not (tmp_path / "b.json").exists()


def test_no_credentials_is_one_line(refusing: str, tmp_path: Path) -> None:
    """401: gcsfs logs the failure with a traceback when it gives up; driftdiff shows that log
    as one note under -v, then its own error line."""
    url = "gs://anonymous-bucket/traces/pod.jsonl"
    done = _driftdiff(refusing, "baseline", url, "--out", str(tmp_path / "b.json"), "-v")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "File " not in done.stderr, done.stderr
    *notes, line = done.stderr.strip().splitlines()
    assert line.startswith(f"driftdiff: error: {url}: access denied (HttpError: Anonymous caller")
    assert line.endswith(", 401); check the credentials"), line
    assert any(note.startswith("driftdiff: note: gcsfs") for note in notes), notes
    assert not (tmp_path / "b.json").exists()

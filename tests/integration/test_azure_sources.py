"""Traffic in Azure Blob Storage (``az://``), read through adlfs from a real Azurite.

Azurite (Microsoft's storage emulator, an npm package pinned in ``tests/integration/azurite``
and installed there by ``.ci/run``) runs as a process on a free port; the credentials reach
adlfs the usual way, ``AZURE_STORAGE_CONNECTION_STRING``. The baseline learned from a glob of
blobs must be byte-identical to the one learned from the same files on local disk, and a bad
line in a blob is named by URL and line. ``gs://`` has its own test against a GCS emulator
(``test_gcs_sources.py``).
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift_diff.cli import main
from tests.integration.test_scale_sources import _lines
from tests.support import REPO, free_port, wait_until_ready

pytestmark = [pytest.mark.integration, pytest.mark.heavy]

adlfs = pytest.importorskip("adlfs", reason="the driftdiff[azure] extra is not installed")
blob = pytest.importorskip("azure.storage.blob", reason="azure-storage-blob is not installed")

AZURITE = REPO / "tests" / "integration" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
CONTAINER = "traffic"
#: Azurite's built-in development account: a published, well-known key, not a secret.
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@pytest.fixture(scope="module")
def connection_string(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not AZURITE.exists():
        pytest.skip("Azurite is not installed (npm install --prefix tests/integration/azurite)")
    port = free_port()
    proc = subprocess.Popen(
        [
            str(AZURITE),
            "--blobHost", "127.0.0.1",
            "--blobPort", str(port),
            "--location", str(tmp_path_factory.mktemp("azurite")),
            "--silent",
            "--skipApiVersionCheck",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}/{ACCOUNT}"
    try:
        wait_until_ready(endpoint, deadline_s=60, proc=proc)
        yield (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
            f"BlobEndpoint={endpoint};"
        )
    finally:
        # Azurite's own clean stop (Ctrl-C) waits for idle keep-alive connections that this
        # process's cached clients still hold open: give it a moment, then end it
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def corpus(connection_string: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The same gzip traces on disk and in the container, a bad blob beside them."""
    local = tmp_path_factory.mktemp("traces")
    service = blob.BlobServiceClient.from_connection_string(connection_string)
    container = service.create_container(CONTAINER)
    for day in (1, 2):
        for part in (1, 2):
            body = gzip.compress(_lines(day * 10 + part, 40))
            name = f"traces/2026-12-0{day}/pod{part}.jsonl.gz"
            (local / name).parent.mkdir(parents=True, exist_ok=True)
            (local / name).write_bytes(body)
            container.upload_blob(name, body)
    bad = _lines(7, 3).splitlines(keepends=True)
    bad[2] = b'{"format": "driftdiff.exchange/1", "request": \n'
    container.upload_blob("bad/pod.jsonl", b"".join(bad))
    saved = os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
    os.environ["AZURE_STORAGE_CONNECTION_STRING"] = connection_string
    try:
        yield local
    finally:
        if saved is None:
            os.environ.pop("AZURE_STORAGE_CONNECTION_STRING", None)
        else:
            os.environ["AZURE_STORAGE_CONNECTION_STRING"] = saved


def _baseline(args: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> bytes:
    code = main(["baseline", *args, "--service", "shop", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    return out.read_bytes()


def test_azure_glob_gives_the_local_baseline(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = _baseline([str(corpus / "traces"), "--workers", "1"], tmp_path / "a.json", capsys)
    remote = _baseline(
        [f"az://{CONTAINER}/traces/2026-12-*/*.jsonl.gz", "--workers", "1"],
        tmp_path / "b.json",
        capsys,
    )
    assert remote == local
    assert "4 file(s)" in capsys.readouterr().err  # the glob took the four pods, nothing else


def test_bad_line_in_a_blob_names_url_and_line(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["baseline", f"az://{CONTAINER}/bad/pod.jsonl", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"az://{CONTAINER}/bad/pod.jsonl:line 3: not valid JSON" in err
    assert "Traceback" not in err and not (tmp_path / "x").exists()


def test_baseline_blob_reads_like_the_local_file(
    corpus: Path, connection_string: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = tmp_path / "shop.json"
    _baseline([str(corpus / "traces"), "--workers", "1"], local, capsys)
    service = blob.BlobServiceClient.from_connection_string(connection_string)
    service.get_container_client(CONTAINER).upload_blob(
        "baselines/shop.json", local.read_bytes(), overwrite=True
    )
    url = f"az://{CONTAINER}/baselines/shop.json"
    for command in (["show"], ["export", "openapi"]):
        assert main([*command, str(local)]) == 0
        here = capsys.readouterr().out
        assert main([*command, url]) == 0
        assert capsys.readouterr().out == here
    assert main(["diff", url, str(local), "--fail-on", "info"]) == 0  # the same contract
    code = main(["show", f"az://{CONTAINER}/baselines/none.json"])
    assert code == 2
    assert capsys.readouterr().err.strip().endswith("baselines/none.json: no such object")


def test_refused_key_is_one_line(
    corpus: Path, connection_string: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Azurite checks the shared-key signature: a wrong account key is refused (403) like
    Azure refuses it, and the user gets one line that says so, without the key."""
    wrong = "d3Jvbmcta2V5LW5vdC10aGUtYWNjb3VudHMtb3duLWtleS0wMTIzNDU2Nzg5YWJjZGVm"
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", connection_string.replace(KEY, wrong))
    # fsspec keeps a filesystem per argument set, with the credentials it was made with: a
    # user's run is a new process, so the earlier tests' filesystem must go here (and after)
    adlfs.AzureBlobFileSystem.clear_instance_cache()
    try:
        for args in (
            ["baseline", f"az://{CONTAINER}/traces/*/pod1.jsonl.gz", "-o", str(tmp_path / "b")],
            ["show", f"az://{CONTAINER}/baselines/none.json"],
        ):
            code = main(args)
            line = capsys.readouterr().err.strip()
            assert code == 2, line
            assert line.startswith(f"driftdiff: error: {args[1]}: access denied ("), line
            assert line.endswith("; check the credentials") and len(line.splitlines()) == 1, line
            assert wrong not in line and KEY not in line
    finally:
        adlfs.AzureBlobFileSystem.clear_instance_cache()
    assert not (tmp_path / "b").exists()

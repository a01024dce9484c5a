"""A Dask worker killed in the middle of a run: Dask reruns its task, the baseline is unchanged.

A real ``LocalCluster`` (2 worker processes under nannies) reads traces from a real moto S3
server. A worker plugin (a test instrument registered on the cluster, not part of driftdiff)
sends SIGKILL to its own worker process when that worker starts its second inference task, once
in the whole run (an ``O_EXCL`` marker file). The nanny restarts the worker, the scheduler
reruns the lost task on a live one (``distributed.scheduler.allowed-failures``), and the
baseline must be byte-identical to the one a single local process learns from the same files.
The plugin also logs every task that finished, so the test sees that the killed task was rerun
by Dask and that the merge tree ran on the workers (not the sequential fallback).

A bad line deep inside a large plain ``.jsonl`` object, which both executors cut into byte
ranges read by different workers, is named by URL and by its line number in the whole object.
"""

from __future__ import annotations

import gzip
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift_diff.cli import main
from tests.integration.test_scale_sources import _lines

pytestmark = [pytest.mark.integration, pytest.mark.heavy]

distributed = pytest.importorskip(
    "dask.distributed", reason="the driftdiff[dask] extra is not installed"
)
pytest.importorskip("s3fs", reason="the driftdiff[s3] extra is not installed")
boto3 = pytest.importorskip("boto3", reason="the dev extra (moto, boto3) is not installed")
pytest.importorskip("moto.server", reason="moto[server] is not installed")

BUCKET = "pods"
KILLED = "killed.txt"
FINISHED = "finished.log"


class KillOnce(distributed.WorkerPlugin):  # type: ignore[misc]
    """Kills its worker process (SIGKILL) as it starts its second ``infer_unit`` task, once per
    cluster; logs every finished task."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.started = 0

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        name = str(key)
        if finish == "memory":
            with open(os.path.join(self.folder, FINISHED), "a", encoding="utf-8") as log:
                log.write(name + "\n")
        if finish != "executing" or not name.startswith("infer_unit"):
            return
        self.started += 1
        if self.started < 2:
            return
        try:
            fd = os.open(os.path.join(self.folder, KILLED), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return  # one worker was killed already
        os.write(fd, name.encode())
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)


@pytest.fixture(scope="module")
def pods(s3_env: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight gzip trace files (eight units of work) on disk and in the bucket."""
    local = tmp_path_factory.mktemp("pods")
    client = boto3.client("s3", endpoint_url=s3_env)
    client.create_bucket(Bucket=BUCKET)
    for pod in range(8):
        body = gzip.compress(_lines(100 + pod, 60))
        (local / f"pod{pod}.jsonl.gz").write_bytes(body)
        client.put_object(Bucket=BUCKET, Key=f"traces/pod{pod}.jsonl.gz", Body=body)
    return local


#: a bad line this far into an object of ~9.5 MiB: in a byte range that does not start the file
BAD_LINE = 30_001


@pytest.fixture(scope="module")
def big_object(pods: Path, s3_env: str) -> str:
    lines = _lines(5, 33_000).splitlines(keepends=True)
    lines[BAD_LINE - 1] = b'{"format": "driftdiff.exchange/1", "request": {"method": \n'
    body = b"".join(lines)
    assert len(body) > 8 * 1024 * 1024  # past PARALLEL_MIN_BYTES: cut into byte ranges
    boto3.client("s3", endpoint_url=s3_env).put_object(
        Bucket=BUCKET, Key="big/pod.jsonl", Body=body
    )
    return f"s3://{BUCKET}/big/pod.jsonl"


@pytest.fixture
def cluster(pods: Path) -> Iterator[Any]:
    # created after s3_env: the worker processes inherit the AWS_* variables
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local_cluster:
        yield local_cluster


def test_killed_worker_is_retried_and_the_baseline_is_unchanged(
    pods: Path, cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_local, out_dask = tmp_path / "local.json", tmp_path / "dask.json"
    args = ["--service", "shop", "--workers", "1"]
    assert main(["baseline", str(pods), *args, "-o", str(out_local)]) == 0

    instruments = tmp_path / "instruments"
    instruments.mkdir()
    with distributed.Client(cluster) as client:
        client.register_plugin(KillOnce(str(instruments)), name="kill-once")
        code = main(
            [
                *("baseline", f"s3://{BUCKET}/traces/*.jsonl.gz", "--service", "shop"),
                *("--engine", "dask", "--scheduler", cluster.scheduler_address),
                *("-o", str(out_dask)),
            ]
        )
    assert code == 0, capsys.readouterr().err

    killed = (instruments / KILLED).read_text()
    finished = (instruments / FINISHED).read_text().splitlines()
    assert killed.startswith("infer_unit")  # a worker died while running a unit...
    assert killed in finished  # ...and Dask ran that unit again elsewhere
    assert any(name.startswith("_merge_group") for name in finished)  # Dask's merge, no fallback
    assert out_dask.read_bytes() == out_local.read_bytes()


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_bad_line_in_a_byte_range_of_an_object_names_url_and_line(
    big_object: str, engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            *("baseline", big_object, "--workers", "2", "--engine", engine),
            *("-o", str(tmp_path / "b.json")),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"driftdiff: error: {big_object}:line {BAD_LINE}: not valid JSON"), err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "b.json").exists()

"""Baselines from object storage and on Dask, against real components.

A real S3-compatible server (moto in server mode, a subprocess on a free port) read through
s3fs, and a real ``dask.distributed.LocalCluster`` with 2 workers. Every baseline must be
byte-identical to the one learned from the same files on local disk by one process.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from drift_diff.cli import main
from tests.unit.infer_support import exchange

pytestmark = pytest.mark.integration

s3fs = pytest.importorskip("s3fs", reason="the driftdiff[s3] extra is not installed")
boto3 = pytest.importorskip("boto3", reason="the dev extra (moto, boto3) is not installed")
pytest.importorskip("moto.server", reason="moto[server] is not installed")

# s3_endpoint, s3_env (moto on a free port, the AWS_* variables): tests/integration/conftest.py

BUCKET = "traffic"


def _lines(day: int, n: int) -> bytes:
    out = []
    for i in range(n):
        ex = exchange(
            "GET",
            f"/orders/{day * 1000 + i}",
            body={"id": day * 1000 + i, "total": i * 1.5, "tags": [f"t{i % 3}"]},
        )
        ex["id"] = f"d{day}-{i}"
        out.append(orjson.dumps(ex) + b"\n")
    out.append(orjson.dumps(exchange("POST", "/orders", status=201, body={"ok": True})) + b"\n")
    return b"".join(out)


@pytest.fixture(scope="module")
def corpus(s3_env: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same traces on local disk and in the bucket: two days of .jsonl.gz plus a .jsonl
    outside the glob; the glob below must not pick the latter up."""
    local = tmp_path_factory.mktemp("traces")
    client = boto3.client("s3", endpoint_url=s3_env)
    client.create_bucket(Bucket=BUCKET)
    for day in (1, 2):
        for part in (1, 2):
            body = gzip.compress(_lines(day * 10 + part, 40))
            name = f"traces/2026-12-0{day}/pod{part}.jsonl.gz"
            (local / name).parent.mkdir(parents=True, exist_ok=True)
            (local / name).write_bytes(body)
            client.put_object(Bucket=BUCKET, Key=name, Body=body)
    client.put_object(Bucket=BUCKET, Key="other/x.jsonl", Body=_lines(99, 5))
    bad = _lines(7, 3).splitlines(keepends=True)
    bad[1] = b'{"format": "driftdiff.exchange/1", "request": \n'
    client.put_object(Bucket=BUCKET, Key="bad/pod.jsonl", Body=b"".join(bad))
    return local


def _baseline(args: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> bytes:
    code = main(["baseline", *args, "--service", "shop", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    return out.read_bytes()


def test_s3_glob_gives_the_local_baseline(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = _baseline([str(corpus / "traces"), "--workers", "1"], tmp_path / "a.json", capsys)
    remote = _baseline(
        [f"s3://{BUCKET}/traces/2026-12-*/*.jsonl.gz", "--workers", "1"],
        tmp_path / "b.json",
        capsys,
    )
    assert remote == local
    assert b"/orders/{" in local  # something real was learned
    data: dict[str, Any] = orjson.loads(local)
    assert data["sources"]["exchanges"] == 4 * 41


def test_s3_prefix_reads_like_a_folder(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = _baseline([str(corpus / "traces"), "--workers", "1"], tmp_path / "a.json", capsys)
    remote = _baseline([f"s3://{BUCKET}/traces", "--workers", "1"], tmp_path / "b.json", capsys)
    assert remote == local


def test_bad_line_in_an_object_names_url_and_line(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["baseline", f"s3://{BUCKET}/bad/pod.jsonl", "--out", str(tmp_path / "b.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"s3://{BUCKET}/bad/pod.jsonl:line 2:" in err
    assert "Traceback" not in err
    assert not (tmp_path / "b.json").exists()


def test_missing_object_is_one_error_line(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["baseline", f"s3://{BUCKET}/nothing-*.jsonl", "--out", str(tmp_path / "b.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert "no object matches" in err
    assert len(err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    distributed = pytest.importorskip(
        "dask.distributed", reason="the driftdiff[dask] extra is not installed"
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster


@pytest.mark.heavy
def test_dask_cluster_gives_the_local_baseline(
    corpus: Path, dask_cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = _baseline([str(corpus / "traces"), "--workers", "1"], tmp_path / "a.json", capsys)
    on_dask = _baseline(
        [
            f"s3://{BUCKET}/traces/2026-12-*/*.jsonl.gz",
            "--engine",
            "dask",
            "--scheduler",
            dask_cluster.scheduler_address,
        ],
        tmp_path / "b.json",
        capsys,
    )
    assert on_dask == local


@pytest.mark.heavy
def test_dask_bad_line_still_names_url_and_line(
    corpus: Path, dask_cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "baseline",
            f"s3://{BUCKET}/bad/pod.jsonl",
            f"s3://{BUCKET}/traces/2026-12-01/pod1.jsonl.gz",
            "--engine",
            "dask",
            "--scheduler",
            dask_cluster.scheduler_address,
            "--out",
            str(tmp_path / "b.json"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert f"s3://{BUCKET}/bad/pod.jsonl:line 2:" in err

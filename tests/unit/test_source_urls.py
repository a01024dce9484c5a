"""Sources named as URLs and globs: file:// URLs, quoted local globs, missing backends."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest

from drift_diff.cli import main
from tests.unit.infer_support import exchange


def _traces(folder: Path) -> Path:
    for day in (1, 2):
        lines = [orjson.dumps(exchange("GET", f"/items/{day}{i}", body={"n": i})) for i in range(5)]
        (folder / f"day{day}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return folder


def _build(args: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> bytes:
    code = main(["baseline", *args, "--service", "shop", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    return out.read_bytes()


def test_file_url_and_quoted_glob_read_like_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "t").mkdir()
    traces = _traces(tmp_path / "t")
    folder = _build([str(traces)], tmp_path / "a.json", capsys)
    assert _build([traces.as_uri()], tmp_path / "b.json", capsys) == folder
    assert _build([str(traces / "day*.jsonl")], tmp_path / "c.json", capsys) == folder


def test_glob_matching_nothing_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["baseline", str(tmp_path / "none-*.jsonl"), "-o", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert "none-*.jsonl: no file matches this pattern" in err


def test_scheme_without_its_extra_names_the_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("fsspec", reason="fsspec is not installed")
    from fsspec.registry import _registry

    # as if driftdiff[gcs] were not installed: importing gcsfs fails, nothing registered yet
    monkeypatch.setitem(sys.modules, "gcsfs", None)
    for protocol in ("gs", "gcs"):
        if protocol in _registry:
            monkeypatch.delitem(_registry, protocol)
    code = main(["baseline", "gs://bucket/traces/*.jsonl", "-o", str(tmp_path / "x.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert "driftdiff[gcs]" in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_engine_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    traces = _traces(tmp_path)
    code = main(["baseline", str(traces), "--engine", "spark", "-o", str(tmp_path / "x.json")])
    assert code == 2
    assert "--engine must be one of local, dask" in capsys.readouterr().err

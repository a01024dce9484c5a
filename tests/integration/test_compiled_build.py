"""The optional compiled build (``DRIFTDIFF_COMPILE=1``, mypyc) behaves exactly like pure Python.

The build is made once per session with ``bench/build_compiled.py`` (what the benchmark uses:
``setup.py build_ext --inplace`` in a copy), in the background from collection's end
(``compiled_job.py``), and put first on ``PYTHONPATH`` of real CLI processes (the build holds
the compiled ``drift_diff`` and the compiled SDK redaction and exchange modules). Each case runs
the same command on both builds, each a real process: baselines and imported traces must be
byte-identical and errors must read the same, on the sequential reader, the 2-process reader, HAR
input (one pass and on worker processes, with planted secrets redacted), merging and malformed
input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.compiled_job import CompiledJob
from tests.support import REPO, CliResult, run_cli

pytestmark = [pytest.mark.integration, pytest.mark.heavy]

sys.path.insert(0, str(REPO / "bench"))
from infer_corpus import write_corpus  # noqa: E402

from tests.unit.test_har import SECRET_MARKERS, entry, planted_har, write_har  # noqa: E402
from tests.unit.test_har_parts import mixed_entries  # noqa: E402

#: The modules the build compiles, as the probe checks them (a sample of each package).
COMPILED_MODULES = (
    "drift_diff.infer.engine",
    "drift_diff.traffic.traces",
    "drift_diff.traffic.har",
    "drift_diff.traffic._har_entry",
    "drift_diff.traffic._har_classify",
    "drift_diff.infer.har_parts",
    "driftdiff_sdk.exchange",
    "driftdiff_sdk.redact",
    "driftdiff_sdk._redact_http",
    "driftdiff_sdk._redact_fields",
    "driftdiff_sdk._redact_names",
    "driftdiff_sdk._redact_text",
    "driftdiff_sdk._redact_pairs",
    "driftdiff_sdk._masks",
    "driftdiff_sdk.detectors",
    "driftdiff_sdk._share",
)
HARS = (
    "chrome-requestgenerator-665.har",
    "mitmproxy-suite-firefox.har",
    "mitmproxy-export-successful_log.har",
    "mitmproxy-suite-with-bom.har",
)


@pytest.fixture(scope="session")
def compiled(compiled_job: CompiledJob) -> Path:
    """The build, started in the background at collection's end (``compiled_job.py``)."""
    compiled_job.wait_build()
    build = compiled_job.build
    assert build is not None
    assert build.returncode == 0, build.stderr[-3000:]
    assert Path(build.stdout.strip()) == compiled_job.dest
    return compiled_job.dest


def _pythonpath(compiled: Path) -> dict[str, str]:
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(compiled), os.environ.get("PYTHONPATH")]))
    }


def _both(compiled: Path, cwd: Path, *args: str) -> tuple[CliResult, CliResult]:
    """``driftdiff ARGS`` on the pure build, then on the compiled one: real processes (an
    in-process run would use the pure modules already imported), cwd outside the repo, so the
    checkout's sources do not shadow the compiled modules."""
    return (
        run_cli(*args, cwd=cwd, process=True),
        run_cli(*args, cwd=cwd, env=_pythonpath(compiled), process=True),
    )


def test_the_compiled_modules_are_the_ones_imported(compiled: Path, tmp_path: Path) -> None:
    probe = (
        "import importlib;"
        f"print(*(importlib.import_module(m).__file__ for m in {COMPILED_MODULES!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, **_pythonpath(compiled)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(out) == len(COMPILED_MODULES)
    assert all(name.endswith(".so") and name.startswith(str(compiled)) for name in out), out


def _same_baseline(compiled: Path, tmp_path: Path, *args: str) -> bytes:
    """``driftdiff ARGS --out F`` on both builds: the same file and the same summary line."""
    pure = run_cli(*args, "--out", "pure.json", cwd=tmp_path, process=True)
    assert pure.code == 0, pure.stderr
    fast = run_cli(
        *args, "--out", "fast.json", cwd=tmp_path, env=_pythonpath(compiled), process=True
    )
    assert fast.code == 0, fast.stderr
    data = (tmp_path / "pure.json").read_bytes()
    assert (tmp_path / "fast.json").read_bytes() == data
    assert fast.stderr.replace("fast.json", "pure.json") == pure.stderr
    return data


def test_example_traces_give_the_same_baseline(compiled: Path, tmp_path: Path) -> None:
    data = _same_baseline(compiled, tmp_path, "baseline", str(REPO / "examples" / "traces"))
    assert b'"endpoints"' in data


def test_two_process_reader_gives_the_same_baseline(compiled: Path, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl", 7_000)
    assert corpus.stat().st_size > 8 * 1024 * 1024  # past PARALLEL_MIN_BYTES: workers are used
    data = _same_baseline(compiled, tmp_path, "baseline", str(corpus), "--workers", "2")
    assert b"/api/v1/orders/{order_id}" in data


def test_har_files_give_the_same_baseline(
    compiled: Path, tmp_path: Path, conformance_dir: Path
) -> None:
    hars = [str(conformance_dir / "har" / name) for name in HARS]
    data = _same_baseline(compiled, tmp_path, "baseline", *hars)
    assert b"/api/status/{status_id}" in data


def _secret_har(tmp_path: Path) -> Path:
    """Planted secrets (headers, cookies, query, form and JSON bodies), API calls on two hosts
    with bearer tokens, page assets, malformed entries and entries without a response; padded
    past the parallel threshold (8 MiB) with page assets, so ``--workers 2`` splits it."""
    planted = json.loads(planted_har(tmp_path).read_text())["log"]["entries"][0]
    entries = [planted, *mixed_entries(1500, seed=9), planted]
    pad = "x" * 6000  # skipped as page assets, but they make the file large
    entries.extend(
        entry(f"https://cdn.example.com/s{i}.css", mime="text/css", text=pad) for i in range(1500)
    )
    har = write_har(tmp_path / "secrets.har", entries)
    assert har.stat().st_size >= 8 * 1024 * 1024
    return har


@pytest.mark.parametrize("workers", ["1", "2"])
def test_har_with_secrets_gives_the_same_baseline(
    compiled: Path, tmp_path: Path, workers: str
) -> None:
    har = _secret_har(tmp_path)
    data = _same_baseline(compiled, tmp_path, "baseline", str(har), "--workers", workers)
    assert b"/orders/{order_id}" in data
    for marker in SECRET_MARKERS:
        assert marker.encode() not in data, marker


def test_har_import_gives_the_same_traces(compiled: Path, tmp_path: Path) -> None:
    har = _secret_har(tmp_path)
    pure = run_cli("import", "har", str(har), "--out", "pure", cwd=tmp_path, process=True)
    assert pure.code == 0, pure.stderr
    fast = run_cli(
        "import",
        "har",
        str(har),
        "--out",
        "fast",
        cwd=tmp_path,
        env=_pythonpath(compiled),
        process=True,
    )
    assert fast.code == 0, fast.stderr
    assert fast.stderr.replace("fast", "pure") == pure.stderr
    names = sorted(p.name for p in (tmp_path / "pure").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "fast").iterdir()) and names
    for name in names:
        data = (tmp_path / "pure" / name).read_bytes()
        assert (tmp_path / "fast" / name).read_bytes() == data, name
        for marker in SECRET_MARKERS:
            assert marker.encode() not in data, marker
    assert b"@redacted.invalid" in (tmp_path / "pure" / "secrets.jsonl").read_bytes()


def test_merge_gives_the_same_baseline(compiled: Path, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl", 300)
    for name, source in (("a.json", corpus), ("b.json", REPO / "examples" / "traces")):
        assert run_cli("baseline", str(source), "--out", name, cwd=tmp_path).code == 0
    data = _same_baseline(compiled, tmp_path, "baseline", "merge", "a.json", "b.json")
    assert b"/api/v1/users/{user_id}" in data


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("malformed.jsonl", b'{"format": "driftdiff.exchange/1", "request": \n{}\n'),
        ("binary.jsonl", bytes(range(256)) * 8),
        (
            "deep.jsonl",
            b'{"format":"driftdiff.exchange/1","request":{"method":"GET","path":"/",'
            + b'"body":'
            + b"[" * 300
            + b"]" * 300
            + b'},"response":{"status":200}}\n',
        ),
        (
            "types.jsonl",
            b'{"format":"driftdiff.exchange/1","request":{"method":"GET","path":"/",'
            b'"headers":{"a":[1]}},"response":{"status":200}}\n',
        ),
        (
            "status.jsonl",
            b'{"format":"driftdiff.exchange/1","request":{"method":"GET",'
            b'"path":"/"},"response":{"status":"200"}}\n',
        ),
    ],
)
def test_bad_input_reads_the_same(
    compiled: Path, tmp_path: Path, name: str, content: bytes
) -> None:
    (tmp_path / name).write_bytes(content)
    pure, fast = _both(compiled, tmp_path, "baseline", name, "--out", "b.json")
    assert pure.code == fast.code == 2
    assert fast.stderr == pure.stderr
    assert name in pure.stderr and "Traceback" not in fast.stderr
    assert len(pure.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b.json").exists()


def test_inference_unit_suites_pass_on_the_compiled_build(
    compiled: Path, compiled_job: CompiledJob
) -> None:
    """The unit suites of the compiled modules (``compiled_job.UNIT_SUITES``), run in a copy of
    the repo whose ``drift_diff`` is the compiled build (a compiled build checks narrowed types at
    run time: pure-Python runs cannot catch a wrong narrowing); the run started in the background
    as soon as the build was done."""
    compiled_job.wait()
    probe = "import drift_diff.infer.containers as c; print(c.__file__)"
    used = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=compiled_job.work,
        capture_output=True,
        text=True,
        check=True,
    )
    assert used.stdout.strip().endswith(".so"), used.stdout
    proc = compiled_job.suites
    assert proc is not None, "the unit suites did not run on the compiled build"
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert " passed" in proc.stdout
